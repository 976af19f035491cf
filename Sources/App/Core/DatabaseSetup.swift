import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// Creates the Fluent `Databases` for the configured engine and migrates it. This is the
/// "few lines of glue" between FluentKit and Hummingbird that no package provides here.
public enum DatabaseSetup {
    /// SQLite allows one writer at a time; a single connection on its own event loop makes
    /// every statement queue instead of failing with SQLITE_BUSY when two transactions upgrade.
    private static let sqliteLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    /// The writer's own thread, so that its statements never queue behind readers'.
    private static let sqliteWriterThreads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    public static func makeDatabases(_ database: AppConfig.Database, logger: Logger) throws -> Databases {
        switch database {
        case .sqlite(let path):
            let databases = Databases(threadPool: sqliteWriterThreads, on: sqliteLoop)
            let storage: SQLiteConfiguration
            if let path {
                let directory = (path as NSString).deletingLastPathComponent
                if !directory.isEmpty {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                }
                storage = .file(path)
            } else {
                storage = .memory
            }
            databases.use(.sqlite(storage, sqlLogLevel: .trace), as: .sqlite)
            return databases
        case .postgres(let url):
            let databases = Databases(threadPool: .singleton, on: MultiThreadedEventLoopGroup.singleton)
            databases.use(try .postgres(url: url, maxConnectionsPerEventLoop: 4, sqlLogLevel: .trace), as: .psql)
            return databases
        }
    }

    /// SQLite readers: in WAL mode they never wait for the writer, so lookups (tokens,
    /// fundraisers, idempotency keys) do not queue behind a group commit. PostgreSQL's pool
    /// already serves both.
    private static let sqliteReadLoop = MultiThreadedEventLoopGroup(numberOfThreads: 2)

    public static func makeReadDatabases(_ database: AppConfig.Database, logger: Logger) -> Databases? {
        guard case .sqlite(let path?) = database else { return nil }
        let databases = Databases(threadPool: .singleton, on: sqliteReadLoop)
        databases.use(.sqlite(.file(path), sqlLogLevel: .trace), as: .sqlite)
        return databases
    }

    /// Durability settings first, then every pending migration, in order.
    public static func migrate(_ databases: Databases, logger: Logger) async throws {
        guard let db = databases.database(logger: logger, on: databases.eventLoopGroup.any()) else {
            throw ConfigError(setting: "database", message: "no default database configured")
        }
        try await applyDurability(db)
        let migrations = Migrations()
        migrations.add(AppMigrations.all)
        let migrator = Migrator(databases: databases, migrations: migrations, logger: logger, on: databases.eventLoopGroup.any())
        try await migrator.setupIfNeeded().get()
        try await migrator.prepareBatch().get()
    }

    /// SQLite: WAL with synchronous=FULL, so a commit that returned is on disk.
    /// PostgreSQL: synchronous_commit must be on for money; refuse to run otherwise.
    static func applyDurability(_ db: any Database) async throws {
        let sql = db as! any SQLDatabase
        switch sql.dialect.name {
        case "sqlite":
            try await sql.raw("PRAGMA journal_mode = WAL").run()
            try await sql.raw("PRAGMA synchronous = FULL").run()
        default:
            struct Setting: Decodable { let synchronous_commit: String }
            let setting = try await sql.raw("SHOW synchronous_commit").first(decoding: Setting.self)
            if setting?.synchronous_commit != "on" {
                throw ConfigError(
                    setting: "DATABASE_URL",
                    message: "points at a PostgreSQL with synchronous_commit=\(setting?.synchronous_commit ?? "?"); money needs it on"
                )
            }
        }
    }
}
