import Foundation
import GoodcastCore
import Hummingbird

extension SitePages {
    func addChallengeRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(PagePath.challenges), use: challengeDirectory)
        router.get("/challenges/:hashtag", use: challengePage)
        router.post("/challenges/:hashtag/videos", use: uploadFromPage)
    }

    struct ChallengeDirectoryPage {
        struct Tab { let status: String; let label: String; let href: String; let current: Bool }
        let tabs: [Tab]
        let status: String
        let causes: [CauseOption]
        let items: [ChallengeCard]
        let empty: Bool
        let pageNumber: Int
        let previousHref: String?
        let nextHref: String?
    }

    @Sendable func challengeDirectory(_ request: Request, context: AppRequestContext) async throws -> Response {
        var reader = QueryReader(request)
        var query = ChallengeService.ListQuery()
        query.status = .active
        if let raw = reader.string("status") {
            query.status = ChallengeRecord.Status(rawValue: raw)
            if query.status == nil { reader.issues.add("status", "must be active, upcoming or ended") }
        }
        if let raw = reader.string("cause") {
            if Cause(rawValue: raw) == nil { reader.issues.add("cause", "must be one of \(Cause.allCases.map(\.rawValue).joined(separator: ", "))") }
            query.cause = raw
        }
        query.page = reader.int("page", default: 1, range: 1...10_000)
        try reader.finish()
        query.viewer = context.identity?.account.id.uuidString ?? context.remoteAddress
        let result = try await services.challenges.list(query)
        var items: [ChallengeCard] = []
        for challenge in result.items {
            items.append(ChallengeCard(try await services.challenges.output(challenge, withPledges: false), language: context.language))
        }
        let strings = Strings.table(for: context.language)
        let status = query.status ?? .active
        func href(_ status: ChallengeRecord.Status, page: Int = 1) -> String {
            var components = URLComponents()
            components.path = PagePath.challenges
            components.queryItems = [URLQueryItem(name: "status", value: status.rawValue)]
                + (query.cause.map { [URLQueryItem(name: "cause", value: $0)] } ?? [])
                + (page > 1 ? [URLQueryItem(name: "page", value: String(page))] : [])
            return components.string ?? PagePath.challenges
        }
        let page = ChallengeDirectoryPage(
            tabs: [ChallengeRecord.Status.active, .upcoming, .ended].map {
                .init(status: $0.rawValue, label: strings["challenges.\($0.rawValue)"]!, href: href($0), current: $0 == status)
            },
            status: status.rawValue,
            causes: CauseOption.all(language: context.language, selected: Set([query.cause].compactMap { $0 })),
            items: items, empty: items.isEmpty, pageNumber: result.page,
            previousHref: result.page > 1 ? href(status, page: result.page - 1) : nil,
            nextHref: result.page * result.perPage < result.total ? href(status, page: result.page + 1) : nil
        )
        return pages.render("challenges/directory", title: strings["challenges"]!, page: page, request: request, context: context)
    }

    @Sendable func challengePage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let challenge = try await services.challenges.find(hashtag: try context.parameters.require("hashtag"))
        return try await renderChallenge(request, context, challenge, errors: nil)
    }

    /// Posts a video from the challenge page. The body streams straight to the media store:
    /// `PageMiddleware` checked the CSRF token in the query and left the upload unread.
    @Sendable func uploadFromPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let challenge = try await services.challenges.find(hashtag: try context.parameters.require("hashtag"))
        guard let account = context.identity?.account else {
            return PageRenderer.redirect("\(PagePath.signIn)?next=\(PagePath.challenge(challenge.hashtag))")
        }
        guard challenge.status(at: services.clock.now()) == .active else {
            let problem = Problem.conflict("#\(challenge.hashtag) is not running now: videos join a challenge only while it runs")
            return try await renderChallenge(request, context, challenge, errors: problem)
        }
        do {
            _ = try await services.videos.upload(request, by: account)
        } catch let problem as Problem where problem.status.code < 500 && problem.kind != .rateLimited {
            return try await renderChallenge(request, context, challenge, errors: problem)
        }
        return PageRenderer.redirect(PagePath.challenge(challenge.hashtag))
    }
}

extension SitePages {
    struct ChallengePage {
        struct PledgeRow {
            let id: String
            let sponsor: String
            let perVideo: String
            let accrued: String
            let budget: String
            let accruedMinor: Int64
            let budgetMinor: Int64
            /// For `challenge.js`, to write amounts exactly as `MoneyFormat` does.
            let symbol: String
            let exponent: Int
        }
        struct SortLink { let order: String; let label: String; let href: String; let current: Bool }
        let hashtag: String
        let title: String
        let description: String?
        let rules: String?
        let effect: String?
        let nonprofitName: String?
        let nonprofitHref: String?
        let causes: String?
        let statusLabel: String
        let isActive: Bool
        let dates: DateRange
        let videos: Int
        let views: Int64
        let participants: Int
        let followersGained: Int
        let pledges: [PledgeRow]
        let noPledges: Bool
        let sorts: [SortLink]
        let tiles: [VideoTile]
        let noVideos: Bool
        let leaders: [VideoTile]
        let pageNumber: Int
        let previousHref: String?
        let nextHref: String?
        let refreshUrl: String
        let uploadHref: String
        let signInHref: String
        let caption: String
        let fileHint: String
        let errors: FormErrors
    }

