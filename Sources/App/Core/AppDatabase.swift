import FluentKit
import Logging
import SQLKit

/// The application's handle on its database: SQLKit for queries, Fluent for transactions.
public struct AppDatabase: Sendable {
    public let databases: Databases
    /// SQLite's reader connections, when the engine is a SQLite file; else nil (one pool).
    public let readDatabases: Databases?
    let logger: Logger
    /// Told, after each commit that appended feed events, which feeds they were in.
    public let feedCommits = FeedCommitSignal()

    /// SQLite's writer, when the engine is a SQLite file: statements and transactions run
    /// there rather than through Fluent's connection (see `SQLiteWriter`).
    let sqliteWriter: SQLiteWriter?
    /// Point reads inline on a SQLite file (see `SQLiteLookups`).
    let sqliteLookups: SQLiteLookups?

    public init(databases: Databases, readDatabases: Databases? = nil, logger: Logger) {
        self.databases = databases
        self.readDatabases = readDatabases
        self.logger = logger
        self.sqliteWriter = nil
        self.sqliteLookups = nil
    }

    /// With `sqliteFile`, the writer's own connection to that file.
    init(databases: Databases, readDatabases: Databases?, sqliteFile: String?, logger: Logger) throws {
        self.databases = databases
        self.readDatabases = readDatabases
        self.logger = logger
        self.sqliteWriter = try sqliteFile.map { try SQLiteWriter(path: $0, logger: logger) }
        self.sqliteLookups = sqliteFile.map { SQLiteLookups(path: $0, logger: logger) }
    }

    /// The writer: transactions and migrations.
    public var fluent: any Database {
        databases.database(logger: logger, on: databases.eventLoopGroup.any())!
    }

    /// Single statements, reads and writes, on the writer.
    public var sql: any SQLDatabase { sqliteWriter?.sql ?? fluent as! any SQLDatabase }

    /// Where a task that mostly writes should run: SQLite's writer thread; nil on PostgreSQL.
    var writerExecutor: (any TaskExecutor)? { sqliteWriter?.taskExecutor }

    /// Reads only: on SQLite a reader connection, which in WAL mode never waits for the writer
    /// (never write here: a writer waiting in SQLite's busy handler would hold a pool thread).
    public var reader: any SQLDatabase {
        if let readDatabases { return readDatabases.database(logger: logger, on: readDatabases.eventLoopGroup.any())! as! any SQLDatabase }
        return sql
    }

    /// Reads of a row or a few by an index, on the hot paths (an `Idempotency-Key`, the next
    /// events of a feed): on SQLite inline on the caller's thread, else as `reader`.
    var lookup: any SQLDatabase { sqliteLookups?.sql ?? reader }

    public func shutdown() async {
        sqliteLookups?.close()
        await sqliteWriter?.close()
        await databases.shutdownAsync()
        await readDatabases?.shutdownAsync()
    }

    /// Several times what our longest transaction takes (a view flush of 250,000 rows: about
    /// 4 s on PostgreSQL here).
    static let transactionDeadline: Duration = .seconds(20)

    public var isPostgres: Bool { sqliteWriter == nil && (fluent as! any SQLDatabase).dialect.name == "postgresql" }

    /// Runs `body` in one transaction; SQLKit statements inside use the `SQLDatabase` passed in.
    /// Feed events it appends reach this node's viewers as soon as it commits.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let notes = FeedCommitNotes()
        let result: T
        if let sqliteWriter {
            result = try await sqliteWriter.transaction { sql in try await FeedCommitNotes.$current.withValue(notes) { try await body(sql) } }
        } else {
            // Set inside the closure: Fluent runs it in a task of its own, made from an event loop
            // callback, which inherits no task-local from here.
            result = try await fluent.transaction { db in
                try await FeedCommitNotes.$current.withValue(notes) { try await body(db as! any SQLDatabase) }
            }
        }
        feedCommits.committed(notes.noted)
        return result
    }
}

extension Error {
    /// A unique or foreign-key constraint refused the write, on either engine.
    var isConstraintViolation: Bool {
        (self as? any DatabaseError)?.isConstraintFailure ?? false
    }
}

/// `CAST(SUM(column) AS BIGINT)`: PostgreSQL sums BIGINT into NUMERIC; money stays Int64.
func sqlSum(_ column: String) -> any SQLExpression {
    sqlSum(SQLColumn(column))
}

func sqlSum(_ column: SQLColumn) -> any SQLExpression {
    SQLList([SQLRaw("CAST(SUM("), column, SQLRaw(") AS BIGINT)")], separator: SQLRaw(""))
}
