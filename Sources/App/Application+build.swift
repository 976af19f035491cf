import FluentKit
import Foundation
import GoodcastCore
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// Everything a request handler may need, built once per application.
public struct AppServices: Sendable {
    public let config: AppConfig
    public let db: AppDatabase
    public let clock: AppClock
    let accounts: AccountStore
    let accountService: AccountService
    let nonprofits: NonprofitService
    let pages: PageRenderer
    let processor: any PaymentProcessor
    let fundraisers: FundraiserService
    let donations: DonationService
    let refunds: RefundService
    let webhooks: WebhookService
    let payouts: PayoutService
    let lives: LiveService
    let liveHost: LiveHostService
    let tickets: TicketService
    let campaigns: CampaignService
    let feedHub: FeedHub
    let media: any MediaStore
    let videos: VideoService
    let views: ViewRecorder
    let challenges: ChallengeService
    let pledges: PledgeService
    let stickers: StickerService
    let stories: StoryService
    let accountFollows: AccountFollows
    let impressions: ImpressionCounter
    let promotions: PromotionService
    let programs: ProgramService
    let analytics: AnalyticsService
    let liveDiscovery: LiveDiscovery
    /// The in-process sandbox's event feed, when the sandbox runs inside this process.
    let sandboxEvents: SandboxEvents?
    /// The in-process sandbox's books when this process appends to them (closed at shutdown, so
    /// that the next process takes them).
    let sandboxBooks: SandboxBooks?

