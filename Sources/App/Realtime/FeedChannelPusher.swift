import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// Push mode for a WebSocket viewer: when the broadcaster offers frames, they are written to
/// the viewer's connection on its own event loop (every frame waiting, one flush), with no task
/// per viewer in between. The connection's writability is the backpressure: while the socket
/// takes no more, frames wait in the viewer's bounded queue, which overflows into a `resync`
/// and a close instead of growing the server's memory.
final class FeedChannelPusher: Sendable {
    let channel: any Channel
    let subscriber: FeedSubscriber
    private struct State { var last: Int64; var scheduled = false; var finished = false }
    private let state: NIOLockedValueBox<State>
    /// Resumed when this viewer's stream is over (overflow or close).
    private let done = NIOLockedValueBox<CheckedContinuation<Void, Never>?>(nil)
    private let ended = NIOLockedValueBox(false)

    init(channel: any Channel, subscriber: FeedSubscriber, after last: Int64) {
        self.channel = channel
        self.subscriber = subscriber
        state = NIOLockedValueBox(State(last: last))
    }

    /// Starts pushing; returns once the viewer overflowed (after its resync message) or `stop` is called.
    func run() async throws {
        try await channel.pipeline.addHandler(WritabilityWatcher(pusher: self), position: .first).get()
        await withCheckedContinuation { continuation in
            let already = ended.withLockedValue { ended in
                if !ended { done.withLockedValue { $0 = continuation } }
                return ended
            }
            if already { continuation.resume() }
            subscriber.attach { [weak self] in self?.schedule() }
        }
    }

    func stop() {
        let waiter: CheckedContinuation<Void, Never>? = ended.withLockedValue { ended in
            ended = true
            return done.withLockedValue { waiter in
                defer { waiter = nil }
                return waiter
            }
        }
        waiter?.resume()
    }

    /// One drain per burst of offers: later offers find it already scheduled.
    func schedule() {
        let go = state.withLockedValue { state -> Bool in
            guard !state.scheduled, !state.finished else { return false }
            state.scheduled = true
            return true
        }
        if go { channel.eventLoop.execute { self.drain() } }
    }

    /// On the event loop: writes what is waiting while the socket takes it.
    func drain() {
        state.withLockedValue { $0.scheduled = false }
        guard channel.isActive else { return stop() }
        if subscriber.isOverflowed {
            let last = state.withLockedValue { state -> Int64? in
                guard !state.finished else { return nil }
                state.finished = true
                return state.last
            }
            guard let last, let resync = try? FeedFrame(ephemeral: .resync, data: ["after": .number(last)], encoder: APIJSON.encoder()) else { return }
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: resync.json)).whenComplete { _ in self.stop() }
            return
        }
        guard channel.isWritable else { return } // WritabilityWatcher drains again once it is.
        let frames = subscriber.takeAll()
        guard !frames.isEmpty else { return }
        // Chosen under the lock, written outside it: a write can fire a writability change,
        // which drains again.
        let fresh = state.withLockedValue { state in
            frames.filter { frame in
                guard let seq = frame.seq else { return true }
                guard seq > state.last else { return false }
                state.last = seq
                return true
            }
        }
        guard !fresh.isEmpty else { return }
        for frame in fresh { channel.write(WebSocketFrame(fin: true, opcode: .text, data: frame.json), promise: nil) }
        channel.flush()
    }

    /// Tells the pusher when the socket takes bytes again.
    final class WritabilityWatcher: ChannelInboundHandler, RemovableChannelHandler, Sendable {
        typealias InboundIn = NIOAny
        let pusher: FeedChannelPusher
        init(pusher: FeedChannelPusher) { self.pusher = pusher }

        func channelWritabilityChanged(context: ChannelHandlerContext) {
            if context.channel.isWritable { pusher.drain() }
            context.fireChannelWritabilityChanged()
        }

        func channelInactive(context: ChannelHandlerContext) {
            pusher.stop()
            context.fireChannelInactive()
        }
    }
}
