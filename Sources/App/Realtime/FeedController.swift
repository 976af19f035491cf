import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// `GET /api/v1/lives/{id}/feed?after=SEQ` with `Accept: text/event-stream`: the live's
/// fundraiser events in order, first those after `after`, then new ones as they are committed
/// (this node tails the event log). Resuming with the last `seq` seen gives exactly the missed
/// events: no gap, no duplicate. Without `Accept: text/event-stream` it answers the missed
/// events as one JSON page.
struct FeedController: Sendable {
    let lives: LiveService
    let db: AppDatabase
    /// How often a connection looks for new events.
    var pollInterval: Duration = .milliseconds(200)

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.get(APIPath.liveFeed, use: feed)
    }

    /// A stream is closed after this long; the client reconnects with its last seq.
    var maxStream: Duration = .seconds(1800)

    struct FeedPage: ResponseCodable { let items: [FeedEvent]; let next: Int64 }

    @Sendable func feed(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("liveId")
        var reader = QueryReader(request)
        // EventSource reconnects with Last-Event-ID: the same as `after`.
        let lastEventID = request.headers[.lastEventID].flatMap { Int($0) }.map { max(0, min($0, Int(Int32.max))) } ?? 0
        let after = Int64(reader.int("after", default: lastEventID, range: 0...Int(Int32.max)))
        try reader.finish()
        guard let live = try await lives.find(id) else { throw Problem.notFound("live \(id)") }
        guard let fundraiser = live.fundraiserId else { throw Problem.conflict("this live has no fundraiser, so it has no donor feed") }
        let db = self.db
        if request.headers[.accept]?.contains("text/event-stream") != true {
            let items = try await FeedLog.read(fundraiser: fundraiser, after: after, limit: 500, on: db.reader)
            return try context.responseEncoder.encode(FeedPage(items: items, next: items.last?.seq ?? after), from: request, context: context)
        }
        let interval = pollInterval
        let deadline = ContinuousClock.now + maxStream
        let body = ResponseBody { writer in
            let encoder = APIJSON.encoder()
            var last = after
            // Shutting down ends every stream (clients resume with their last seq); a client
            // that went away is noticed by the heartbeat's failed write.
            let stopping = NIOLockedValueBox(false)
            try await withGracefulShutdownHandler {
                // A comment line first, so that proxies and clients see the stream open.
                try await writer.write(ByteBuffer(string: ": feed of live \(id.uuidString.lowercased())\n\n"))
                var quiet = Duration.zero
                while !Task.isCancelled && !stopping.withLockedValue({ $0 }) && ContinuousClock.now < deadline {
                    let events = try await FeedLog.read(fundraiser: fundraiser, after: last, limit: 500, on: db.reader)
                    for event in events {
                        let json = String(decoding: try encoder.encode(event), as: UTF8.self)
                        try await writer.write(ByteBuffer(string: "id: \(event.seq)\nevent: \(event.kind)\ndata: \(json)\n\n"))
                        last = event.seq
                    }
                    if events.isEmpty {
                        try await Task.sleep(for: interval)
                        quiet += interval
                        if quiet >= .seconds(10) {
                            try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                            quiet = .zero
                        }
                    } else {
                        quiet = .zero
                    }
                }
            } onGracefulShutdown: {
                stopping.withLockedValue { $0 = true }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
}
