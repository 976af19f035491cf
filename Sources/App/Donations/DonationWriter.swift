import Foundation
import GoodcastCore
import SQLKit

/// Group commit for the donation hot path: concurrent donations share one transaction, and
/// inside it one insert per table (on PostgreSQL one multi-row statement, on SQLite one kept
/// statement run per row), so a batch of a hundred gifts costs one durable commit. Nobody is answered before their commit returns.
/// A donation is written once, after its processor answered (see `DonationCharge`): its
/// `Idempotency-Key` with the answer to replay, its row, its ledger postings and feed events.
/// A batch that fails (rare: a lost connection) is split and written one by one, so that only
/// the offending donation fails. A key already taken is not a failure: its donation is left
/// out and its caller told.
actor DonationWriter {
    /// What became of a donation handed to the writer.
    enum Written: Sendable {
        /// Written by this job, with the answer stored for its key.
        case recorded(DonationRecord, answer: IdempotencyStore.StoredResponse)
        /// Its key was taken: by an earlier request, the processor's webhook or reconciliation,
        /// or another job of the same batch. The key's row says what it made.
        case keyTaken
    }

    /// A donation with its row and the answer to store for its key, made before it joins a
    /// batch: on the caller's thread, not the writer's, which every batch waits for. The row's
    /// times are when it was prepared; its ledger postings and feed events carry the batch's
    /// time, milliseconds later (at most the batch deadline under an outage).
    struct Prepared: Sendable {
        let job: DonationCharge.Settled
        let record: DonationRecord
        let answer: IdempotencyStore.StoredResponse

        init(_ job: DonationCharge.Settled, at now: Date) throws {
            self.job = job
            record = job.record(at: now)
            answer = try DonationService.response(for: record)
        }
    }

    private struct Waiting {
        let job: Prepared
        let continuation: CheckedContinuation<Written, any Error>
    }

    private let db: AppDatabase
    private let clock: AppClock
    private let maxBatch: Int
    private var queue: [Waiting] = []
    private var draining = false
    /// Donations this node recorded as succeeded in the last minute: the processor's webhook
    /// for them needs no database read.
    let recorded: ExpiringCache<UUID, Bool>

    init(db: AppDatabase, clock: AppClock, recorded: ExpiringCache<UUID, Bool>, maxBatch: Int = 200) {
        self.db = db
        self.clock = clock
        self.recorded = recorded
        self.maxBatch = maxBatch
    }

    /// Writes a donation whose processor has answered, with its key and answer, durably.
    nonisolated func record(_ settled: DonationCharge.Settled) async throws -> Written {
        try await enqueue(Prepared(settled, at: clock.now()))
    }

    private func enqueue(_ job: Prepared) async throws -> Written {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Waiting(job: job, continuation: continuation))
            if !draining {
                draining = true
                // On SQLite's writer thread: between one batch's commit and the next batch's
                // first statement, no hop to another thread (each one a wait for a core).
                Task(executorPreference: db.writerExecutor) { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(maxBatch))
            queue.removeFirst(batch.count)
            let jobs = batch.map(\.job)
            let now = clock.now()
            do {
                // A batch on a connection cut mid-transaction (the database restarting) can wait
                // for an answer that never comes; every later donation would queue behind it. Past
                // the deadline the batch's donations get an outage error (503) and are not
                // written here: the client's retry with its key, the processor's webhook or
                // reconciliation writes each of them, once.
                let records = try await Deadline.run(after: AppDatabase.transactionDeadline, on: db.writerExecutor) { [db] in
                    try await db.transaction { sql in try await Self.write(jobs, on: sql, at: now) }
                }
                recorded.set(records.compactMap { written in
                    if case .recorded(let record, _) = written, record.status == .succeeded { record.id } else { nil }
                }, true)
                for (waiting, record) in zip(batch, records) { waiting.continuation.resume(returning: record) }
            } catch where batch.count > 1 {
                // Split: each job alone, so one bad job fails alone.
                for waiting in batch {
                    do {
                        let record = try await Deadline.run(after: AppDatabase.transactionDeadline, on: db.writerExecutor) { [db] in
                            try await db.transaction { sql in try await Self.write([waiting.job], on: sql, at: now) }
                        }
                        waiting.continuation.resume(returning: record.first ?? .keyTaken)
                    } catch {
                        waiting.continuation.resume(throwing: error)
                    }
                }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
        draining = false
    }

    /// The SQL of a batch: a few inserts (`SQLRowsInsert`), whatever its size.
    static func write(_ jobs: [DonationCharge.Settled], on sql: any SQLDatabase, at now: Date) async throws -> [Written] {
        try await write(jobs.map { try Prepared($0, at: now) }, on: sql, at: now)
    }

    static func write(_ prepared: [Prepared], on sql: any SQLDatabase, at now: Date) async throws -> [Written] {
        let jobs = prepared.map(\.job)
        // One job per key: a duplicate sent at the same moment learns the written one's answer.
        // A request's job is preferred to the processor's (its caller then needs no read).
        var chosen: [[String]: Int] = [:]
        for (index, job) in jobs.enumerated() {
            let key = [job.scope, job.key]
            if let other = chosen[key], jobs[other].origin == .request || job.origin == .processor { continue }
            chosen[key] = index
        }
        // In key order: two nodes' batches that share keys (a webhook on one, the request on
        // the other) then wait for each other on PostgreSQL instead of deadlocking.
        let candidates = chosen.values.sorted { (jobs[$0].scope, jobs[$0].key) < (jobs[$1].scope, jobs[$1].key) }
        // The keys first, each with its answer: a key already taken inserts nothing, and its
        // donation is not written (whoever took it wrote the same donation, or another one).
        struct Made: Decodable { let resource_id: UUID }
        let made = try await SQLRowsInsert(
            into: "idempotency_keys", columns: ["scope", "key", "fingerprint", "resource_id", "created_at", "response_status", "response_body"],
            rows: candidates.map { index -> [any Encodable & Sendable] in
                let (job, record, answer) = (jobs[index], prepared[index].record, prepared[index].answer)
                return [job.scope, job.key, job.fingerprint, record.id, now, answer.status, answer.body]
            },
            onConflict: .doNothing(keys: ["scope", "key"]), returning: ["resource_id"]
        ).all(decoding: Made.self, on: sql)
        let won = Set(made.map(\.resource_id))
        var written: [Int: Written] = [:]
        var rows: [DonationRecord] = []
        var successes: [(record: DonationRecord, processor: String)] = []
        var names: [UUID: String] = [:]
        for index in candidates where won.contains(prepared[index].record.id) {
            let record = prepared[index].record
            written[index] = .recorded(record, answer: prepared[index].answer)
            rows.append(record)
            if record.status == .succeeded {
                successes.append((record, record.processor))
                if let name = jobs[index].donorName { names[record.donorId] = name }
            }
        }
        try await DonationStore.insert(rows, on: sql)
        try await DonationStore.postSuccesses(successes, on: sql, at: now, donorNames: names)
        return jobs.indices.map { written[$0] ?? .keyTaken }
    }
}
