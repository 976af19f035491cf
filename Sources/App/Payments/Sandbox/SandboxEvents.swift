import Foundation

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

    func emit(type: String, object: [String: any Sendable], delay: TimeInterval = 0) {
        let id = "evt_" + Secrets.hex((0..<12).map { _ in UInt8.random(in: .min ... .max) })
        let envelope: [String: Any] = [
            "id": id, "object": "event", "type": type, "created": Int(Date().timeIntervalSince1970),
            "data": ["object": object], "livemode": false,
        ]
        // Unsorted keys, as Stripe sends them: sorting cost more than the rest of the encoding.
        guard let payload = try? JSONSerialization.data(withJSONObject: envelope) else { return }
        continuation.yield(Event(id: id, type: type, payload: payload, delay: delay))
    }

    func finish() { continuation.finish() }
}
