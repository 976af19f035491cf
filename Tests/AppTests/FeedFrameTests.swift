@testable import App
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

/// The feed writes its pre-encoded frames straight to the socket, so they must be exactly what
/// a WebSocket client decodes: checked with SwiftNIO's own frame decoder, at each length form.
@Suite("Feed frames on the wire")
struct FeedFrameTests {
    @Test("a pre-encoded text message decodes to the same payload", arguments: [0, 5, 125, 126, 300, 65535, 65536, 70000])
    func decodes(length: Int) throws {
        let payload = ByteBuffer(string: String(repeating: "é", count: length / 2) + String(repeating: "x", count: length % 2))
        let wire = FeedFrame.webSocketText(payload)
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)))
        try channel.writeInbound(wire)
        let frame = try #require(try channel.readInbound(as: WebSocketFrame.self))
        #expect(frame.fin)
        #expect(frame.opcode == .text)
        #expect(frame.maskKey == nil)
        #expect(frame.data == payload)
        #expect(try channel.readInbound(as: WebSocketFrame.self) == nil)
        _ = try channel.finish()
    }
}
