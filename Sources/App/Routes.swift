import Foundation
import Hummingbird

/// The map of the site and the API.
func buildRouter(_ services: AppServices) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    let config = services.config

    // Outermost first: every response gets an id, security headers and metrics; errors become
    // problem+json or an HTML page; then identity, then page language and CSRF.
    router.middlewares.add(RequestIDMiddleware())
    router.middlewares.add(SecurityHeadersMiddleware())
    router.middlewares.add(MetricsMiddleware())
    router.middlewares.add(LogRequestsMiddleware(.debug))
    router.middlewares.add(ProblemMiddleware(pages: services.pages))
    var fileLogger = services.db.logger
    fileLogger.logLevel = max(fileLogger.logLevel, .notice)
    router.middlewares.add(FileMiddleware(
        PageRenderer.publicDirectory, urlBasePath: "/static",
        cacheControl: .init([(MediaType(type: .any), [.maxAge(3600)])]), logger: fileLogger
    ))
    router.middlewares.add(IdentityMiddleware(store: services.accounts))
    router.middlewares.add(PageMiddleware(secureCookies: config.secureCookies, maxBodyBytes: config.maxBodyBytes))

    // Operations: health, metrics, the API contract.
    let openAPI = (try? Data(contentsOf: PageRenderer.openAPIDocument)).map { ByteBuffer(bytes: $0) } ?? ByteBuffer(string: "{}")
    OperationsController(db: services.db, openAPI: openAPI).addRoutes(to: router)

    // The API.
    let api = router.group(RouterPath(APIPath.prefix))
    AccountController(service: services.accountService, store: services.accounts, maxBodyBytes: config.maxBodyBytes).addRoutes(to: api)
    NonprofitController(service: services.nonprofits, maxBodyBytes: config.maxBodyBytes).addRoutes(to: api)
    NonprofitAdminController(service: services.nonprofits, maxBodyBytes: config.maxBodyBytes).addRoutes(to: api)
    FundraiserController(service: services.fundraisers, maxBodyBytes: config.maxBodyBytes).addRoutes(to: api)
    DonationController(donations: services.donations, refunds: services.refunds, nonprofits: services.nonprofits,
                       accounts: services.accounts, maxBodyBytes: config.maxBodyBytes).addRoutes(to: api)
    WebhookController(service: services.webhooks).addRoutes(to: api)
    LiveController(service: services.lives, host: services.liveHost, maxBodyBytes: config.maxBodyBytes).addRoutes(to: api)
    FeedController(lives: services.lives, hub: services.feedHub).addRoutes(to: api)
    CampaignController(service: services.campaigns, maxBodyBytes: config.maxBodyBytes).addRoutes(to: api)
    TicketController(tickets: services.tickets, host: services.liveHost, maxBodyBytes: config.maxBodyBytes).addRoutes(to: api)
    PayoutController(payouts: services.payouts, nonprofits: services.nonprofits, maxBodyBytes: config.maxBodyBytes).addRoutes(to: api)
    VideoController(videos: services.videos, recorder: services.views, maxBodyBytes: config.maxBodyBytes).addRoutes(to: api)
    ChallengeController(challenges: services.challenges, pledges: services.pledges, videos: services.videos, maxBodyBytes: config.maxBodyBytes).addRoutes(to: api)

    StoryController(stories: services.stories, stickers: services.stickers, follows: services.accountFollows, fundraisers: services.fundraisers,
                    campaigns: services.campaigns, maxBodyBytes: config.maxBodyBytes).addRoutes(to: api)

    PromotionController(promotions: services.promotions, maxBodyBytes: config.maxBodyBytes).addRoutes(to: api)
    ProgramController(programs: services.programs, maxBodyBytes: config.maxBodyBytes).addRoutes(to: api)
    AnalyticsController(analytics: services.analytics).addRoutes(to: api)
    LiveDiscoveryController(discovery: services.liveDiscovery).addRoutes(to: api)

    // Uploaded media, with ranges.
    MediaController(videos: services.videos, stories: services.stories, media: services.media).addRoutes(to: router)

    // The site.
    SitePages(services: services).addRoutes(to: router)
    ProblemPages(pages: services.pages).addRoutes(to: router)
    return router
}
