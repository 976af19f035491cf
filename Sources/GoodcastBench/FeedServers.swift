import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// `goodcast serve` in its own process on a fresh SQLite folder, with a live to watch.
final class GoodcastUnderTest: @unchecked Sendable {
    // `process` is set once in `start` and only read afterwards; `stop` is idempotent.
    let process: Process
    let base: String
    let http: HTTPClient

    private init(process: Process, base: String, http: HTTPClient) {
        self.process = process
        self.base = base
        self.http = http
    }

    static func start(binary: String) async throws -> GoodcastUnderTest {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("goodcast-feedbench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["GOODCAST_DATA_DIR"] = folder
        environment["GOODCAST_LOG_LEVEL"] = "error"
        environment["GOODCAST_BCRYPT_COST"] = "4"
        environment["GOODCAST_SIGNIN_LIMIT_ADDRESS"] = "1000000"
        environment["GOODCAST_SIGNUP_LIMIT_PER_ADDRESS"] = "1000000"
        environment["GOODCAST_DONATION_LIMIT_PER_ACCOUNT"] = "1000000000"
        environment.removeValue(forKey: "DATABASE_URL")
        let admin = Process()
        admin.executableURL = URL(fileURLWithPath: binary)
        admin.arguments = ["admin", "create", "--handle", "benchadmin", "--email", "benchadmin@example.org", "--password", "bench password 1"]
        admin.environment = environment
        admin.standardOutput = FileHandle.nullDevice
        try admin.run()
        admin.waitUntilExit()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", "0"]
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // The server prints its address once it listens.
        var text = ""
        while !text.contains("(Ctrl-C") {
            let data = output.fileHandleForReading.availableData
            guard !data.isEmpty else { throw ValidationError("goodcast serve exited: \(text)") }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let range = text.range(of: #"http://127\.0\.0\.1:\d+"#, options: .regularExpression) else { throw ValidationError("no address in: \(text)") }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: FeedRun.publisherConnections)
        return GoodcastUnderTest(process: process, base: String(text[range]), http: HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration))
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    func call(_ method: HTTPMethod, _ path: String, _ body: String? = nil, token: String? = nil, key: String? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let key { request.headers.add(name: "Idempotency-Key", value: key) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code) else { throw ValidationError("\(method) \(path): \(response.status) \(String(buffer: bytes))") }
        return (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any]) ?? [:]
    }

    func signUp(_ handle: String) async throws -> String {
        _ = try await call(.POST, "/api/v1/accounts", #"{"handle":"\#(handle)","email":"\#(handle)@example.org","password":"bench password 1"}"#)
        return try await call(.POST, "/api/v1/sessions", #"{"handle":"\#(handle)","password":"bench password 1"}"#)["token"] as! String
    }

    /// A verified nonprofit, a live raising money for it, started, and donors with tokens.
    func prepareLive() async throws -> (viewerURL: String, publish: @Sendable (Int, UInt64) async -> Bool) {
        let admin = try await call(.POST, "/api/v1/sessions", #"{"handle":"benchadmin","password":"bench password 1"}"#)["token"] as! String
        let owner = try await signUp("benchowner")
        let nonprofit = try await call(.POST, "/api/v1/nonprofits", #"{"name":"Bench Relief","country":"GB","registrationNumber":"B-1","causes":["community"],"website":"https://example.org"}"#, token: owner)["id"] as! String
        _ = try await call(.POST, "/api/v1/admin/nonprofits/\(nonprofit)/verify", token: admin)
        let host = try await signUp("benchhost")
        let live = try await call(.POST, "/api/v1/lives", #"{"title":"Viral live","fundraiser":{"nonprofitId":"\#(nonprofit)","goal":{"amount":100000000000,"currency":"USD"}}}"#, token: host)
        let id = live["id"] as! String
        let fundraiser = (live["fundraiserId"] as! String).lowercased()
        _ = try await call(.POST, "/api/v1/lives/\(id)/start", token: host)
        var tokens: [String] = []
        for index in 0..<16 { tokens.append(try await signUp("benchdonor\(index)")) }
        let frozen = tokens
        let viewerURL = base.replacingOccurrences(of: "http://", with: "ws://") + "/api/v1/lives/\(id.lowercased())/feed?after=0"
        return (viewerURL, { [self] index, sent in
            do {
                _ = try await call(.POST, "/api/v1/fundraisers/\(fundraiser)/donations",
                                   #"{"amount":{"amount":\#(500 + index % 100),"currency":"USD"},"paymentToken":"tok_visa","message":"t\#(sent)"}"#,
                                   token: frozen[index % frozen.count], key: "feedbench-\(index)")
                return true
            } catch {
                return false
            }
        })
    }
}

/// nginx with the nchan module on loopback: `/pub` takes messages, `/sub` is the WebSocket.
final class NchanUnderTest: @unchecked Sendable {
    // Set once in `start`; `stop` is idempotent.
    let process: Process
    let port: Int
    let http: HTTPClient

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
        http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: .init(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: FeedRun.publisherConnections)))
    }

    var viewerURL: String { "ws://127.0.0.1:\(port)/sub" }

    static func start(binary: String) throws -> NchanUnderTest {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("nchan-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: prefix + "/logs", withIntermediateDirectories: true)
        // Below Linux's ephemeral range (32768 and up), where the 2,000 viewers of the run
        // before could still hold the port in TIME_WAIT.
        let port = Int.random(in: 20_000...29_999)
        let conf = """
        worker_processes 2;
        pid \(prefix)/nginx.pid;
        error_log \(prefix)/logs/error.log warn;
        load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
        events { worker_connections 16384; }
        http {
          access_log off;
          client_body_temp_path \(prefix)/body;
          nchan_max_reserved_memory 256M;
          server {
            listen 127.0.0.1:\(port) backlog=4096;
            location = /pub { nchan_publisher; nchan_channel_id live; nchan_message_buffer_length 1000; nchan_message_timeout 5m; }
            location = /sub { nchan_subscriber websocket; nchan_channel_id live; nchan_subscriber_first_message newest; }
          }
        }
        """
        try conf.write(toFile: prefix + "/nginx.conf", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-p", prefix, "-c", prefix + "/nginx.conf", "-g", "daemon off;"]
        try process.run()
        return NchanUnderTest(process: process, port: port)
    }

    func waitUntilUp() async throws {
        for _ in 0..<100 {
            if let response = try? await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/pub"), timeout: .seconds(1)), response.status.code < 500 {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("nginx did not start")
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// The same two messages Goodcast's feed carries for a gift: the donation and the total.
    var publish: @Sendable (Int, UInt64) async -> Bool {
        { [self] index, sent in
            let donation = #"{"at":"2026-11-30T19:00:00Z","data":{"amount":\#(500 + index % 100),"currency":"USD","donationId":"\#(UUID().uuidString.lowercased())","donor":"benchdonor\#(index % 16)","message":"t\#(sent)"},"kind":"donation","seq":\#(2 * index + 1)}"#
            let total = #"{"at":"2026-11-30T19:00:00Z","data":{"currency":"USD","donors":16,"goal":100000000000,"goalProgress":0,"raised":\#(500 * index)},"kind":"total","seq":\#(2 * index + 2)}"#
            for body in [donation, total] {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/pub")
                request.method = .POST
                request.body = .bytes(ByteBuffer(string: body))
                guard let response = try? await http.execute(request, timeout: .seconds(30)), response.status.code < 300 else { return false }
                _ = try? await response.body.collect(upTo: 1 << 16)
            }
            return true
        }
    }
}