    /// `sandboxBooks`: how this process uses the in-process sandbox's books (`serve` appends;
    /// commands read them, see `AppCommands.open`).
    init(config: AppConfig, databases: Databases, clock: AppClock, logger: Logger, payments: PaymentsOverride? = nil,
         sandboxBooks access: SandboxBooks.Access = .append(wait: .seconds(5))) async throws {
        self.config = config
        self.clock = clock
        // What can fail comes first, and a failure closes what was opened (the SQLite writer's
        // handle, the database configurations): a caller that retries start-up leaks nothing.
        let database: AppDatabase
        let books: SandboxBooks.Loaded?
        do {
            pages = try await PageRenderer.load()
            media = try LocalMediaStore(root: config.mediaPath)
            let inProcess = payments == nil && config.processor == .inProcessSandbox
            books = inProcess ? try config.sandboxBooksPath.map { try SandboxBooks.load(path: $0, access: access) } : nil
            let readDatabases = DatabaseSetup.makeReadDatabases(config.database, logger: logger)
            do {
                database = try AppDatabase(databases: databases, readDatabases: readDatabases, sqliteFile: config.database.sqliteFile, logger: logger)
            } catch {
                await readDatabases?.shutdownAsync()
                throw error
            }
        } catch {
            await databases.shutdownAsync()
            throw error
        }
        db = database
        accounts = AccountStore(db: db, clock: clock)
        accountService = AccountService(
            store: accounts,
            hasher: PasswordHasher(cost: UInt8(config.bcryptCost)),
            perAccountLimiter: RateLimiter(limit: config.signInLimitPerAccount, windowSeconds: config.signInWindowSeconds, clock: clock),
            perAddressLimiter: RateLimiter(limit: config.signInLimitPerAddress, windowSeconds: config.signInWindowSeconds, clock: clock),
            signUpLimiter: RateLimiter(limit: config.signUpLimitPerAddress, windowSeconds: config.signUpWindowSeconds, clock: clock),
            sessionLifetime: TimeInterval(config.sessionLifetimeSeconds)
        )
        let nonprofitStore = NonprofitStore(db: db, clock: clock)
        nonprofits = NonprofitService(store: nonprofitStore, accounts: accounts)
        switch config.processor {
        case _ where payments != nil:
            processor = payments!.processor
            sandboxEvents = payments!.sandboxEvents
            sandboxBooks = nil
        case .inProcessSandbox:
            let events = SandboxEvents()
            sandboxEvents = events
            if let path = config.sandboxBooksPath, let books {
                if books.unreadable > 0 {
                    logger.warning("the sandbox's books have lines it cannot read; left out", metadata: ["path": "\(path)", "lines": "\(books.unreadable)"])
                }
                if books.books == nil, access != .read {
                    logger.warning("another process keeps the sandbox's books (another server on this data directory?); this one reads them and keeps its own payments in memory, lost when it stops",
                                   metadata: ["path": "\(path)"])
                }
            }
            sandboxBooks = books?.books
            let bank = SandboxBank(fees: config.sandboxFee, events: events, books: books?.books, lines: books?.lines ?? [])
            processor = SandboxProcessor(bank: bank, noAnswerWait: .seconds(config.sandboxNoAnswerSeconds))
            if books?.books != nil {
                // The process that keeps the books is the one that delivers their events.
                let resent = await bank.resendDisputes(since: Int(clock.now().timeIntervalSince1970) - 3 * 86_400)
                if resent > 0 { logger.info("the sandbox sends its disputes of the last three days again", metadata: ["count": "\(resent)"]) }
            }
        case .stripe(let baseURL, let secretKey, let name):
            sandboxEvents = nil
            sandboxBooks = nil
            processor = StripeProcessor(name: name, baseURL: baseURL, secretKey: secretKey, timeout: .seconds(Int64(config.processorTimeoutSeconds)))
        }
        let donationStore = DonationStore(db: db, clock: clock)
        let recorded = ExpiringCache<UUID, Bool>(ttl: 60)
        let donationWriter = config.groupCommit ? DonationWriter(db: db, clock: clock, recorded: recorded) : nil
        let fundraiserStore = FundraiserStore(db: db, clock: clock)
        let idempotency = IdempotencyStore(db: db)
        // One count of payments per account for donations, tickets and pledges; one of uploads for videos and stories.
        let paymentLimiter = RateLimiter(limit: config.donationLimitPerAccount, windowSeconds: config.donationWindowSeconds, clock: clock)
        let uploadLimiter = RateLimiter(limit: config.uploadLimitPerAccount, windowSeconds: config.uploadWindowSeconds, clock: clock)
        fundraisers = FundraiserService(
            store: fundraiserStore, nonprofits: nonprofitStore, accounts: accounts, donations: donationStore,
            ledger: LedgerStore(db: db, clock: clock), clock: clock
        )
        donations = DonationService(
            db: db, clock: clock, donations: donationStore, fundraisers: fundraiserStore, nonprofits: nonprofitStore,
            idempotency: idempotency, processor: processor, fees: config.sandboxFee, limits: config.donationLimits, logger: logger,
            writer: donationWriter, limiter: paymentLimiter
        )
        refunds = RefundService(db: db, clock: clock, donations: donationStore, idempotency: idempotency, processor: processor, logger: logger)
        lives = LiveService(db: db, clock: clock, fundraisers: fundraisers, accounts: accounts)
        liveHost = LiveHostService(db: db, clock: clock, lives: lives)
        campaigns = CampaignService(db: db, clock: clock, lives: lives, accounts: accounts, nonprofits: nonprofitStore)
        tickets = TicketService(db: db, clock: clock, lives: lives, idempotency: idempotency, processor: processor, logger: logger, limiter: paymentLimiter)
        feedHub = FeedHub(db: db, settings: .init(
            pollInterval: .milliseconds(config.feedPollMilliseconds), viewersInterval: .seconds(config.feedViewersSeconds),
            maxPending: config.feedMaxPending, readGap: .milliseconds(config.feedBatchMilliseconds)
        ), logger: logger)
        payouts = PayoutService(db: db, clock: clock, minimumHundredths: Int64(config.payoutMinimumHundredths), logger: logger)
        videos = VideoService(db: db, clock: clock, media: media, tools: MediaTools.find(enabled: config.useFFmpeg), accounts: accounts,
                              rules: config.pledgeRules, maxBytes: config.maxVideoBytes, logger: logger, uploadLimiter: uploadLimiter)
        views = ViewRecorder(db: db, logger: logger)
        impressions = ImpressionCounter()
        challenges = ChallengeService(db: db, clock: clock, nonprofits: nonprofitStore, accounts: accounts, impressions: impressions)
        pledges = PledgeService(db: db, clock: clock, challenges: challenges, idempotency: idempotency, processor: processor, logger: logger, limiter: paymentLimiter)
        stickers = StickerService(db: db)
        stories = StoryService(db: db, clock: clock, media: media, tools: videos.tools, stickers: stickers, accounts: accounts,
                               maxVideoBytes: config.maxVideoBytes, logger: logger, uploadLimiter: uploadLimiter)
        accountFollows = AccountFollows(db: db, clock: clock, accounts: accounts)
        programs = ProgramService(db: db, clock: clock, nonprofits: nonprofitStore, accounts: accounts, idempotency: idempotency)
        promotions = PromotionService(db: db, clock: clock, nonprofits: nonprofits, challenges: challenges, lives: lives, idempotency: idempotency,
                                      rate: Int64(config.adCreditsPerImpression))
        liveDiscovery = LiveDiscovery(db: db, clock: clock, lives: lives, impressions: impressions)
        analytics = AnalyticsService(db: db, clock: clock, nonprofits: nonprofits, rollup: AnalyticsRollup(db: db, clock: clock, logger: logger))
        webhooks = WebhookService(db: db, clock: clock, donations: donationStore, processor: processor, secret: config.webhookSecret, logger: logger,
                                  recorded: recorded, writer: donationWriter)
    }
}

