import Foundation
import GoodcastCore
import Hummingbird

extension SitePages {
    func addLiveRoutes(to router: Router<AppRequestContext>) {
        router.get("/lives/:liveId", use: livePage)
        router.get("/lives/:liveId/host", use: hostPage)
        router.post("/lives/:liveId/start", use: startFromPage)
        router.post("/lives/:liveId/end", use: endFromPage)
        router.post("/lives/:liveId/thank", use: thankFromPage)
        router.post("/lives/:liveId/hide", use: hideFromPage)
        router.post("/lives/:liveId/overlay", use: overlayFromPage)
        router.get("/overlay/lives/:liveId", use: overlayPage)
        router.post("/lives/:liveId/ticket", use: buyTicketFromPage)
    }

    /// The goal bar's figures, formatted for the page's language.
    struct GoalFigures {
        var raised = "", goal = "", progress = 0, reached = false, currency = Currency.usd
    }

    func goalFigures(_ live: LiveRecord, language: String) async throws -> GoalFigures? {
        guard let fundraiserID = live.fundraiserId, let fundraiser = try await services.fundraisers.store.find(fundraiserID) else { return nil }
        let summary = try await services.fundraisers.output(fundraiser)
        return GoalFigures(
            raised: MoneyFormat.format(Money(summary.raised.amount, fundraiser.currency), language: language),
            goal: MoneyFormat.format(fundraiser.goal, language: language),
            progress: min(100, max(0, summary.goalProgress)), reached: summary.raised.amount >= fundraiser.goalAmount,
            currency: fundraiser.currency
        )
    }

    func viewerCount(_ live: LiveRecord) async throws -> Int64 {
        try await FeedBroadcaster.viewers(feed: live.feedId, db: services.db, now: Date(), interval: .seconds(services.config.feedViewersSeconds))
    }

    struct LivePage {
        let id: String
        let title: String
        let host: String
        let status: String
        let viewers: Int64
        let isHost: Bool
        let hostHref: String
        let locked: Bool
        /// An embed (YouTube, Twitch, ...) goes in a frame; an HLS or video file in a video element.
        let embedUrl: String?
        let streamUrl: String?
        let fundraiserHref: String?
        let raised: String
        let goal: String
        let progress: Int
        let goalReached: Bool
        let feedUrl: String?
        /// A paid-entry live the viewer may not watch yet: what it costs and how to buy.
        let ticketPrice: String?
        let buyHref: String
        let idempotencyKey: String
        let tokens: [String]
        let signInHref: String
        let ticketFailed: Bool
        /// The live's fundraiser's shared donors' story.
        let sharedStory: SharedStoryStrip?
    }

