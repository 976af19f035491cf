import Foundation
import GoodcastCore
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `GET /api/v1/lives/{id}/feed?after=SEQ`: the live's events in order, first those after
/// `after`, then new ones as they are committed. With `Accept: text/event-stream` a stream of
/// Server-Sent Events (`Last-Event-ID` counts as `after`); over WebSocket (see
/// `FeedSocketRouter`) one JSON message per event; otherwise one JSON page of the missed events.
/// Resuming with the last `seq` seen gives exactly the missed events: no gap, no duplicate.
struct FeedController: Sendable {
    let lives: LiveService
    let hub: FeedHub

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.get(APIPath.liveFeed, use: feed)
    }

    /// A stream is closed after this long; the client reconnects with its last seq.
    var maxStream: Duration = .seconds(1800)

    struct FeedPage: ResponseCodable { let items: [FeedEvent]; let next: Int64 }

    /// The feed a request asks for, once its live exists and the caller may watch it.
    struct Target: Sendable { let live: LiveRecord; let after: Int64 }

    static func target(_ request: Request, liveID: UUID, account: AccountRecord?, lives: LiveService) async throws -> Target {
        var reader = QueryReader(request)
        // EventSource reconnects with Last-Event-ID: the same as `after`.
        let lastEventID = request.headers[.lastEventID].flatMap { Int($0) }.map { max(0, min($0, Int(Int32.max))) } ?? 0
        let after = Int64(reader.int("after", default: lastEventID, range: 0...Int(Int32.max)))
        let key = reader.string("key", max: 200)
        try reader.finish()
        guard let live = try await lives.find(liveID) else { throw Problem.notFound("live \(liveID)") }
        try await lives.requireWatch(live, account: account, key: key)
        return Target(live: live, after: after)
    }

    @Sendable func feed(_ request: Request, context: AppRequestContext) async throws -> Response {
        let target = try await Self.target(request, liveID: try context.parameters.requireUUID("liveId"), account: context.identity?.account, lives: lives)
        let feed = target.live.feedId
        if request.headers[.accept]?.contains("text/event-stream") != true {
            let items = try await FeedLog.read(feed: feed, after: target.after, limit: 500, on: hub.db.reader)
            return try context.responseEncoder.encode(FeedPage(items: items, next: items.last?.seq ?? target.after), from: request, context: context)
        }
        let session = try await FeedSession(hub: hub, feed: feed, after: target.after, heartbeat: .seconds(15), maxDuration: maxStream)
        // A comment line first, so that proxies and clients see the stream open.
        let body = ResponseBody(asyncSequence: FeedEventStream(session: session, opening: ByteBuffer(string: ": feed of live \(target.live.id.lowercasedString)\n\n")))
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }
}

extension FeedEvent: ResponseCodable {}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
}
