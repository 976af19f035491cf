import Foundation
import Synchronization
import VaporCSQLite

/// Copies the WAL's pages into the database file on a connection and a thread of its own.
///
/// SQLite checkpoints after the commit that takes the WAL past a thousand pages, on the
/// committing connection: for the writer, that was a tenth of its time, with the database
/// file's fsync, while every gift in the next batch waited. Here the writer's WAL hook asks
/// this thread instead, and the writer keeps only a fallback: past `inlineFrames` it
/// checkpoints itself, as SQLite would. The fallback is what lets the WAL start over: a
/// checkpoint beside a busy writer never finds the WAL fully copied at the moment a
/// transaction begins, so the file would grow for as long as the gifts keep coming.
/// What is left by then is the pages written since this thread's last pass.
final class SQLiteCheckpointer: Sendable {
    /// WAL pages between two passes of this thread (SQLite's own default threshold).
    static let backgroundFrames: Int32 = 1000
    /// WAL pages past which the writer checkpoints itself.
    static let inlineFrames: Int32 = 4000

    private let connection: SQLiteRawConnection
    private let queue = DispatchQueue(label: "goodcast.sqlite-checkpoint")
    private let state = Mutex<State>(State())

    private struct State {
        /// The WAL's size when this thread was last asked.
        var askedAt: Int32 = 0
        var running = false
        var askedAgain = false
        var closed = false
        var passes = 0
    }

    /// Passes this thread has made (for tests).
    var passes: Int { state.withLock { $0.passes } }

    init(path: String) throws {
        connection = try SQLiteRawConnection(path: path)
        // As the writer: the copied pages are made durable before the WAL may start over.
        for pragma in ["PRAGMA busy_timeout = 10000", "PRAGMA synchronous = FULL"] {
            _ = try connection.run(pragma, [])
        }
    }

    /// Takes over the writer's checkpoints: from now on its commits call `committed`.
    func attach(to writer: SQLiteRawConnection) {
        writer.setWALHook(Unmanaged.passUnretained(self).toOpaque()) { context, database, name, frames in
            guard let context else { return SQLITE_OK }
            let checkpointer = Unmanaged<SQLiteCheckpointer>.fromOpaque(context).takeUnretainedValue()
            if frames >= SQLiteCheckpointer.inlineFrames {
                // As SQLite's own hook does: a passive checkpoint of what is left; busy (this
                // thread is mid-pass) is no error, the next commit tries again.
                _ = sqlite_nio_sqlite3_wal_checkpoint_v2(database, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            }
            checkpointer.committed(walFrames: frames)
            return SQLITE_OK
        }
    }

    /// After each commit of the writer, on its thread: the WAL now holds `walFrames` pages.
    private func committed(walFrames frames: Int32) {
        let start = state.withLock { state -> Bool in
            // A WAL that started over is smaller than when last asked.
            if frames < state.askedAt { state.askedAt = 0 }
            guard !state.closed, frames >= state.askedAt + Self.backgroundFrames else { return false }
            state.askedAt = frames
            if state.running {
                state.askedAgain = true
                return false
            }
            state.running = true
            return true
        }
        if start { queue.async { self.run() } }
    }

    private func run() {
        repeat {
            // A pass asked for just before closing is not worth the wait (and the fsync) it costs.
            if state.withLock({ $0.closed }) { break }
            // PASSIVE: copies what no reader still needs, never waits for the writer or a reader.
            _ = try? connection.run("PRAGMA wal_checkpoint(PASSIVE)", [])
        } while state.withLock { state in
            state.passes += 1
            if state.askedAgain, !state.closed {
                state.askedAgain = false
                return true
            }
            state.running = false
            return false
        }
    }

    /// Waits for a pass under way, then closes the connection. The writer's hook must be gone first.
    func close() {
        state.withLock { $0.closed = true }
        queue.sync { connection.close() }
    }
}
