import App
import ArgumentParser
import Foundation
import Logging

/// The in-process server the HTTP benchmarks measure: configured for load (no sign-in, sign-up or payment limits,
/// quiet logs), on a fresh SQLite folder or the given PostgreSQL.
struct BenchServer {
    var config: AppConfig
    let folder: URL
    let logger: Logger

    init(databaseURL: String?) throws {
        var config = AppConfig()
        config.port = 0
        config.logLevel = .error
        config.bcryptCost = 4
        config.signInLimitPerAddress = 1_000_000
        config.signUpLimitPerAddress = 1_000_000
        config.donationLimitPerAccount = 1_000_000_000
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("goodcast-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        config.dataDirectory = folder.path
        if let databaseURL { config.database = .postgres(url: databaseURL) } else {
            config.database = .sqlite(path: folder.appendingPathComponent("goodcast.sqlite").path)
        }
        // As `goodcast serve` does: the in-process sandbox keeps its books in the data directory.
        config.sandboxBooksPath = folder.appendingPathComponent("sandbox-books.jsonl").path
        self.config = config
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        self.logger = logger
    }

    /// Starts `goodcast serve`'s application; returns its port and the task running it.
    func start() async throws -> (port: Int, task: Task<Void, any Error>) {
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = try await buildApplication(config, logger: logger, onStarted: { port in portContinuation.yield(port) })
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        var ports = portStream.makeAsyncIterator()
        guard let port = await ports.next() else { throw ValidationError("the server did not start") }
        return (port, server)
    }

    func removeFolder() { try? FileManager.default.removeItem(at: folder) }
}
