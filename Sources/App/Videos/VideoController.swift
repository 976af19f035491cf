import Foundation
import GoodcastCore
import Hummingbird

/// `/api/v1/videos` and `/api/v1/views`.
struct VideoController: Sendable {
    let videos: VideoService
    let recorder: ViewRecorder
    let maxBodyBytes: Int

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.post(APIPath.videos, use: upload)
        api.get(APIPath.video, use: show)
        api.delete(APIPath.video, use: delete)
        api.post(APIPath.views, use: views)
    }

    @Sendable func upload(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<VideoOutput> {
        let account = try context.requireAccount()
        let video = try await videos.upload(request, by: account)
        return EditedResponse(status: .created, headers: [.location: "/api/v1/videos/\(video.id.lowercasedString)"], response: try await videos.output(video))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> VideoOutput {
        let id = try context.parameters.requireUUID("videoId")
        guard let video = try await videos.find(id) else { throw Problem.notFound("video \(id)") }
        return try await videos.output(video)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("videoId")
        try await videos.delete(id, by: try context.requireAccount())
        await recorder.forget(id)
        return Response(status: .noContent)
    }

    static let maxViews = 1000
    static let maxViewAge: TimeInterval = 24 * 3600

    @Sendable func views(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<ViewsAccepted> {
        let items = try await request.decodeJSONArray(ViewInput.self, maxBytes: maxBodyBytes)
        guard !items.isEmpty, items.count <= Self.maxViews else {
            throw Problem.validation(ValidationIssue(field: "body", message: "must hold 1 to \(Self.maxViews) views"))
        }
        var issues = ValidationIssues()
        let now = videos.clock.now()
        var events: [ViewEvent] = []
        events.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard let video = item.videoId.flatMap(UUID.init(uuidString:)) else {
                issues.add("[\(index)].videoId", "must be a video id"); continue
            }
            guard let viewer = item.viewerId, !viewer.isEmpty, viewer.utf8.count <= 128,
                  viewer.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E }) else {
                issues.add("[\(index)].viewerId", "must be 1 to 128 visible ASCII characters (an account id or a device id)"); continue
            }
            guard let raw = item.at, let at = try? DateParameter.parse(raw, field: "at") else {
                issues.add("[\(index)].at", "must be a date-time like 2026-11-30T19:00:00Z"); continue
            }
            // Every hour is a new chance to count: views from long ago or from the future would
            // let one viewer count again and again.
            guard at >= now.addingTimeInterval(-Self.maxViewAge), at <= now.addingTimeInterval(300) else {
                issues.add("[\(index)].at", "must be within the last 24 hours"); continue
            }
            events.append(ViewEvent(videoID: video, viewer: viewer, hour: ViewEvent.hour(of: at)))
            if issues.issues.count >= 20 { break }
        }
        if !issues.isEmpty { throw Problem.validation(issues) }
        do {
            try await recorder.accept(events)
        } catch {
            throw Problem(.unavailable, detail: "views are arriving faster than they are written; send them again shortly", headers: [.retryAfter: "1"])
        }
        return EditedResponse(status: .accepted, response: ViewsAccepted(accepted: events.count))
    }
}
