import FluentKit
import FluentSQLiteDriver
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SQLKit

/// Point reads on a SQLite file, run inline on the caller's thread through raw connections.
///
/// Through SQLiteNIO a read is four hand-offs between threads (the caller's task, a reader's
/// event loop, the thread pool, back through the event loop). Every donation asks whether its
/// `Idempotency-Key` is new, and on two busy cores those hand-offs cost more than the indexed
/// read itself (about 7% of the server's CPU at 400 gifts a second). Here the caller runs the
/// statement itself, with a kept prepared statement, in WAL mode without ever waiting for the
/// writer. Only for reads of a row or a few by an index: a long scan would hold one of Swift's
/// few shared threads (two on this machine), and those go through `AppDatabase.reader`.
///
/// Connections are lent one per caller and kept for the next: there are never more than the
/// threads that read at the same moment.
final class SQLiteLookups: Sendable {
    private let path: String
    private let logger: Logger
    private let idle = NIOLockedValueBox<[SQLiteRawConnection]>([])
    private let closed = NIOLockedValueBox(false)

    init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    var sql: any SQLDatabase { SQLiteRawDatabase(logger: logger) { try self.run($0, $1) } }

    private func run(_ sql: String, _ binds: [SQLiteData]) throws -> [SQLiteRawRow] {
        guard !closed.withLockedValue({ $0 }) else { throw SQLiteWriteError.closed }
        let connection = try idle.withLockedValue { $0.popLast() } ?? open()
        defer {
            if closed.withLockedValue({ $0 }) { connection.close() } else { idle.withLockedValue { $0.append(connection) } }
        }
        return try connection.run(sql, binds)
    }

    private func open() throws -> SQLiteRawConnection {
        let connection = try SQLiteRawConnection(path: path)
        // A migration or another process's writer can hold a lock for a moment; a lookup that
        // waits longer than that is an outage (503), not a hang.
        for pragma in ["PRAGMA busy_timeout = 2000", "PRAGMA query_only = 1"] {
            _ = try connection.run(pragma, [])
        }
        return connection
    }

    func close() {
        closed.withLockedValue { $0 = true }
        for connection in idle.withLockedValue({ idle in defer { idle = [] }; return idle }) { connection.close() }
    }
}
