import Foundation
import NIOCore

/// One event encoded once, in both wire forms, and written as the same bytes to every viewer.
struct FeedFrame: Sendable {
    /// nil for messages that are not in the log (viewer counts, resync).
    let seq: Int64?
    let kind: FeedKind
    /// The event as one JSON object: a WebSocket text message.
    let json: ByteBuffer
    /// The event as a Server-Sent Event (with `id:` when it has a seq, so EventSource resumes).
    let sse: ByteBuffer

    init(_ event: FeedEvent, encoder: JSONEncoder) throws {
        let json = try encoder.encode(event)
        seq = event.seq
        kind = FeedKind(rawValue: event.kind) ?? .donation
        self.json = ByteBuffer(bytes: json)
        sse = ByteBuffer(string: "id: \(event.seq)\nevent: \(event.kind)\ndata: \(String(decoding: json, as: UTF8.self))\n\n")
    }

    /// A message outside the log: `{"kind": ..., "data": {...}}`.
    init(ephemeral kind: FeedKind, data: [String: FeedValue], encoder: JSONEncoder) throws {
        struct Message: Encodable { let kind: FeedKind; let data: [String: FeedValue] }
        let json = try encoder.encode(Message(kind: kind, data: data))
        seq = nil
        self.kind = kind
        self.json = ByteBuffer(bytes: json)
        sse = ByteBuffer(string: "event: \(kind.rawValue)\ndata: \(String(decoding: json, as: UTF8.self))\n\n")
    }

    /// Replaces a waiting frame of the same kind rather than queueing behind it: a viewer that
    /// reads slowly gets the latest total, not every total in between.
    var coalesces: Bool { kind == .total || kind == .viewers }
}
