import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Synchronization

/// The measurement window, read by every viewer on every read without a lock.
final class MeasurementWindow: Sendable {
    let start = Atomic<UInt64>(.max)
    let end = Atomic<UInt64>(.max)
}

/// A WebSocket viewer as one channel handler on the raw TCP bytes: it sends the upgrade
/// request, reads the 101 answer, then walks the frames in place as they arrive, counting and
/// timing them with no frame objects and one lock per read.
///
/// It was NIOWebSocket's client upgrader and frame decoder until 2026-11-26. Profiled at 2,000
/// viewers, decoding and a byte-by-byte search for the send time took 70% of the load
/// generator's CPU, which the two systems measured then lacked. Both systems get this same
/// client, so their ratio stays fair, and the machine they share is less loaded by the measurement.
final class ViewerHandler: ChannelInboundHandler, @unchecked Sendable {
    // Touched only on its channel's event loop, except `stats`, which has its own lock.
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let stats: FeedRun.ViewerStats
    let window: MeasurementWindow
    static let needle = Array(#""message":"t"#.utf8)

    private let request: String
    private var upgraded: EventLoopPromise<Void>?
    private var handshakeDone = false
    private var pending: ByteBuffer?

    init(stats: FeedRun.ViewerStats, window: MeasurementWindow, host: String, port: Int, path: String) {
        self.stats = stats
        self.window = window
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        request = "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
    }

    func handlerAdded(context: ChannelHandlerContext) {
        upgraded = context.eventLoop.makePromise()
    }

    var upgradedFuture: EventLoopFuture<Void> { upgraded!.futureResult }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        upgraded?.fail(ViewerClient.ViewerError.refused)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        upgraded?.fail(error)
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if pending == nil || pending!.readableBytes == 0 {
            pending = incoming
        } else {
            pending!.writeBuffer(&incoming)
        }
        if !handshakeDone {
            guard let headEnd = pending!.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
            let head = pending!.readString(length: headEnd.upperBound - pending!.readerIndex) ?? ""
            guard head.hasPrefix("HTTP/1.1 101") else {
                upgraded?.fail(ViewerClient.ViewerError.refused)
                context.close(promise: nil)
                return
            }
            handshakeDone = true
            upgraded?.succeed(())
        }
        readFrames(context: context)
    }

    /// RFC 6455 §5.2. Frames from a server are not masked; a frame still incomplete waits for the next read.
    private func readFrames(context: ChannelHandlerContext) {
        guard var buffer = pending else { return }
        pending = nil
        let now = monotonicNanos()
        let start = window.start.load(ordering: .relaxed), end = window.end.load(ordering: .relaxed)
        var messages = 0
        var latencies: [UInt32] = []
        while buffer.readableBytes >= 2 {
            let at = buffer.readerIndex
            let first = buffer.getInteger(at: at, as: UInt8.self)!, second = buffer.getInteger(at: at + 1, as: UInt8.self)!
            var header = 2, length = Int(second & 0x7F)
            if length == 126 {
                guard buffer.readableBytes >= 4 else { break }
                length = Int(buffer.getInteger(at: at + 2, as: UInt16.self)!)
                header = 4
            } else if length == 127 {
                guard buffer.readableBytes >= 10 else { break }
                length = Int(buffer.getInteger(at: at + 2, as: UInt64.self)!)
                header = 10
            }
            if second & 0x80 != 0 { header += 4 }
            guard buffer.readableBytes >= header + length else { break }
            let opcode = first & 0x0F
            switch opcode {
            case 0x1, 0x0: // text, or the continuation of one
                if now >= start {
                    if now < end { messages += 1 }
                    let sent = buffer.withUnsafeReadableBytes { bytes in
                        FeedRun.sentTime(in: UnsafeRawBufferPointer(rebasing: bytes[header..<(header + length)]), needle: Self.needle)
                    }
                    if let sent, sent >= start, sent < end {
                        latencies.append(UInt32(min(UInt64(UInt32.max), (now - sent) / 1000)))
                    }
                }
            case 0x9: // ping: answer with a pong, masked as a client's frames must be
                let payload = buffer.getSlice(at: at + header, length: length) ?? ByteBuffer()
                context.writeAndFlush(wrapOutboundOut(Self.pong(payload)), promise: nil)
            case 0x8:
                context.close(promise: nil)
                return
            default:
                break
            }
            buffer.moveReaderIndex(forwardBy: header + length)
        }
        if buffer.readableBytes > 0 { pending = buffer }
        if messages > 0 || !latencies.isEmpty {
            stats.counts.withLockedValue { counts in
                counts.messages += messages
                counts.gifts += latencies.count
                counts.latencies += latencies
            }
        }
    }

    private static func pong(_ payload: ByteBuffer) -> ByteBuffer {
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        var frame = ByteBuffer()
        frame.writeInteger(UInt8(0x8A))
        frame.writeInteger(UInt8(0x80 | UInt8(min(payload.readableBytes, 125))))
        frame.writeBytes(mask)
        for (index, byte) in payload.readableBytesView.prefix(125).enumerated() { frame.writeInteger(byte ^ mask[index % 4]) }
        return frame
    }
}

enum ViewerClient {
    /// Opens one viewer on `ws://host:port/path`; returns its channel once upgraded.
    static func connect(host: String, port: Int, path: String, handler: ViewerHandler) async throws -> any Channel {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }
            .connect(host: host, port: port).get()
        do {
            try await channel.eventLoop.flatSubmit { handler.upgradedFuture }.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return channel
    }

    struct ViewerError: Error { static let refused = ViewerError() }
}
