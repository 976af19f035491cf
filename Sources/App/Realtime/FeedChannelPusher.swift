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
    private struct State { var last: Int64; var finished = false }
    private let state: NIOLockedValueBox<State>
    /// Where frames are written: the context of a handler just below the WebSocket frame
    /// encoder, so the pre-encoded `FeedFrame.wire` bytes go to the socket as they are.
    private let below: NIOLoopBoundBox<ChannelHandlerContext?>
    /// Resumed when this viewer's stream is over (overflow or close).
    private let done = NIOLockedValueBox<CheckedContinuation<Void, Never>?>(nil)
    private let ended = NIOLockedValueBox(false)

    init(channel: any Channel, subscriber: FeedSubscriber, after last: Int64) {
        self.channel = channel
        self.subscriber = subscriber
        state = NIOLockedValueBox(State(last: last))
        below = .makeEmptyBox(valueType: ChannelHandlerContext.self, eventLoop: channel.eventLoop)
    }

    /// Starts pushing; returns once the viewer overflowed (after its resync message) or `stop` is called.
    func run() async throws {
        let channel = self.channel
        try await channel.eventLoop.submit {
            let encoder = try channel.pipeline.syncOperations.handler(type: WebSocketFrameEncoder.self)
            try channel.pipeline.syncOperations.addHandler(WritabilityWatcher(pusher: self), position: .before(encoder))
        }.get()
        await withCheckedContinuation { continuation in
            let already = ended.withLockedValue { ended in
                if !ended { done.withLockedValue { $0 = continuation } }
                return ended
            }
            if already { continuation.resume() }
            subscriber.attach(.init(loop: channel.eventLoop) { [weak self] in self?.drain() })
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

    /// On the event loop: writes what is waiting while the socket takes it.
    func drain() {
        guard channel.isActive, let context = below.value else { return stop() }
        guard channel.isWritable else {
            // WritabilityWatcher drains again once it is; an overflow meanwhile is noticed then.
            if subscriber.isOverflowed { return resync(context) }
            return
        }
        let bursts: [FeedBurst]
        switch subscriber.take() {
        case .overflowed: return resync(context)
        case .bursts(let taken): bursts = taken
        }
        guard !bursts.isEmpty else { return }
        // Chosen under the lock, written outside it: a write can fire a writability change,
        // which drains again.
        let writes = state.withLockedValue { state in
            var writes: [ByteBuffer] = []
            writes.reserveCapacity(bursts.count)
            for burst in bursts {
                if burst.isUnseen(after: state.last) {
                    // None of it written yet (the usual case): the burst's shared bytes at once.
                    writes.append(burst.wire)
                    if let last = burst.lastSeq { state.last = last }
                    continue
                }
                for frame in burst.frames {
                    if let seq = frame.seq {
                        guard seq > state.last else { continue }
                        state.last = seq
                    }
                    writes.append(frame.wire)
                }
            }
            return writes
        }
        guard !writes.isEmpty else { return }
        for bytes in writes { context.write(NIOAny(bytes), promise: nil) }
        context.flush()
    }

    /// Tells an overflowed viewer where to resume from the log, then ends its stream.
    private func resync(_ context: ChannelHandlerContext) {
        let last = state.withLockedValue { state -> Int64? in
            guard !state.finished else { return nil }
            state.finished = true
            return state.last
        }
        guard let last, let resync = try? FeedFrame(ephemeral: .resync, data: ["after": .number(last)], encoder: APIJSON.encoder()) else { return }
        context.writeAndFlush(NIOAny(resync.wire)).whenComplete { _ in self.stop() }
    }

    /// Tells the pusher when the socket takes bytes again.
    final class WritabilityWatcher: ChannelInboundHandler, RemovableChannelHandler, Sendable {
        typealias InboundIn = NIOAny
        let pusher: FeedChannelPusher
        init(pusher: FeedChannelPusher) { self.pusher = pusher }

        func handlerAdded(context: ChannelHandlerContext) {
            pusher.below.value = context
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            pusher.below.value = nil
        }

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
