import Foundation
import NIOCore

/// One event encoded once, in both wire forms, and written as the same bytes to every viewer.
/// A class, so that queueing it for thousands of viewers copies one reference, not three buffers.
final class FeedFrame: Sendable {
    /// nil for messages that are not in the log (viewer counts, resync).
    let seq: Int64?
    let kind: FeedKind
    /// The event as one JSON object: a WebSocket text message.
    let json: ByteBuffer
    /// The WebSocket text message as it goes on the wire (header and payload; a server's frames
    /// are not masked), so a burst costs each viewer one write per frame and no encoding.
    let wire: ByteBuffer
    /// The event as a Server-Sent Event (with `id:` when it has a seq, so EventSource resumes).
    let sse: ByteBuffer

    init(_ event: FeedEvent, encoder: JSONEncoder) throws {
        let json = try encoder.encode(event)
        seq = event.seq
        kind = FeedKind(rawValue: event.kind) ?? .donation
        self.json = ByteBuffer(bytes: json)
        wire = Self.webSocketText(self.json)
        sse = ByteBuffer(string: "id: \(event.seq)\nevent: \(event.kind)\ndata: \(String(decoding: json, as: UTF8.self))\n\n")
    }

    /// A message outside the log: `{"kind": ..., "data": {...}}`.
    init(ephemeral kind: FeedKind, data: [String: FeedValue], encoder: JSONEncoder) throws {
        struct Message: Encodable { let kind: FeedKind; let data: [String: FeedValue] }
        let json = try encoder.encode(Message(kind: kind, data: data))
        seq = nil
        self.kind = kind
        self.json = ByteBuffer(bytes: json)
        wire = Self.webSocketText(self.json)
        sse = ByteBuffer(string: "event: \(kind.rawValue)\ndata: \(String(decoding: json, as: UTF8.self))\n\n")
    }

    /// RFC 6455 §5.2: FIN and the text opcode, then the payload length in 7, 7+16 or 7+64 bits.
    static func webSocketText(_ payload: ByteBuffer) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(payload.readableBytes + 10)
        buffer.writeInteger(UInt8(0x81))
        switch payload.readableBytes {
        case ..<126: buffer.writeInteger(UInt8(payload.readableBytes))
        case ..<65536: buffer.writeInteger(UInt8(126)); buffer.writeInteger(UInt16(payload.readableBytes))
        default: buffer.writeInteger(UInt8(127)); buffer.writeInteger(UInt64(payload.readableBytes))
        }
        buffer.writeImmutableBuffer(payload)
        return buffer
    }

    /// Replaces a waiting frame of the same kind rather than queueing behind it: a viewer that
    /// reads slowly gets the latest total, not every total in between.
    var coalesces: Bool { kind == .total || kind == .viewers }
}

/// The frames of one read of the log, offered to every viewer together: their WebSocket bytes
/// are joined once, so a viewer that keeps up gets the whole burst in one write of shared bytes.
final class FeedBurst: Sendable {
    let frames: [FeedFrame]
    /// Every frame's `wire`, back to back: the same messages on the wire as one write each.
    let wire: ByteBuffer
    let lastSeq: Int64?
    /// The lowest seq (messages without one aside), and whether the seqs ascend.
    private let firstSeq: Int64?
    private let ascending: Bool

    /// The same frames one to a burst, made once here rather than for each viewer that needs
    /// them: empty when the burst is a single frame already.
    private let parts: [FeedBurst]

    init(_ frames: [FeedFrame]) {
        self.frames = frames
        if frames.count == 1 {
            wire = frames[0].wire
            parts = []
        } else {
            var joined = ByteBuffer()
            joined.reserveCapacity(frames.reduce(0) { $0 + $1.wire.readableBytes })
            for frame in frames { joined.writeImmutableBuffer(frame.wire) }
            wire = joined
            parts = frames.map { FeedBurst($0) }
        }
        let seqs = frames.compactMap(\.seq)
        ascending = zip(seqs, seqs.dropFirst()).allSatisfy { $0 < $1 }
        firstSeq = seqs.first
        lastSeq = seqs.last
    }

    /// True when a viewer whose last written seq is `last` has seen none of this burst.
    func isUnseen(after last: Int64) -> Bool {
        ascending && (firstSeq ?? .max) > last
    }

    private convenience init(_ frame: FeedFrame) {
        self.init([frame])
    }

    /// The frames one at a time, each its own burst (sharing its bytes): for a queue that
    /// coalesces frame by frame.
    var singles: [FeedBurst] { frames.count == 1 ? [self] : parts }
}