    static let videosPerPage = 24

    func renderChallenge(_ request: Request, _ context: AppRequestContext, _ challenge: ChallengeRecord, errors: Problem?) async throws -> Response {
        let language = context.language
        let strings = Strings.table(for: language)
        let output = try await services.challenges.output(challenge)
        var reader = QueryReader(request)
        // A page forgives a bad `sort` or `page` in a shared link: it shows the first page, newest first.
        let order: ChallengeService.VideoOrder = reader.string("sort") == "top" ? .top : .newest
        let pageNumber = reader.int("page", default: 1, range: 1...10_000)
        let found = try await services.challenges.videos(of: challenge, order: order, page: pageNumber, perPage: Self.videosPerPage)
        let leaders = try await services.challenges.videos(of: challenge, order: .top, page: 1, perPage: 5)
        var causes: String?
        if let nonprofit = output.nonprofit, let record = try await services.nonprofits.store.find(id: nonprofit.id) {
            causes = record.causes.map { strings["cause.\($0.rawValue)"] ?? $0.rawValue }.joined(separator: " · ")
        }
        let path = PagePath.challenge(challenge.hashtag)
        func videosHref(_ order: ChallengeService.VideoOrder, page: Int = 1) -> String {
            let query = [order == .top ? "sort=top" : nil, page > 1 ? "page=\(page)" : nil].compactMap { $0 }.joined(separator: "&")
            return path + (query.isEmpty ? "" : "?" + query) + "#videos"
        }
        func money(_ value: MoneyOutput) -> Money { Money(value.amount, Currency.supported[value.currency] ?? .usd) }
        let page = ChallengePage(
            hashtag: output.hashtag, title: output.title, description: output.description.flatMap { $0.isEmpty ? nil : $0 },
            rules: output.rules.flatMap { $0.isEmpty ? nil : $0 }, effect: output.effect.flatMap { $0.isEmpty ? nil : $0 },
            nonprofitName: output.nonprofit?.name, nonprofitHref: output.nonprofit.map { PagePath.nonprofit($0.id.lowercasedString) },
            causes: causes, statusLabel: strings["challenge.\(output.status)"] ?? output.status, isActive: output.status == "active",
            dates: DateRange(output.startsAt, output.endsAt),
            videos: output.stats.videos, views: output.stats.views, participants: output.stats.participants, followersGained: output.stats.followersGained,
            pledges: (output.pledges ?? []).map { pledge in
                let accrued = money(pledge.accrued), budget = money(pledge.budget)
                return .init(id: pledge.id.lowercasedString, sponsor: pledge.sponsor,
                             perVideo: MoneyFormat.format(money(pledge.perVideo), language: language),
                             accrued: MoneyFormat.format(accrued, language: language), budget: MoneyFormat.format(budget, language: language),
                             accruedMinor: accrued.amount, budgetMinor: budget.amount, symbol: budget.currency.symbol, exponent: budget.currency.exponent)
            },
            noPledges: (output.pledges ?? []).isEmpty,
            sorts: [ChallengeService.VideoOrder.newest, .top].map {
                .init(order: $0.rawValue, label: strings["sort.\($0.rawValue)"]!, href: videosHref($0), current: $0 == order)
            },
            tiles: try await services.videos.outputs(found.items).map { VideoTile($0) },
            noVideos: found.items.isEmpty,
            leaders: try await services.videos.outputs(leaders.items).enumerated().map { VideoTile($1, rank: $0 + 1) },
            pageNumber: found.page,
            previousHref: found.page > 1 ? videosHref(order, page: found.page - 1) : nil,
            nextHref: found.page * found.perPage < found.total ? videosHref(order, page: found.page + 1) : nil,
            refreshUrl: "\(APIPath.prefix)/challenges/\(PagePath.segment(challenge.hashtag))",
            uploadHref: PagePath.challengeVideos(challenge.hashtag), signInHref: "\(PagePath.signIn)?next=\(path)",
            caption: "#\(challenge.hashtag) ",
            fileHint: strings["videoFileHint"]!.replacingOccurrences(of: "{mb}", with: String(services.config.maxVideoBytes >> 20)),
            errors: FormErrors(errors)
        )
        return pages.render("challenges/show", title: "#\(output.hashtag)", page: page, request: request, context: context, status: errors?.status ?? .ok)
    }
}
