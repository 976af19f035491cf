@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import AsyncHTTPClient
import Testing

@Suite("Operations")
struct OperationsTests {
    @Test("health, metrics and the OpenAPI document over real HTTP", arguments: DatabaseKind.enabled)
    func operations(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, .live) { app in
            let health = try await app.request(.get, "/healthz")
            #expect(health.status == .ok)
            #expect(try health.json()["database"] as? String == (kind == .sqlite ? "sqlite" : "postgresql"))
            #expect(health.headers[.init("X-Request-ID")!]?.isEmpty == false)

            let document = try await app.request(.get, "/openapi.json").json()
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: Any])
            #expect(paths["/api/v1/accounts"] != nil)

            _ = try await app.request(.get, "/api/v1/nonprofits")
            let metrics = try await app.request(.get, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains("hb_requests") || metrics.text.contains("http_server_request_duration"))
        }
    }

    @Test("graceful shutdown does not wait for a connection that never sent a request")
    func shutdownWithSilentConnection() async throws {
        let database = try await TestDatabase.make(.sqlite)
        let media = FileManager.default.temporaryDirectory.appendingPathComponent("goodcast-test-media-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: media) }
        var config = AppConfig()
        config.database = database.config
        config.port = 0
        config.logLevel = .critical
        config.mediaDirectory = media
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = try await buildApplication(config, onStarted: { portContinuation.yield($0) })
        // No limit on the graceful shutdown: without the fix it waits for the silent connection for good.
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "test")))
        let stopped = Atomic(false)
        Task {
            try? await group.run()
            stopped.store(true, ordering: .sequentiallyConsistent)
        }
        var next = ports.makeAsyncIterator()
        let port = try #require(await next.next())
        // A client's spare keep-alive connection: opened, never used. A request on another
        // connection afterwards shows the server has accepted both.
        let silent = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
        defer { silent.close(promise: nil) }
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz")
        request.method = .GET
        let health = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(health.status == .ok)
        await group.triggerGracefulShutdown()
        for _ in 0..<300 where !stopped.load(ordering: .sequentiallyConsistent) { try await Task.sleep(for: .milliseconds(100)) }
        let finished = stopped.load(ordering: .sequentiallyConsistent)
        #expect(finished, "the server still waited for the silent connection after 30 s")
        // The client's side learns of the close on its own event loop, a moment later.
        for _ in 0..<50 where silent.isActive { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!silent.isActive, "the server should have closed the silent connection")
        await database.drop()
    }

    @Test("SQLite runs in WAL mode with synchronous=FULL")
    func sqliteDurability() async throws {
        try await withTestApp(.sqlite) { app in
            var logger = Logger(label: "test")
            logger.logLevel = .error
            let commands = try await AppCommands.open(app.config, logger: logger)
            struct Mode: Decodable { let journal_mode: String }
            struct Sync: Decodable { let synchronous: Int }
            let mode = try await commands.services.db.sql.raw("PRAGMA journal_mode").first(decoding: Mode.self)
            let sync = try await commands.services.db.sql.raw("PRAGMA synchronous").first(decoding: Sync.self)
            await commands.shutdown()
            #expect(mode?.journal_mode == "wal")
            #expect(sync?.synchronous == 2)
        }
    }

    @Test("every documented API path is routed, and every API route is documented")
    func documentMatchesRoutes() async throws {
        let url = PageRenderer.openAPIDocument
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let documented = Set((document["paths"] as! [String: [String: Any]]).flatMap { path, operations in
            operations.keys.filter { ["get", "post", "put", "delete", "patch"].contains($0) }.map { "\($0.uppercased()) \(path)" }
        })
        let routed = Set(try await routedAPIOperations())
        #expect(routed.subtracting(documented).sorted() == [], "routes missing from openapi.json")
        #expect(documented.subtracting(routed).sorted() == [], "documented but not routed")
    }
}

import Logging

/// The API operations the router really has, as `METHOD /path/{param}`.
func routedAPIOperations() async throws -> [String] {
    try await withTestApp(.sqlite) { app in
        // The router is built from the same services as any app; list its routes.
        var logger = Logger(label: "routes")
        logger.logLevel = .error
        let commands = try await AppCommands.open(app.config, logger: logger)
        let router = buildRouter(commands.services)
        await commands.shutdown()
        return router.routes.compactMap { route -> String? in
            var path = route.path.description
            if !path.hasPrefix("/") { path = "/" + path }
            guard path.hasPrefix("/api/") || ["/healthz", "/openapi.json", "/metrics"].contains(path) else { return nil }
            return "\(route.method.rawValue) \(path)"
        }
    }
}
