import FluentKit
import FluentSQLiteDriver
import Foundation
import GoodcastCore
import Logging
import NIOCore
import SQLKit
import VaporCSQLite

/// A raw connection as SQLKit sees it: `run` takes each statement to the connection.
struct SQLiteRawDatabase: SQLDatabase {
    let logger: Logger
    let run: @Sendable (String, [SQLiteData]) async throws -> [SQLiteRawRow]
    /// Runs one statement once per row of binds inside the open transaction, or answers nil when
    /// none is open (see `SQLRowsInsert.sqliteOneRowSQL`); nil on the read connections (`SQLiteLookups`).
    var runEach: (@Sendable (String, [[SQLiteData]]) async throws -> [SQLiteRawRow]?)? = nil

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var version: (any SQLDatabaseReportedVersion)? { nil }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { try await self.execute(sql: query, onRow) }
        return promise.futureResult
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        // Inside a transaction, one kept statement per row (see `sqliteOneRowSQL`); outside one,
        // `runEach` answers nil and the rows stay one statement: all of them or none.
        if let insert = query as? SQLRowsInsert, insert.rows.count > 1, let runEach {
            let encoder = SQLiteDataEncoder()
            let rows = try insert.rows.map { row in try row.map { try Self.sqliteData($0, encoder) } }
            let sql = insert.sqliteOneRowSQL
            if logger.logLevel <= .trace { logger.trace("Executing query per row", metadata: ["sql": .string(sql), "rows": "\(rows.count)"]) }
            if let result = try await runEach(sql, rows) {
                for row in result { onRow(row) }
                return
            }
        }
        let (sql, binds) = serialize(query)
        if logger.logLevel <= .trace { logger.trace("Executing query", metadata: ["sql": .string(sql)]) }
        let encoder = SQLiteDataEncoder()
        for row in try await run(sql, binds.map { try Self.sqliteData($0, encoder) }) { onRow(row) }
    }

    /// The value SQLiteKit's encoder makes, without its protocol-conformance lookup and nested
    /// encoder for the types a group-commit batch binds by the hundred (a UUID, as SQLiteKit
    /// stores it, is its uppercase string). Anything else (nil, JSON) goes to the encoder.
    static func sqliteData(_ value: any Encodable & Sendable, _ encoder: SQLiteDataEncoder) throws -> SQLiteData {
        switch value {
        case let uuid as UUID: .text(uuid.uppercasedString)
        case let text as String: .text(text)
        case let integer as Int: .integer(integer)
        case let integer as Int64: .integer(Int(integer))
        case let date as Date: .float(date.timeIntervalSince1970)
        case let flag as Bool: .integer(flag ? 1 : 0)
        default: try encoder.encode(value)
        }
    }
}

/// A row read through a raw connection, decoded as SQLiteKit decodes its rows.
struct SQLiteRawRow: SQLRow {
    let columns: SQLiteRawColumns
    let values: [SQLiteData]

    var allColumns: [String] { columns.names }
    func contains(column: String) -> Bool { columns.index[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let index = columns.index[column] else { return true }
        return values[index] == .null
    }

    func decode<D: Decodable>(column: String, as: D.Type) throws -> D {
        guard let index = columns.index[column] else { throw SQLiteWriteError(code: SQLITE_NOTFOUND, message: "no column \(column) in the result") }
        return try SQLiteDataDecoder().decode(D.self, from: values[index])
    }
}

struct SQLiteRawColumns: Sendable {
    let names: [String]
    let index: [String: Int]

    init(_ names: [String]) {
        self.names = names
        index = Dictionary(names.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
    }
}

/// A failure SQLite reported; Fluent's `DatabaseError` so that callers tell a constraint from the rest.
struct SQLiteWriteError: Error, DatabaseError, CustomStringConvertible {
    let code: Int32
    let message: String

    var isSyntaxError: Bool { code & 0xFF == SQLITE_ERROR }
    /// Closed, or locked by another process past the busy timeout: an outage (503 with
    /// Retry-After, see `isDatabaseOutage`), not a wrong query.
    var isConnectionClosed: Bool { code & 0xFF == SQLITE_MISUSE || code & 0xFF == SQLITE_BUSY }
    var isConstraintFailure: Bool { code & 0xFF == SQLITE_CONSTRAINT }
    var description: String { "SQLite error \(code): \(message)" }

    static let closed = SQLiteWriteError(code: SQLITE_MISUSE, message: "the database connection is closed")
}

/// The raw handle. `@unchecked Sendable` because SQLite itself serializes calls on a handle
/// opened with SQLITE_OPEN_FULLMUTEX, and its owners let one task use it at a time
/// (`SQLiteWriter` through its gate, `SQLiteLookups` by lending it out of a locked list).
final class SQLiteRawConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    /// Read and set by the one task that holds the connection.
    private(set) var isClosed = false

