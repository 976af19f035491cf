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

    /// Stripe's event envelope around `object`, keys unsorted as Stripe sends them. Written
    /// directly (see `JSONText`): a payment's event is made for every charge.
    /// `id`: an event sent again keeps its first id (see `SandboxBank.resendDisputes`).
    func emit(type: String, object: some SandboxWire, delay: TimeInterval = 0, id: String = SandboxEvents.newID()) {
        var json = JSONText(capacity: 1_024)
        json.object { json in
            json.field("id", id)
            json.field("object", "event")
            json.field("type", type)
            json.field("created", Int(Date().timeIntervalSince1970))
            json.object("data") { json in
                json.object("object") { object.write(&$0) }
            }
            json.field("livemode", false)
        }
        continuation.yield(Event(id: id, type: type, payload: json.data, delay: delay))
    }

    static func newID() -> String { "evt_" + Secrets.randomHex(byteCount: 12) }

    func finish() { continuation.finish() }
}

/// An object the sandbox sends in its events, written with the keys its `Encodable` form uses.
protocol SandboxWire: Sendable {
    /// The fields, into an open object.
    func write(_ json: inout JSONText)
}
