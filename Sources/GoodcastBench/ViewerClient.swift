import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// The measurement window, read by every viewer on every frame without a lock.
final class MeasurementWindow: Sendable {
    let start = Atomic<UInt64>(.max)
    let end = Atomic<UInt64>(.max)
}

/// A WebSocket viewer as a channel handler: frames are counted and timed on the event loop as
/// they are decoded, with no task per frame, so that the load generator costs as little as it
/// can and the two systems measured share the machine the same way.
final class ViewerHandler: ChannelInboundHandler, @unchecked Sendable {
    // Touched only on its channel's event loop, except `stats`, which has its own lock.
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let stats: FeedRun.ViewerStats
    let window: MeasurementWindow
    static let needle = Array(#""message":"t"#.utf8)

    init(stats: FeedRun.ViewerStats, window: MeasurementWindow) {
        self.stats = stats
        self.window = window
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            let now = monotonicNanos()
            let start = window.start.load(ordering: .relaxed)
            guard now >= start else { return }
            let end = window.end.load(ordering: .relaxed)
            let sent = frame.data.withUnsafeReadableBytes { FeedRun.sentTime(in: $0, needle: Self.needle) }
            stats.counts.withLockedValue { counts in
                if now < end { counts.messages += 1 }
                if let sent, sent >= start, sent < end {
                    counts.gifts += 1
                    counts.latencies.append(UInt32(min(UInt64(UInt32.max), (now - sent) / 1000)))
                }
            }
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            context.close(promise: nil)
        default:
            break
        }
    }
}

enum ViewerClient {
    enum Upgrade: Sendable { case upgraded(any Channel), refused }

    /// Opens one viewer on `ws://host:port/path`; returns its channel once upgraded.
    static func connect(host: String, port: Int, path: String, handler: ViewerHandler) async throws -> any Channel {
        let upgrade: EventLoopFuture<Upgrade> = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: 1 << 16, upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(handler)
                            return Upgrade.upgraded(channel)
                        }
                    })
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: "\(host):\(port)")
                    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration(
                        upgradeRequestHead: head, upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in channel.eventLoop.makeCompletedFuture { Upgrade.refused } }
                    )
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: .init(upgradeConfiguration: configuration))
                }
            }
        guard case .upgraded(let channel) = try await upgrade.get() else { throw ViewerError.refused }
        return channel
    }

    struct ViewerError: Error { static let refused = ViewerError() }
}