/// A processor chosen by the caller instead of the configured one: how a test keeps hold of
/// the sandbox it charges, to ask it afterwards.
public struct PaymentsOverride: Sendable {
    let processor: any PaymentProcessor
    let sandboxEvents: SandboxEvents?
}

/// Builds the application that `goodcast serve` runs and every test drives.
public func buildApplication(
    _ config: AppConfig,
    clock: AppClock = .system,
    logger: Logger? = nil,
    payments: PaymentsOverride? = nil,
    inspect: ((AppServices) -> Void)? = nil,
    onStarted: (@Sendable (Int) async -> Void)? = nil
) async throws -> some ApplicationProtocol {
    var configuredLogger = logger ?? Logger(label: "goodcast")
    configuredLogger.logLevel = config.logLevel
    let logger = configuredLogger
    _ = AppMetrics.registry
    _ = AppMetrics.orphanCharges // the series exists at 0 from the start, for alerts on an increase

    let databases = try DatabaseSetup.makeDatabases(config.database, logger: logger)
    let services = try await AppServices(config: config, databases: databases, clock: clock, logger: logger, payments: payments)
    inspect?(services)
    let router = buildRouter(services)
    let started = StartupGate()
    var backgroundServices: [any Service] = [
        DatabasesService(db: services.db, hub: services.feedHub, sandboxBooks: services.sandboxBooks, logger: logger),
        PeriodicService(started: started, interval: .seconds(60), did: "reconciled pending donations", logger: logger) { [donations = services.donations, age = TimeInterval(config.reconcileAfterSeconds)] in
            try await donations.reconcile(olderThan: age)
        },
        PeriodicService(started: started, interval: .seconds(60), did: "settled pending refunds, tickets and pledges", logger: logger) {
            [refunds = services.refunds, tickets = services.tickets, pledges = services.pledges, age = TimeInterval(config.reconcileAfterSeconds)] in
            // Each pass goes on past a row it cannot settle; only a database outage stops them all.
            try await refunds.settlePending(olderThan: age) + tickets.settlePending(olderThan: age) + pledges.settlePending(olderThan: age)
        },
        ViewRecorderService(recorder: services.views, interval: .milliseconds(config.viewsFlushMilliseconds), logger: logger),
        PromotionRunner(promotions: services.promotions, counter: services.impressions, interval: .seconds(config.impressionsChargeSeconds), logger: logger),
        PeriodicService(started: started, interval: .seconds(600), did: "settled ended challenges", logger: logger) { [pledges = services.pledges, grace = config.pledgeRules.removalGrace] in
            try await pledges.settleDue(grace: grace)
        },
        PeriodicService(started: started, interval: .seconds(config.analyticsRollupSeconds), did: "rolled up analytics days", logger: logger) { [rollup = services.analytics.rollup] in
            try await rollup.run().days
        },
    ]
    let webhookTarget = WebhookTarget()
    if let events = services.sandboxEvents {
        let destination: WebhookDeliverer.Destination = switch config.sandboxWebhooks {
        case .http: .http(webhookTarget)
        case .inProcess: .handler({ [webhooks = services.webhooks] payload, signature in try await webhooks.handle(payload: payload, signature: signature) },
                                  hasNothingToDo: { [webhooks = services.webhooks] payload, signature in webhooks.isRecordedPayment(payload: payload, signature: signature) })
        }
        backgroundServices.append(WebhookDeliverer(events: events, destination: destination, secret: config.webhookSecret, behaviour: .standard, logger: logger))
    }
    let host = config.hostname == "0.0.0.0" || config.hostname == "::" ? "127.0.0.1" : config.hostname
    let processorName = services.processor.name
    let webSocketRouter = FeedSocketRouter(lives: services.lives, accounts: services.accounts, hub: services.feedHub).build()
    var app = Application(
        router: router,
        server: .quiescingWebSocketUpgrade(webSocketRouter: webSocketRouter),
        configuration: .init(address: .hostname(config.hostname, port: config.port), serverName: "Goodcast"),
        services: backgroundServices,
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? 0
            await webhookTarget.set("http://\(host):\(port)/api/v1/payments/webhooks/\(processorName)")
            await started.open()
            await onStarted?(port)
        },
        logger: logger
    )
    let autoMigrate = config.autoMigrate
    app.beforeServerStarts {
        if autoMigrate {
            try await DatabaseSetup.migrate(databases, logger: logger)
        } else {
            try await DatabaseSetup.applyDurability(services.db.fluent)
        }
    }
    return app
}

