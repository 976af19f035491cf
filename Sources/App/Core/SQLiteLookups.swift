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
/// writer. Only for reads by an index of a row or a bounded range (a feed's next events, at most
/// a few hundred): a long scan would hold one of Swift's few shared threads (two on this
/// machine), and those go through `AppDatabase.reader`.
///
/// Connections are lent one per caller and kept for the next: there are never more than the
/// threads that read at the same moment.
final class SQLiteLookups: Sendable {
    private let path: String
    private let logger: Logger
    /// One lock for both, so that a connection handed back while `close` runs is closed, not kept.
    private struct Lent {
        var idle: [SQLiteRawConnection] = []
        var closed = false
    }

    private let lent = NIOLockedValueBox(Lent())

    init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    var sql: any SQLDatabase { SQLiteRawDatabase(logger: logger) { try self.run($0, $1) } }

    private func run(_ sql: String, _ binds: [SQLiteData]) throws -> [SQLiteRawRow] {
        let (idle, closed) = lent.withLockedValue { lent in (lent.closed ? nil : lent.idle.popLast(), lent.closed) }
        guard !closed else { throw SQLiteWriteError.closed }
        let connection = try idle ?? open()
        defer {
            let kept = lent.withLockedValue { lent in
                guard !lent.closed else { return false }
                lent.idle.append(connection)
                return true
            }
            if !kept { connection.close() }
        }
        return try connection.run(sql, binds)
    }

    private func open() throws -> SQLiteRawConnection {
        let connection = try SQLiteRawConnection(path: path)
        // A WAL reader waits only while another process recovers the file or holds it exclusively
        // (a `goodcast` command migrating it). The wait holds one of Swift's shared threads, so it
        // is short: past it the lookup is an outage (503 with Retry-After).
        do {
            for pragma in ["PRAGMA busy_timeout = 100", "PRAGMA query_only = 1"] {
                _ = try connection.run(pragma, [])
            }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    func close() {
        let idle = lent.withLockedValue { lent in
            lent.closed = true
            defer { lent.idle = [] }
            return lent.idle
        }
        for connection in idle { connection.close() }
    }
}