    /// SQLite's global configuration, set up once before the first open (as SQLiteNIO does).
    private static let initialized: Bool = { sqlite_nio_sqlite3_initialize() == SQLITE_OK }()

    init(path: String) throws {
        _ = Self.initialized
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_EXRESCODE
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            if let handle { sqlite_nio_sqlite3_close(handle) }
            throw SQLiteWriteError(code: status, message: "could not open the SQLite database at \(path)")
        }
        self.handle = handle
    }

    /// True when no transaction is open.
    var autocommit: Bool { sqlite_nio_sqlite3_get_autocommit(handle) != 0 }

    /// Prepared statements by their SQL, kept for the next batch of the same shape: compiling
    /// the SQL was a sixth of the writer's time when gifts came one or two to a batch. Bounded:
    /// multi-row statements differ by their number of rows, so past `maxStatements` the cache
    /// starts over, and a statement longer than `maxCachedSQL` (a batch of many rows, whose
    /// exact size rarely comes back) is compiled for its one use. Used by the connection's
    /// holder only.
    private var statements: [String: OpaquePointer] = [:]
    private static let maxStatements = 512
    private static let maxCachedSQL = 2048

    /// A statement ready to bind, and whether it is kept (reset after use) or finalized.
    private func statement(for sql: String) throws -> (OpaquePointer, kept: Bool) {
        if let cached = statements[sql] { return (cached, true) }
        let keep = sql.utf8.count <= Self.maxCachedSQL
        if keep, statements.count >= Self.maxStatements { finalizeStatements() }
        var statement: OpaquePointer?
        let flags = keep ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        guard sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, flags, &statement, nil) == SQLITE_OK, let statement else { throw failure() }
        if keep { statements[sql] = statement }
        return (statement, keep)
    }

    private func finalizeStatements() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        statements = [:]
    }

    /// `sql` once per row of `rows`, with what each returned.
    func runEach(_ sql: String, _ rows: [[SQLiteData]]) throws -> [SQLiteRawRow] {
        var returned: [SQLiteRawRow] = []
        for binds in rows { returned += try run(sql, binds) }
        return returned
    }

    func run(_ sql: String, _ binds: [SQLiteData]) throws -> [SQLiteRawRow] {
        let (statement, kept) = try statement(for: sql)
        // Ready for its next use, whether this one finished, failed or stopped early.
        defer {
            if kept {
                sqlite_nio_sqlite3_reset(statement)
                sqlite_nio_sqlite3_clear_bindings(statement)
            } else {
                sqlite_nio_sqlite3_finalize(statement)
            }
        }
        for (offset, bind) in binds.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32 = switch bind {
            case .blob(let value):
                value.withUnsafeReadableBytes { sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient) }
            case .float(let value): sqlite_nio_sqlite3_bind_double(statement, index, value)
            case .integer(let value): sqlite_nio_sqlite3_bind_int64(statement, index, Int64(value))
            case .null: sqlite_nio_sqlite3_bind_null(statement, index)
            case .text(let value): sqlite_nio_sqlite3_bind_text64(statement, index, value, UInt64(value.utf8.count), transient, UInt8(SQLITE_UTF8))
            }
            guard status == SQLITE_OK else { throw failure() }
        }
        var rows: [SQLiteRawRow] = []
        var columns: SQLiteRawColumns?
        while true {
            let status = sqlite_nio_sqlite3_step(statement)
            if status == SQLITE_DONE { return rows }
            guard status == SQLITE_ROW else { throw failure() }
            let count = sqlite_nio_sqlite3_column_count(statement)
            if columns == nil {
                columns = SQLiteRawColumns((0..<count).map { sqlite_nio_sqlite3_column_name(statement, $0).map { String(cString: $0) } ?? "" })
            }
            rows.append(SQLiteRawRow(columns: columns!, values: (0..<count).map { value(statement, $0) }))
        }
    }

    private func value(_ statement: OpaquePointer, _ column: Int32) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .null }
            return .text(String(cString: text))
        case SQLITE_BLOB:
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: length)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: length))
            }
            return .blob(buffer)
        default: return .null
        }
    }

    private func failure() -> SQLiteWriteError {
        SQLiteWriteError(code: sqlite_nio_sqlite3_extended_errcode(handle), message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
    }

    typealias WALHook = @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32

    /// Called after each commit with the WAL's size in pages, in place of SQLite's automatic
    /// checkpoint (`SQLiteCheckpointer`); nil restores none.
    func setWALHook(_ context: UnsafeMutableRawPointer?, _ hook: WALHook?) {
        guard !isClosed else { return }
        _ = sqlite_nio_sqlite3_wal_hook(handle, hook, context)
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        finalizeStatements()
        sqlite_nio_sqlite3_close_v2(handle)
    }
}

private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