    @Sendable func livePage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("liveId")
        guard let live = try await services.lives.find(id) else { throw Problem.notFound("live \(id)") }
        let account = context.identity?.account
        let output = try await services.lives.output(live, viewer: account)
        let mayWatch = try await services.lives.mayWatch(live, account: account, key: nil)
        let figures = try await goalFigures(live, language: context.language)
        let playback = output.playbackUrl
        let isStream = playback.map { [".m3u8", ".mp4", ".webm"].contains(where: $0.lowercased().hasSuffix) } ?? false
        let idText = id.lowercasedString
        var sharedStory: SharedStoryStrip?
        if let fundraiserID = live.fundraiserId {
            let fundraiser = fundraiserID.lowercasedString
            sharedStory = try await sharedStrip(.fundraiser(fundraiserID), from: "fundraiser:\(fundraiser)",
                                                moreHref: PagePath.fundraiserStory(fundraiser), language: context.language)
        }
        let page = LivePage(
            id: idText, title: live.title, host: output.host, status: live.statusName, viewers: try await viewerCount(live),
            isHost: account?.id == live.hostId, hostHref: "/lives/\(idText)/host", locked: !mayWatch,
            embedUrl: isStream ? nil : playback, streamUrl: isStream ? playback : nil,
            fundraiserHref: live.fundraiserId.map { PagePath.fundraiser($0.lowercasedString) },
            raised: figures?.raised ?? "", goal: figures?.goal ?? "", progress: figures?.progress ?? 0, goalReached: figures?.reached ?? false,
            feedUrl: mayWatch ? "/api/v1/lives/\(idText)/feed?after=0" : nil,
            ticketPrice: mayWatch ? nil : live.ticketPrice.map { MoneyFormat.format($0, language: context.language) },
            buyHref: "/lives/\(idText)/ticket", idempotencyKey: UUID().uuidString, tokens: SandboxBank.tokens,
            signInHref: "\(PagePath.signIn)?next=/lives/\(idText)", ticketFailed: request.uri.queryParameters["ticket"] == "failed",
            sharedStory: sharedStory
        )
        var response = pages.render("lives/show", title: live.title, page: page, request: request, context: context)
        // The video comes from the host's streaming service (https only); the donors' story's videos from this site.
        response.headers[.contentSecurityPolicy] = SecurityHeadersMiddleware<AppRequestContext>.pagePolicy + "; frame-src https:; media-src 'self' https: blob:"
        return response
    }

    /// Buys a ticket from the live page's form (the same idempotent path as the API), then shows the live.
    @Sendable func buyTicketFromPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let id = try context.parameters.requireUUID("liveId")
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        let key = try IdempotencyStore.key(from: form["idempotencyKey"])
        let token = form["paymentToken"] ?? ""
        let stored = try await services.tickets.buy(liveID: id, by: account, key: key, body: Data(token.utf8), input: TicketInput(paymentToken: token))
        let page = "/lives/\(id.lowercasedString)"
        return PageRenderer.redirect(stored.status == 201 ? page : page + "?ticket=failed")
    }

    struct HostPage {
        struct Row { let id: String; let donor: String; let amount: String; let message: String; let hidden: Bool; let canHide: Bool }
        let title: String
        let status: String
        let viewers: Int64
        let liveHref: String
        let canStart: Bool
        let canEnd: Bool
        let startHref: String
        let endHref: String
        let hasFundraiser: Bool
        let raised: String
        let goal: String
        let progress: Int
        let thankHref: String
        let hideHref: String
        let feedUrl: String
        let supporters: [Row]
        let overlayHref: String
        let overlayUrl: String
        let minAmount: String
        let showAmounts: Bool
    }

    @Sendable func hostPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        var live = try await services.liveHost.requireHost(try context.parameters.requireUUID("liveId"), account)
        if live.overlayKey == nil {
            live = try await services.liveHost.updateOverlay(live.id, input: OverlayInput(minAmount: nil, showAmounts: nil, rotateKey: nil), by: account)
        }
        // The feed's end first, then the list: a gift in between shows twice at most, and the
        // page's script skips a donation it already lists.
        let last = try await FeedLog.lastSeq(feed: live.feedId, on: services.db.reader)
        let supporters = try await services.liveHost.supporters(live.id, by: account)
        let figures = try await goalFigures(live, language: context.language)
        let currency = figures?.currency ?? live.ticketPrice?.currency ?? .usd
        let idText = live.id.lowercasedString
        let origin = request.head.authority.map { "http://\($0)" } ?? ""
        let page = HostPage(
            title: live.title, status: live.statusName, viewers: try await viewerCount(live), liveHref: "/lives/\(idText)",
            canStart: live.status == .scheduled, canEnd: live.status != .ended,
            startHref: "/lives/\(idText)/start", endHref: "/lives/\(idText)/end",
            hasFundraiser: live.fundraiserId != nil, raised: figures?.raised ?? "", goal: figures?.goal ?? "", progress: figures?.progress ?? 0,
            thankHref: "/lives/\(idText)/thank", hideHref: "/lives/\(idText)/hide", feedUrl: "/api/v1/lives/\(idText)/feed?after=\(last)",
            supporters: supporters.map { row in
                let output = SupporterOutput(row)
                return HostPage.Row(
                    id: row.id.lowercasedString, donor: output.donor,
                    amount: output.amount.map { MoneyFormat.format(Money($0.amount, Currency.supported[$0.currency] ?? .usd), language: context.language) } ?? "—",
                    message: output.message ?? "", hidden: row.hidden, canHide: !row.hidden && row.message != nil
                )
            },
            overlayHref: "/lives/\(idText)/overlay", overlayUrl: origin + OverlayOutput(live).url,
            minAmount: MoneyFormat.format(Money(live.overlayMinAmount ?? 0, currency), language: context.language, symbol: false),
            showAmounts: live.overlayShowAmounts ?? true
        )
        return pages.render("lives/host", title: live.title, page: page, request: request, context: context)
    }

    private func hostAction(_ request: Request, _ context: AppRequestContext, _ body: (AccountRecord, UUID, FormData) async throws -> Void) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let id = try context.parameters.requireUUID("liveId")
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        try await body(account, id, form)
        return PageRenderer.redirect("/lives/\(id.lowercasedString)/host")
    }

    @Sendable func startFromPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await hostAction(request, context) { account, id, _ in _ = try await services.lives.transition(id, to: .live, by: account) }
    }

    @Sendable func endFromPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await hostAction(request, context) { account, id, _ in _ = try await services.lives.transition(id, to: .ended, by: account) }
    }

    @Sendable func thankFromPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await hostAction(request, context) { account, id, form in
            let donation = form["donationId"].flatMap { $0.isEmpty ? nil : $0 }
            let message = form["message"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
            _ = try await services.liveHost.thank(id, input: ThanksInput(donationId: donation, message: message), by: account)
        }
    }

    @Sendable func hideFromPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await hostAction(request, context) { account, id, form in
            guard let donation = form["donationId"].flatMap(UUID.init(uuidString:)) else {
                throw Problem.validation(ValidationIssue(field: "donationId", message: "must be a donation id"))
            }
            try await services.liveHost.hideMessage(id, donation: donation, by: account)
        }
    }

    @Sendable func overlayFromPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await hostAction(request, context) { account, id, form in
            let live = try await services.liveHost.requireHost(id, account)
            var minimum: Int64?
            if let text = form["minAmount"], !text.trimmingCharacters(in: .whitespaces).isEmpty {
                let currency = try await goalFigures(live, language: context.language)?.currency ?? live.ticketPrice?.currency ?? .usd
                do throws(ValidationIssue) {
                    minimum = try MoneyFormat.parse(text, currency: currency, language: context.language, field: "minAmount").amount
                } catch {
                    throw Problem.validation(error)
                }
            }
            let input = OverlayInput(minAmount: minimum ?? 0, showAmounts: form["showAmounts"] == "true", rotateKey: form["rotateKey"] == "true")
            _ = try await services.liveHost.updateOverlay(id, input: input, by: account)
        }
    }

    struct OverlayPage {
        let feedUrl: String
        let minAmount: Int64
        let showAmounts: Bool
        let hasFundraiser: Bool
        let raised: String
        let goal: String
        let progress: Int
    }

    /// The page OBS shows over the stream; the key in its address is the only credential.
    @Sendable func overlayPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("liveId")
        let key = QueryReader(request).string("key", max: 200)
        guard let live = try await services.lives.find(id), let key, let expected = live.overlayKey, Secrets.constantTimeEquals(key, expected) else {
            throw Problem.notFound("overlay for live \(id)")
        }
        let figures = try await goalFigures(live, language: context.language)
        let last = try await FeedLog.lastSeq(feed: live.feedId, on: services.db.reader)
        let encodedKey = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-", "_"])) ?? ""
        let page = OverlayPage(
            feedUrl: "/api/v1/lives/\(id.lowercasedString)/feed?after=\(last)&key=\(encodedKey)",
            minAmount: live.overlayMinAmount ?? 0, showAmounts: live.overlayShowAmounts ?? true,
            hasFundraiser: figures != nil, raised: figures?.raised ?? "", goal: figures?.goal ?? "", progress: figures?.progress ?? 0
        )
        return pages.render("overlay/live", title: live.title, page: page, request: request, context: context)
    }
}
