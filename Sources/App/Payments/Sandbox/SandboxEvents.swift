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
        let id = "evt_" + Secrets.token().prefix(24).filter { $0.isLetter || $0.isNumber }
        let envelope: [String: Any] = [
            "id": id, "object": "event", "type": type, "created": Int(Date().timeIntervalSince1970),
            "data": ["object": object], "livemode": false,
        ]
        guard let payload = try? JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys]) else { return }
        continuation.yield(Event(id: id, type: type, payload: payload, delay: delay))
    }

    func finish() { continuation.finish() }
}
