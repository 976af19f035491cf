import Foundation
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// One viewer's stream, the same for WebSocket and Server-Sent Events: the events it missed
/// (after `after`) read from the log, then the broadcaster's frames, in `seq` order with no gap
/// and no duplicate. A viewer too slow to keep up gets a `resync` message and the end of the
/// stream. Read by one task at a time; leaving (or dropping the session) unsubscribes.
final class FeedSession: Sendable {
    enum Output: Sendable {
        case frame(FeedFrame)
        /// Nothing happened for a while: write something so a dead connection is noticed.
        case heartbeat
    }

    private struct State {
        var last: Int64
        var pending: [FeedFrame] = []
        var backlogDone = false
        var finished = false
    }

    let subscription: FeedHub.Subscription
    private let hub: FeedHub
    private let state: NIOLockedValueBox<State>
    private let ticker: Task<Void, Never>?

    /// Subscribes; with `heartbeat`, `next` answers `.heartbeat` after that long without events,
    /// and after `maxDuration` the stream ends (the client resumes with its last seq).
    init(hub: FeedHub, feed: UUID, after: Int64, heartbeat: Duration? = nil, maxDuration: Duration? = nil) async throws {
        self.hub = hub
        let subscription = try await hub.subscribe(feed: feed)
        self.subscription = subscription
        state = NIOLockedValueBox(State(last: after))
        if let heartbeat {
            let subscriber = subscription.subscriber
            ticker = Task {
                let end = maxDuration.map { ContinuousClock.now + $0 }
                while !Task.isCancelled {
                    try? await Task.sleep(for: heartbeat)
                    if let end, ContinuousClock.now >= end {
                        subscriber.close()
                        return
                    }
                    subscriber.tick()
                }
            }
        } else {
            ticker = nil
        }
    }

    deinit {
        close()
    }

    private let closed = NIOLockedValueBox(false)

    func close() {
        guard closed.withLockedValue({ was in defer { was = true }; return !was }) else { return }
        ticker?.cancel()
        hub.unsubscribe(subscription)
    }

    /// The next frame waiting, skipping any already written (by seq).
    private static func popPending(_ state: inout State) -> FeedFrame? {
        while !state.pending.isEmpty {
            let frame = state.pending.removeFirst()
            if let seq = frame.seq {
                guard seq > state.last else { continue }
                state.last = seq
            }
            return frame
        }
        return nil
    }

    /// The backlog (events after `after`, up to where the broadcaster took over), a page at a
    /// time from the log; nil once it has all been read. For viewers in push mode.
    func backlogPage() async throws -> [FeedFrame]? {
        let (last, done) = state.withLockedValue { ($0.last, $0.backlogDone) }
        let joined = subscription.joinedAfter
        guard !done, last < joined else {
            state.withLockedValue { $0.backlogDone = true }
            return nil
        }
        let events = try await FeedLog.read(feed: subscription.broadcaster.feed, after: last, limit: 500, on: hub.db.reader)
        let encoder = APIJSON.encoder()
        let frames = try events.filter { $0.seq <= joined }.map { try FeedFrame($0, encoder: encoder) }
        state.withLockedValue { state in
            state.last = frames.last?.seq ?? state.last
            if events.count < 500 || (events.last?.seq ?? joined) >= joined { state.backlogDone = true }
        }
        return frames
    }

    /// The last seq handed out.
    var lastSeq: Int64 { state.withLockedValue { $0.last } }

    /// The next thing to write, or nil when the stream has ended.
    func next() async throws -> Output? {
        let encoder = APIJSON.encoder()
        while true {
            let step: Output?? = state.withLockedValue { state in
                if let frame = Self.popPending(&state) { return .some(.frame(frame)) }
                return state.finished ? .some(nil) : nil
            }
            if let step { return step }
            let (last, backlogDone) = state.withLockedValue { ($0.last, $0.backlogDone) }
            if !backlogDone {
                // The backlog, from the log, up to where the broadcaster took over.
                let joined = subscription.joinedAfter
                var frames: [FeedFrame] = []
                var done = last >= joined
                if !done {
                    let events = try await FeedLog.read(feed: subscription.broadcaster.feed, after: last, limit: 500, on: hub.db.reader)
                    frames = try events.filter { $0.seq <= joined }.map { try FeedFrame($0, encoder: encoder) }
                    done = events.count < 500 || (events.last?.seq ?? joined) >= joined
                }
                state.withLockedValue { state in
                    state.pending = frames
                    state.backlogDone = done
                }
                continue
            }
            switch await subscription.subscriber.next() {
            case .frames(let frames):
                if frames.isEmpty { return .heartbeat }
                state.withLockedValue { $0.pending = frames }
            case .resync:
                state.withLockedValue { $0.finished = true }
                return .frame(try FeedFrame(ephemeral: .resync, data: ["after": .number(last)], encoder: encoder))
            case .closed:
                return nil
            }
        }
    }
}

/// A feed as Server-Sent Events, for `ResponseBody(asyncSequence:)`: pulled one message at a
/// time, so a client that reads slowly slows only its own stream.
struct FeedEventStream: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let session: FeedSession
    let opening: ByteBuffer

    struct AsyncIterator: AsyncIteratorProtocol {
        let session: FeedSession
        var opening: ByteBuffer?

        mutating func next() async throws -> ByteBuffer? {
            if let first = opening {
                opening = nil
                return first
            }
            let session = self.session
            let output = try await withGracefulShutdownHandler {
                try await session.next()
            } onGracefulShutdown: {
                session.subscription.subscriber.close()
            }
            switch output {
            case .frame(let frame): return frame.sse
            case .heartbeat: return ByteBuffer(string: ": heartbeat\n\n")
            case nil:
                session.close()
                return nil
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(session: session, opening: opening) }
}
