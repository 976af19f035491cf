import FluentKit
import FluentSQLiteDriver
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import VaporCSQLite

/// SQLite's one writer connection, driven through SQLite's C API on a thread of its own.
///
/// Through SQLiteNIO every statement is a round trip between threads (the caller's task, the
/// connection's event loop, its thread pool, then one event loop hop per row). A group-commit
/// batch of fourteen statements made sixty hand-offs, and on two busy cores each hand-off
/// waited its turn for a core: the batch's wait, not its work, set the latency of every gift.
/// Here a transaction runs on the writer's own thread (task executor preference) and each
/// statement runs inline: one hand-off in, one out, whatever the number of statements.
///
/// One transaction or statement holds the connection at a time, in arrival order, as
/// SQLiteNIO's single-connection pool did. Fluent keeps its own connection for migrations,
/// which run before anything is served.
final class SQLiteWriter: Sendable {
    private let connection: SQLiteRawConnection
    private let executor = SQLiteWriterThread()
    private let gate = SQLiteWriterGate()
    private let checkpointer: SQLiteCheckpointer
    private let logger: Logger

    /// The holding of the connection this task is inside, so that a statement or a transaction
    /// inside a transaction joins it instead of waiting for itself. A token, not a flag: a task
    /// that outlives the transaction it was started in must queue like any other.
    @TaskLocal private static var holding: UInt64?

    init(path: String, logger: Logger) throws {
        let connection = try SQLiteRawConnection(path: path)
        do {
            // As Fluent's connections: durable commits (WAL, synchronous=FULL) and foreign keys.
            // Another process writing the file (a `goodcast` command) is waited for, up to 10 s.
            for pragma in ["PRAGMA busy_timeout = 10000", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON"] {
                _ = try connection.run(pragma, [])
            }
            checkpointer = try SQLiteCheckpointer(path: path)
        } catch {
            connection.close()
            throw error
        }
        self.connection = connection
        self.logger = logger
        checkpointer.attach(to: connection)
    }

    /// Checkpoints made beside the writer (for tests).
    var checkpointPasses: Int { checkpointer.passes }

    /// Single statements, each on its own (autocommit), or inside the caller's transaction.
    var sql: any SQLDatabase { database }

    private var database: SQLiteRawDatabase {
        SQLiteRawDatabase(logger: logger, run: { try await self.run($0, $1) }, runEach: { try await self.runEach($0, $1) })
    }

    /// The writer's thread, for a task that does little besides writing (the group-commit
    /// loop): started there, it enters and leaves each transaction without a hop between threads.
    var taskExecutor: any TaskExecutor { executor }

    /// Runs `body` in one transaction on the writer's thread; commits when it returns. Inside
    /// a transaction, joins it (as Fluent does).
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let database = database
        if holdsConnection { return try await exclusive { try await body(database) } }
        return try await exclusive { [connection] in
            _ = try connection.run("BEGIN IMMEDIATE", [])
            do {
                let result = try await body(database)
                _ = try connection.run("COMMIT", [])
                return result
            } catch {
                if !connection.autocommit { _ = try? connection.run("ROLLBACK", []) }
                throw error
            }
        }
    }

    fileprivate func run(_ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteRawRow] {
        try await exclusive { [connection] in try connection.run(sql, binds) }
    }

    /// Each row inside the open transaction; nil when none is open.
    fileprivate func runEach(_ sql: String, _ rows: [[SQLiteData]]) async throws -> [SQLiteRawRow]? {
        try await exclusive { [connection] in connection.autocommit ? nil : try connection.runEach(sql, rows) }
    }

    /// True inside a transaction or statement that holds the connection: what runs there joins it.
    private var holdsConnection: Bool { Self.holding.map(gate.isHeld(by:)) ?? false }

    /// The connection to this task alone (or the holding it is inside), on the writer's thread.
    private func exclusive<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if holdsConnection { return try await withTaskExecutorPreference(executor) { try await body() } }
        let token = try await gate.acquire()
        // Released on the writer's thread, before the hop back: the next holder need not wait for it.
        return try await withTaskExecutorPreference(executor) { [connection, gate] in
            defer { gate.release(token) }
            guard !connection.isClosed else { throw SQLiteWriteError.closed }
            try Task.checkCancellation()
            // A transaction a failed ROLLBACK left open would swallow this holder's statements.
            if !connection.autocommit { _ = try? connection.run("ROLLBACK", []) }
            return try await Self.$holding.withValue(token) { try await body() }
        }
    }

    /// Waits for the work holding the connection, then closes it; later calls get an outage error.
    func close() async {
        guard let token = try? await gate.acquire() else { return }
        await withTaskExecutorPreference(executor) { [connection, gate, checkpointer] in
            connection.setWALHook(nil, nil)
            checkpointer.close()
            connection.close()
            gate.release(token)
        }
    }
}

/// The writer's thread: transactions run here, off Swift's shared pool, so that a commit's
/// fsync never holds one of its (two, here) threads.
private final class SQLiteWriterThread: TaskExecutor {
    private let queue = DispatchQueue(label: "goodcast.sqlite-writer")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// One holder at a time, first come first served. A waiter that is cancelled (a batch past
/// its deadline) leaves the queue instead of running work its caller gave up on.
private final class SQLiteWriterGate: Sendable {
    private struct State {
        var holder: UInt64?
        var lastToken: UInt64 = 0
        var waiting: [(token: UInt64, continuation: CheckedContinuation<UInt64, any Error>)] = []
    }

    private let state = NIOLockedValueBox(State())

    func isHeld(by token: UInt64) -> Bool { state.withLockedValue { $0.holder == token } }

    /// Returns the token that `release` takes.
    func acquire() async throws -> UInt64 {
        let token = state.withLockedValue { state -> UInt64 in
            state.lastToken += 1
            return state.lastToken
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let granted = state.withLockedValue { state in
                    if state.holder == nil {
                        state.holder = token
                        return true
                    }
                    state.waiting.append((token, continuation))
                    return false
                }
                if granted { continuation.resume(returning: token) }
            }
        } onCancel: {
            let withdrawn = state.withLockedValue { state -> CheckedContinuation<UInt64, any Error>? in
                guard let index = state.waiting.firstIndex(where: { $0.token == token }) else { return nil }
                return state.waiting.remove(at: index).continuation
            }
            withdrawn?.resume(throwing: CancellationError())
        }
    }

    func release(_ token: UInt64) {
        let next = state.withLockedValue { state -> (UInt64, CheckedContinuation<UInt64, any Error>)? in
            guard state.holder == token else { return nil }
            guard !state.waiting.isEmpty else {
                state.holder = nil
                return nil
            }
            let next = state.waiting.removeFirst()
            state.holder = next.token
            return next
        }
        if let (token, continuation) = next { continuation.resume(returning: token) }
    }
}
