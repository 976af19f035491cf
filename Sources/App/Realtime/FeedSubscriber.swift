import NIOConcurrencyHelpers
import NIOCore

/// One viewer's connection as its live's broadcaster sees it: a bounded queue of frames waiting
/// to be written. Totals and viewer counts coalesce; past `limit` waiting frames the queue is
/// dropped and the viewer is told to resync (it reconnects with its last seq and reads what it
/// missed from the log), so a viewer that stops reading costs at most `limit` frames of memory
/// and never slows the others.
final class FeedSubscriber: Sendable {
    enum Next: Sendable {
        case frames([FeedFrame])
        case resync
        case closed
    }

    private struct State {
        var queue: [FeedBurst] = []
        /// Frames in `queue`.
        var waiting = 0
        var waiter: CheckedContinuation<Next, Never>?
        var overflowed = false
        var closed = false
        var overflowWaiters: [CheckedContinuation<Void, Never>] = []
        /// Push mode: run on `loop` whenever frames arrive or the viewer overflows.
        var push: Push?
    }

    /// How a viewer in push mode takes its frames: `drain` runs on the event loop of its
    /// connection. The broadcaster batches the drains of one burst per event loop, so a burst
    /// to thousands of viewers costs each loop one task, not one per viewer.
    struct Push: Sendable {
        let loop: any EventLoop
        let drain: @Sendable () -> Void
    }

    /// What an offer did: whether the viewer stays subscribed, and the drain to run if it is
    /// in push mode.
    struct Offered {
        let open: Bool
        let push: Push?
    }

    let limit: Int
    /// Frames waiting before totals and viewer counts start to coalesce.
    static let coalesceAfter = 16
    private let state = NIOLockedValueBox(State())

    init(limit: Int) {
        self.limit = limit
    }

    /// Queues frames; `open` is false once this viewer has overflowed or closed (the
    /// broadcaster drops it). A viewer in push mode is not woken here: the caller runs the
    /// returned drain on its loop.
    @discardableResult
    func offer(_ burst: FeedBurst) -> Offered {
        let (resume, overflowNow, offered) = state.withLockedValue { state in
            let (resume, overflowNow) = Self.queue(burst, into: &state, limit: limit)
            return (resume, overflowNow, Offered(open: !state.overflowed && !state.closed, push: state.push))
        }
        if let (waiter, next) = resume { waiter.resume(returning: next) }
        for waiter in overflowNow { waiter.resume() }
        return offered
    }

    /// Under the lock: queues a burst (coalescing, overflowing) and says whom to wake.
    private static func queue(
        _ burst: FeedBurst, into state: inout State, limit: Int
    ) -> ((CheckedContinuation<Next, Never>, Next)?, [CheckedContinuation<Void, Never>]) {
        guard !state.overflowed, !state.closed else { return (nil, []) }
        if state.waiting < Self.coalesceAfter {
            // A viewer that keeps up gets every event, each burst whole.
            state.queue.append(burst)
            state.waiting += burst.frames.count
        } else {
            // A viewer that has fallen behind skips superseded totals: its queue goes frame by
            // frame from here.
            if state.queue.contains(where: { $0.frames.count > 1 }) { state.queue = state.queue.flatMap(\.singles) }
            for single in burst.singles {
                let frame = single.frames[0]
                if frame.coalesces, state.waiting >= Self.coalesceAfter,
                   let index = state.queue.firstIndex(where: { $0.frames[0].kind == frame.kind }) {
                    state.queue.remove(at: index)
                    state.waiting -= 1
                }
                state.queue.append(single)
                state.waiting += 1
            }
        }
        if state.waiting > limit {
            state.overflowed = true
            state.queue = []
            state.waiting = 0
            let waiters = state.overflowWaiters
            state.overflowWaiters = []
            if let waiter = state.waiter {
                state.waiter = nil
                return ((waiter, .resync), waiters)
            }
            return (nil, waiters)
        }
        if let waiter = state.waiter, !state.queue.isEmpty {
            state.waiter = nil
            return ((waiter, .frames(Self.takeFrames(&state))), [])
        }
        return (nil, [])
    }

    private static func takeFrames(_ state: inout State) -> [FeedFrame] {
        defer { state.queue = []; state.waiting = 0 }
        return state.queue.count == 1 ? state.queue[0].frames : state.queue.flatMap(\.frames)
    }

    /// The waiting frames, or what happened instead; suspends while there are none.
    func next() async -> Next {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: Next? = state.withLockedValue { state in
                    if !state.queue.isEmpty { return .frames(Self.takeFrames(&state)) }
                    if state.overflowed { return .resync }
                    if state.closed || Task.isCancelled { return .closed }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            close()
        }
    }

    /// Returns once this viewer has overflowed, or once it is closed and never will.
    func overflowed() async {
        await withCheckedContinuation { continuation in
            let now = state.withLockedValue { state in
                // Closed already (its connection ended before this waiter got to run): a waiter
                // added now would never be resumed, and would hold its connection's handler, and
                // the server's shutdown, for good.
                if state.overflowed || state.closed { return true }
                state.overflowWaiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Push mode: `push.drain` runs on its loop whenever frames arrive (and once now, for any
    /// already waiting); it takes them with `takeAll`.
    func attach(_ push: Push) {
        state.withLockedValue { $0.push = push }
        push.loop.execute(push.drain)
    }

    /// What a viewer in push mode writes next.
    enum Taken {
        case bursts([FeedBurst])
        case overflowed
    }

    /// The bursts waiting (perhaps none), without waiting for any; or that the viewer overflowed.
    func take() -> Taken {
        state.withLockedValue { state in
            if state.overflowed { return .overflowed }
            defer { state.queue = []; state.waiting = 0 }
            return .bursts(state.queue)
        }
    }

    /// Wakes a waiting reader with no frames: its cue to send a heartbeat.
    func tick() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Next, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: .frames([]))
    }

    var isOverflowed: Bool { state.withLockedValue { $0.overflowed } }

    func close() {
        let (waiter, overflowWaiters) = state.withLockedValue { state in
            state.closed = true
            state.push = nil
            let waiter = state.waiter
            state.waiter = nil
            let others = state.overflowWaiters
            state.overflowWaiters = []
            return (waiter, others)
        }
        waiter?.resume(returning: .closed)
        // Whoever waits for an overflow that can no longer happen may stop waiting too.
        for waiter in overflowWaiters { waiter.resume() }
    }
}
