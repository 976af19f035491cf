import Foundation
import SQLKit

/// Group commit: writers that arrive while a transaction is committing wait and share the next
/// one, so a thousand concurrent donations cost a handful of durable commits (fsyncs), not a
/// thousand. Each writer's work runs in its own SAVEPOINT: one writer's error (a duplicate
/// key) rolls back only its own rows and is thrown to it alone. Nobody is answered before the
/// commit that holds their rows has returned.
///
/// Work closures must use only the `SQLDatabase` they are given (the batch's transaction):
/// asking the pool for another connection inside one would wait on SQLite's single connection.
actor WriteBatcher {
    typealias Work = @Sendable (any SQLDatabase) async throws -> Void

    private struct Pending {
        let work: Work
        let continuation: CheckedContinuation<Void, any Error>
    }

    private let db: AppDatabase
    private let maxBatch: Int
    private var queue: [Pending] = []
    private var draining = false
    /// Batches committed and writes carried, for /metrics-style inspection in tests and benchmarks.
    private(set) var batches = 0
    private(set) var writes = 0

    init(db: AppDatabase, maxBatch: Int = 256) {
        self.db = db
        self.maxBatch = maxBatch
    }

    func submit(_ work: @escaping Work) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.append(Pending(work: work, continuation: continuation))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(maxBatch))
            queue.removeFirst(batch.count)
            let works = batch.map(\.work)
            do {
                let outcomes = try await commit(works)
                batches += 1
                writes += batch.count
                for (pending, outcome) in zip(batch, outcomes) {
                    switch outcome {
                    case .done: pending.continuation.resume()
                    case .failed(let error): pending.continuation.resume(throwing: error)
                    }
                }
            } catch {
                // The commit itself failed: none of the batch is written; each writer may retry.
                for pending in batch { pending.continuation.resume(throwing: error) }
            }
        }
        draining = false
    }

    /// Optimistically all in one go; if any work fails, the batch is rolled back and run again
    /// with a savepoint around each work, so that only the failing one is left out.
    private func commit(_ works: [Work]) async throws -> [WorkOutcome] {
        do {
            return try await db.transaction { sql -> [WorkOutcome] in
                for work in works { try await work(sql) }
                return works.map { _ in .done }
            }
        } catch where works.count > 1 {
            return try await db.transaction { sql -> [WorkOutcome] in
                var outcomes: [WorkOutcome] = []
                for (index, work) in works.enumerated() {
                    try await sql.raw("SAVEPOINT gc_\(unsafeRaw: String(index))").run()
                    do {
                        try await work(sql)
                        try await sql.raw("RELEASE SAVEPOINT gc_\(unsafeRaw: String(index))").run()
                        outcomes.append(.done)
                    } catch {
                        try await sql.raw("ROLLBACK TO SAVEPOINT gc_\(unsafeRaw: String(index))").run()
                        try await sql.raw("RELEASE SAVEPOINT gc_\(unsafeRaw: String(index))").run()
                        outcomes.append(.failed(error))
                    }
                }
                return outcomes
            }
        } catch {
            return [.failed(error)]
        }
    }

    private enum WorkOutcome: @unchecked Sendable {
        // `any Error` is not Sendable; the error is created in the transaction and only
        // handed, unchanged, to the one waiting writer it belongs to.
        case done
        case failed(any Error)
    }
}
