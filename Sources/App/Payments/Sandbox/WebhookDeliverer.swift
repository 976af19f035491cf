import AsyncHTTPClient
import Foundation
import GoodcastCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// Delivers the sandbox's webhook events the way real processors do: at least once, with
/// retries on failure, sometimes twice, sometimes late and out of order, each signed like
/// Stripe's (`Stripe-Signature`).
public struct WebhookDeliverer: Service {
    public struct Behaviour: Sendable {
        /// Chance that an event is delivered a second time.
        var duplicateRate = 0.2
        /// Extra random delay per event, which reorders events close in time.
        var maxJitter: TimeInterval = 0.3
        var maxAttempts = 12
        static let standard = Behaviour()
    }

    /// Where events go.
    enum Destination: Sendable {
        /// A POST to the receiving server's webhook URL, as Stripe sends them.
        case http(WebhookTarget)
        /// The receiving handler, called in this process (the sandbox inside `goodcast serve`):
        /// the same signed payload and the same checks, without a loopback HTTP request per event.
        /// `hasNothingToDo` answers at once for an event the handler would accept doing nothing.
        case handler(_ handle: @Sendable (_ payload: Data, _ signature: String) async throws -> Void,
                     hasNothingToDo: @Sendable (_ payload: Data, _ signature: String) -> Bool)
    }

    let events: SandboxEvents
    let destination: Destination
    let secret: String
    let behaviour: Behaviour
    let logger: Logger

    public func run() async throws {
        // Shutting down drops what is still queued: the sandbox delivers at least once only
        // while it runs, like a processor whose retries the process outlives.
        await cancelWhenGracefulShutdown { await deliverAll() }
    }

    private func deliverAll() async {
        let due = DueEvents()
        await withDiscardingTaskGroup { group in
            var random = PooledRandom()
            for await event in events.stream {
                let copies = Double.random(in: 0..<1, using: &random) < behaviour.duplicateRate ? 2 : 1
                let now = ContinuousClock.now
                let start = due.add((0..<copies).map { copy in
                    let delay = event.delay + Double.random(in: 0...behaviour.maxJitter, using: &random) + Double(copy) * 0.5
                    return (now + .seconds(delay), event)
                })
                if start { group.addTask { await deliverWhenDue(due) } }
            }
        }
    }

    /// Delivers each event once it is due, a tick at a time, until none waits. A sleep per
    /// event was a dispatch timer per event: at thousands of donations a second, a visible
    /// share of the process's CPU spent on the sandbox's imitation of network delay.
    private func deliverWhenDue(_ due: DueEvents) async {
        await withDiscardingTaskGroup { group in
            while true {
                try? await Task.sleep(for: DueEvents.tick)
                if Task.isCancelled {
                    // Shutting down: what still waits is dropped (see `run`).
                    due.abandon()
                    return
                }
                let (ready, more) = due.takeDue(at: .now)
                for event in ready where !deliveredAtOnce(event) { group.addTask { await deliver(event) } }
                if !more { return }
            }
        }
    }

    /// Most events are a payment's success that the server has recorded already. Delivered in
    /// process, such an event is taken here, on the ticker: a task for each (and one for its
    /// deadline) was a visible share of every donation's CPU. Any other goes to `deliver`.
    private func deliveredAtOnce(_ event: SandboxEvents.Event) -> Bool {
        guard case .handler(_, let hasNothingToDo) = destination else { return false }
        let signature = WebhookSignature.header(payload: event.payload, secret: secret, timestamp: Int(Date().timeIntervalSince1970))
        return hasNothingToDo(event.payload, signature)
    }

    private func deliver(_ event: SandboxEvents.Event) async {
        var backoff = 0.1
        for attempt in 1...behaviour.maxAttempts {
            let signature = WebhookSignature.header(payload: event.payload, secret: secret, timestamp: Int(Date().timeIntervalSince1970))
            switch await send(event, signature: signature) {
            case .accepted: return
            case .gaveUp: return
            case .refused(let why):
                logger.debug("webhook refused", metadata: ["event": "\(event.id)", "why": "\(why)", "attempt": "\(attempt)"])
            }
            if Task.isCancelled { return }
            try? await Task.sleep(for: .seconds(backoff))
            backoff = min(backoff * 2, 5)
        }
        logger.warning("webhook given up", metadata: ["event": "\(event.id)", "type": "\(event.type)"])
    }

    private enum Attempt {
        case accepted
        case refused(String)
        /// No destination any more (shutting down).
        case gaveUp
    }

    private func send(_ event: SandboxEvents.Event, signature: String) async -> Attempt {
        switch destination {
        case .handler(let handle, _):
            do {
                // As an HTTP delivery times out and is retried, so does a call that hangs (a
                // database connection that died without telling).
                try await Deadline.run(after: .seconds(10)) { try await handle(event.payload, signature) }
                return .accepted
            } catch {
                return .refused("\(error)")
            }
        case .http(let target):
            guard let url = await target.url() else { return .gaveUp }
            do {
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "Stripe-Signature", value: signature)
                request.body = .bytes(ByteBuffer(bytes: event.payload))
                let response = try await HTTPClient.payments.execute(request, timeout: .seconds(10))
                _ = try? await response.body.collect(upTo: 1 << 16)
                return (200..<300).contains(response.status.code) ? .accepted : .refused("status \(response.status.code)")
            } catch {
                return .refused("\(error)")
            }
        }
    }
}

/// Where webhooks go; known only once the receiving server listens (its port may be 0 until then).
actor WebhookTarget {
    private var value: String?

    init(_ url: String? = nil) { value = url }

    func set(_ url: String) {
        value = url
    }

    /// The URL once known; nil if the task is cancelled first.
    func url() async -> String? {
        while value == nil {
            try? await Task.sleep(for: .milliseconds(100))
            if Task.isCancelled { return nil }
        }
        return value
    }
}

/// Events waiting for their delivery time, earliest first; `add` says when a new ticker must
/// start. Kept in order so that a tick takes the due ones off the front: a scan of the whole
/// list every tick was a visible share of the sandbox's CPU at thousands of gifts a second.
final class DueEvents: Sendable {
    static let tick: Duration = .milliseconds(20)
    private let state = Mutex<(waiting: [(at: ContinuousClock.Instant, event: SandboxEvents.Event)], ticking: Bool)>(([], false))

    /// True when no ticker runs: the caller starts one.
    func add(_ events: [(at: ContinuousClock.Instant, event: SandboxEvents.Event)]) -> Bool {
        state.withLock { state in
            for event in events {
                // After those due at the same moment: events of one time keep their order.
                state.waiting.insert(event, at: state.waiting.partitioningIndex { $0.at > event.at })
            }
            defer { state.ticking = true }
            return !state.ticking
        }
    }

    /// Drops what waits; the next `add` starts a ticker again.
    func abandon() {
        state.withLock { state in
            state.waiting = []
            state.ticking = false
        }
    }

    /// The events due by `now`, and whether others wait (if not, the ticker stops).
    func takeDue(at now: ContinuousClock.Instant) -> (ready: [SandboxEvents.Event], more: Bool) {
        state.withLock { state in
            let due = state.waiting.partitioningIndex { $0.at > now }
            let ready = state.waiting[..<due].map(\.event)
            state.waiting.removeFirst(due)
            state.ticking = !state.waiting.isEmpty
            return (ready, state.ticking)
        }
    }
}