/// Closes the database connections at shutdown, after the server has stopped taking requests.
struct DatabasesService: Service {
    let db: AppDatabase
    let hub: FeedHub
    let sandboxBooks: SandboxBooks?
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        // Live feeds read the database until they stop.
        await hub.shutdown()
        await db.shutdown()
        sandboxBooks?.close()
        logger.debug("database connections closed")
    }
}

/// Background work of `serve` that runs once the server is up, then every `interval`, until
/// shutdown: reconciling pending donations, refunds, tickets and pledges, settling ended challenges. `work` returns how
/// many things it did, logged when more than none.
struct PeriodicService: Service {
    let started: StartupGate
    let interval: Duration
    let did: String
    let logger: Logger
    let work: @Sendable () async throws -> Int

    func run() async throws {
        await cancelWhenGracefulShutdown {
            guard (try? await started.wait()) != nil else { return }
            while !Task.isCancelled {
                do {
                    let count = try await work()
                    if count > 0 { logger.info("\(did)", metadata: ["count": "\(count)"]) }
                } catch {
                    logger.warning("\(did): failed; will retry", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}

/// Runs the server until SIGTERM or SIGINT. Open requests and feeds get `config.shutdownGraceSeconds`
/// to finish; after that they are cancelled, so that a stuck connection cannot keep the process
/// alive for a supervisor to SIGKILL (a cancelled donation stays pending and is reconciled).
public func runUntilSignalled(_ app: some ApplicationProtocol, config: AppConfig, logger: Logger) async throws {
    var configuration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    configuration.maximumGracefulShutdownDuration = .seconds(config.shutdownGraceSeconds)
    configuration.maximumCancellationDuration = .seconds(10)
    try await ServiceGroup(configuration: configuration).run()
}
