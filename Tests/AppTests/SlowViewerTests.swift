@testable import App
import Foundation
import HummingbirdTesting
import HummingbirdWSTesting
import NIOPosix
import Testing
import WSClient
#if canImport(Glibc)
import Glibc
#endif

/// A WebSocket viewer on a raw socket with a tiny receive buffer that stops reading after the
/// handshake, beside a viewer that reads everything.
@Suite("Slow viewers")
struct SlowViewerTests {
    @Test("a viewer that stops reading is told to resync and cut off; the others get every event", arguments: [DatabaseKind.sqlite])
    func slowViewer(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, .live, configure: { $0.feedMaxPending = 64 }) { app in
            let (_, host) = try await app.signUp("chef")
            let live = try await app.request(.post, "/api/v1/lives", json: #"{"title":"Slow viewers"}"#, token: host).json()["id"] as! String
            let feed = UUID(uuidString: live)!
            let port = app.client.port!
            let stalled = try await NIOThreadPool.singleton.runIfActive { try StalledSocket(port: port, path: "/api/v1/lives/\(live)/feed?after=0") }
            let total = 1_500
            let received = Received()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // A reader like a real client: told to resync (if a burst outran it on this
                    // busy machine), it reconnects after its last seq and misses nothing.
                    while await (received.seqs.last ?? 0) < total {
                        let after = await received.seqs.last ?? 0
                        try await app.client.ws("/api/v1/lives/\(live)/feed?after=\(after)", configuration: .init(maxFrameSize: 1 << 20)) { inbound, outbound, _ in
                            for try await message in inbound.messages(maxSize: 1 << 20) {
                                guard case .text(let text) = message,
                                      let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { continue }
                                if json["kind"] as? String == "resync" { break }
                                guard let seq = json["seq"] as? Int else { continue }
                                await received.add(seq)
                                if seq == total { break }
                            }
                            try? await outbound.close(.normalClosure, reason: nil)
                        }
                    }
                }
                // Both viewers are connected before the flood.
                #expect(try await app.eventually { app.services.feedHub.viewers[feed] == 2 })
                // 1,500 events of about 4 KB: far more than the stalled socket's buffers hold.
                let filler = String(repeating: "x", count: 4_000)
                for start in stride(from: 0, to: total, by: 15) {
                    try await app.services.db.transaction { sql in
                        try await FeedLog.append((start..<min(start + 15, total)).map { index in
                            (feed, FeedKind.thanks, ["message": .text(filler), "n": .number(Int64(index))])
                        }, on: sql, at: Date())
                    }
                    try await Task.sleep(for: .milliseconds(10))
                }
                try await group.next()
            }
            // The reader got every event once, in order, across any reconnection.
            #expect(await received.seqs == Array(1...total))
            // The stalled viewer was dropped (its queue with it) while the other one read on.
            #expect(try await app.eventually { (app.services.feedHub.viewers[feed] ?? 0) == 0 })
            // Reading its socket now: what was already in flight, the resync notice, then the end.
            let rest = try await NIOThreadPool.singleton.runIfActive { try stalled.readToEnd(seconds: 20) }
            #expect(rest.closed, "the server closed the stalled connection")
            #expect(rest.text.contains(#""kind":"resync""#), "it was told to resync")
        }
    }
}

/// A blocking TCP client: completes the WebSocket handshake, then reads nothing until asked.
final class StalledSocket: Sendable {
    let fd: Int32

    init(port: Int, path: String) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var small: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestFailure("connect failed") }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        // Only the response's head: the events stay unread.
        var head = [UInt8]()
        var byte: UInt8 = 0
        while !head.suffix(4).elementsEqual([13, 10, 13, 10]) {
            guard recv(fd, &byte, 1, 0) == 1 else { throw TestFailure("no handshake answer") }
            head.append(byte)
        }
        guard String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 101") else { throw TestFailure("not upgraded: \(String(decoding: head, as: UTF8.self))") }
    }

    /// Everything until the server closes, or `seconds` pass.
    func readToEnd(seconds: Int) throws -> (text: String, closed: Bool) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        defer { close(fd) }
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { return (String(decoding: data, as: UTF8.self), true) }
            if count < 0 { return (String(decoding: data, as: UTF8.self), errno == ECONNRESET) }
            data.append(contentsOf: buffer[0..<count])
        }
    }
}
