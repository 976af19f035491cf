@testable import App
import FluentKit
import Foundation
import Logging
import SQLKit
import Testing

/// The engines every database test runs on. PostgreSQL needs `GOODCAST_TEST_POSTGRES_URL`
/// (a server where the test user may create databases); without it those cases are cancelled,
/// which Swift Testing reports as skipped, by name, in the summary.
enum DatabaseKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// SQLite always; PostgreSQL when a server is configured. `PostgresAvailability` below
    /// reports loudly, as a skipped test, when it is not.
    static var enabled: [DatabaseKind] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    static var postgresURL: String? {
        let value = ProcessInfo.processInfo.environment["GOODCAST_TEST_POSTGRES_URL"]
        return value?.isEmpty == false ? value : nil
    }
}

/// A fresh, empty database for one test: a new SQLite file in a temporary folder, or a new
/// PostgreSQL database created for the test and dropped after it.
struct TestDatabase: Sendable {
    let kind: DatabaseKind
    let config: AppConfig.Database
    private let cleanup: @Sendable () async -> Void

    static func make(_ kind: DatabaseKind) async throws -> TestDatabase {
        switch kind {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("goodcast-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return TestDatabase(kind: kind, config: .sqlite(path: folder.appendingPathComponent("goodcast.sqlite").path)) {
                try? FileManager.default.removeItem(at: folder)
            }
        case .postgres:
            guard let url = DatabaseKind.postgresURL else {
                throw TestFailure("PostgreSQL case requested without GOODCAST_TEST_POSTGRES_URL")
            }
            let name = "goodcast_t_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20))"
            try await adminSQL(url) { sql in try await sql.raw("CREATE DATABASE \(ident: name)").run() }
            return TestDatabase(kind: kind, config: .postgres(url: replacingDatabase(in: url, with: name))) {
                try? await adminSQL(url) { sql in try await sql.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run() }
            }
        }
    }

    func drop() async { await cleanup() }

    private init(kind: DatabaseKind, config: AppConfig.Database, cleanup: @escaping @Sendable () async -> Void) {
        self.kind = kind
        self.config = config
        self.cleanup = cleanup
    }

    private static func adminSQL(_ url: String, _ body: @Sendable (any SQLDatabase) async throws -> Void) async throws {
        var logger = Logger(label: "test-admin")
        logger.logLevel = .error
        let databases = try DatabaseSetup.makeDatabases(.postgres(url: url), logger: logger)
        do {
            try await body(AppDatabase(databases: databases, logger: logger).sql)
        } catch {
            await databases.shutdownAsync()
            throw error
        }
        await databases.shutdownAsync()
    }

    private static func replacingDatabase(in url: String, with name: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + name
        return components.string ?? url
    }
}

@Suite("PostgreSQL")
struct PostgresAvailability {
    @Test(
        "every database test also runs on PostgreSQL",
        .enabled(if: DatabaseKind.postgresURL != nil, "SKIPPED ON POSTGRESQL: GOODCAST_TEST_POSTGRES_URL is not set, so every database test ran on SQLite only")
    )
    func postgresReachable() async throws {
        let database = try await TestDatabase.make(.postgres)
        await database.drop()
    }
}
