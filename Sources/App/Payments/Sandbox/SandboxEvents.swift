import Foundation
import GoodcastCore

/// The sandbox's outgoing webhook events, as Stripe shapes them. `SandboxBank` emits;
/// `WebhookDeliverer` sends.
final class SandboxEvents: Sendable {
    struct Event: Sendable {
        let id: String
        let type: String
        let payload: Data
        let delay: TimeInterval
    }

    let stream: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
    }

    /// Stripe's event envelope.
    private struct Envelope<Object: Encodable>: Encodable {
        struct Payload: Encodable { let object: Object }
        let id: String
        var object = "event"
        let type: String
        let created: Int
        let data: Payload
        var livemode = false
    }

    func emit(type: String, object: some Encodable & Sendable, delay: TimeInterval = 0) {
        let id = "evt_" + Secrets.randomHex(byteCount: 12)
        let envelope = Envelope(id: id, type: type, created: Int(Date().timeIntervalSince1970), data: .init(object: object))
        // Keys unsorted, as Stripe sends them.
        guard let payload = try? JSONEncoder().encode(envelope) else { return }
        continuation.yield(Event(id: id, type: type, payload: payload, delay: delay))
    }

    /// A payment intent's event (one per charge), written directly: the same JSON as `emit`'s
    /// without `JSONEncoder`'s cost (see `JSONText`).
    func emit(type: String, intent: SandboxBank.IntentWire) {
        let id = "evt_" + Secrets.randomHex(byteCount: 12)
        var json = JSONText(capacity: 1_024)
        json.object { json in
            json.field("id", id)
            json.field("object", "event")
            json.field("type", type)
            json.field("created", Int(Date().timeIntervalSince1970))
            json.object("data") { json in
                json.object("object") { intent.write(&$0) }
            }
            json.field("livemode", false)
        }
        continuation.yield(Event(id: id, type: type, payload: json.data, delay: 0))
    }

    func finish() { continuation.finish() }
}
