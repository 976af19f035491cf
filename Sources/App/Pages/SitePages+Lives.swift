import Foundation
import GoodcastCore
import Hummingbird

extension SitePages {
    func addLiveRoutes(to router: Router<AppRequestContext>) {
        router.get("/lives/:liveId", use: livePage)
    }

    struct LivePage {
        let id: String
        let title: String
        let host: String
        let status: String
        /// An embed (YouTube, Twitch, ...) goes in a frame; an HLS or video file in a video element.
        let embedUrl: String?
        let streamUrl: String?
        let fundraiserHref: String?
        let raised: String
        let goal: String
        let progress: Int
        let feedUrl: String?
    }

    @Sendable func livePage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("liveId")
        guard let live = try await services.lives.find(id) else { throw Problem.notFound("live \(id)") }
        let output = try await services.lives.output(live, viewer: context.identity?.account)
        var raised = "", goal = "", progress = 0
        if let fundraiserID = live.fundraiserId, let fundraiser = try await services.fundraisers.store.find(fundraiserID) {
            let summary = try await services.fundraisers.output(fundraiser)
            raised = MoneyFormat.format(Money(summary.raised.amount, fundraiser.currency), language: context.language)
            goal = MoneyFormat.format(fundraiser.goal, language: context.language)
            progress = min(100, max(0, summary.goalProgress))
        }
        let playback = output.playbackUrl
        let isStream = playback.map { [".m3u8", ".mp4", ".webm"].contains(where: $0.lowercased().hasSuffix) } ?? false
        let idText = id.uuidString.lowercased()
        let page = LivePage(
            id: idText, title: live.title, host: output.host, status: live.statusName,
            embedUrl: isStream ? nil : playback, streamUrl: isStream ? playback : nil,
            fundraiserHref: live.fundraiserId.map { PagePath.fundraiser($0.uuidString.lowercased()) },
            raised: raised, goal: goal, progress: progress,
            feedUrl: live.fundraiserId == nil ? nil : "/api/v1/lives/\(idText)/feed?after=0"
        )
        var response = pages.render("lives/show", title: live.title, page: page, request: request, context: context)
        // The video comes from the host's streaming service: frames and media from https only.
        response.headers[.contentSecurityPolicy] = SecurityHeadersMiddleware<AppRequestContext>.pagePolicy + "; frame-src https:; media-src https: blob:"
        return response
    }
}
