import Foundation
import GoodcastCore
import SQLKit

/// Group commit for the donation hot path: concurrent donations share one transaction, and
/// inside it one multi-row statement per table, so a batch of a hundred gifts costs a handful
/// of statements and one durable commit. Nobody is answered before their commit returns.
/// A batch that fails (rare: a constraint, a lost connection) is split and written one by one,
/// so that only the offending donation fails. A key already taken is not a failure: its
/// donation is left out and its request told.
actor DonationWriter {
    /// A charge that succeeded, from the API call or the processor's webhook; the batch stores
    /// the answer for the key that made the donation.
    struct Success: Sendable {
        let id: UUID
        let charge: ProcessorCharge
        /// The donor's display name for the feed, when the caller knows it (one read fewer).
        var donorName: String?
    }

    private enum Job: Sendable {
        case pending(NewDonation, scope: String, key: String, fingerprint: String)
        case success(Success, processor: String)
    }

    /// What a job wrote: the donation as it now is, and whether its answer was stored with it.
    struct Written: Sendable {
        let record: DonationRecord?
        let answerStored: Bool
        /// The answer stored with it, when it was (encoded once per gift).
        var response: IdempotencyStore.StoredResponse?
        /// For a pending donation: written, or left out because its key was taken already.
        var pending: PendingWrite?
    }

    /// What became of a pending donation.
    enum PendingWrite: Sendable, Equatable {
        case written
        /// Its key was taken: by an earlier request (a retry), or by another job of the same
        /// batch (a duplicate sent at the same moment).
        case keyTaken(sameBatch: Bool)
    }

    private struct Waiting {
        let job: Job
        let continuation: CheckedContinuation<Written, any Error>
    }

    private let db: AppDatabase
    private let clock: AppClock
    private let maxBatch: Int
    private var queue: [Waiting] = []
    private var draining = false
    private(set) var commits = 0
    private(set) var jobs = 0
    /// Donations this node recorded as succeeded in the last minute: the processor's webhook
    /// for them needs no database read.
    let recorded: ExpiringCache<UUID, Bool>

    init(db: AppDatabase, clock: AppClock, recorded: ExpiringCache<UUID, Bool>, maxBatch: Int = 200) {
        self.db = db
        self.clock = clock
        self.recorded = recorded
        self.maxBatch = maxBatch
    }

    /// Writes the key and the pending donation, durably, before the card is charged; when the
    /// key was taken already, writes nothing and says so.
    func insertPending(_ donation: NewDonation, scope: String, key: String, fingerprint: String) async throws -> PendingWrite {
        try await enqueue(.pending(donation, scope: scope, key: key, fingerprint: fingerprint)).pending ?? .written
    }

    /// Marks the donation succeeded with its ledger postings and stored answer; returns it.
    func succeed(_ success: Success, processor: String) async throws -> Written {
        try await enqueue(.success(success, processor: processor))
    }

    private func enqueue(_ job: Job) async throws -> Written {
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
                // the deadline the batch's donations get an outage error (503) and stay pending,
                // for the client's retry with its key or for reconciliation.
                let records = try await Deadline.run(after: AppDatabase.transactionDeadline, on: db.writerExecutor) { [db] in
                    try await db.transaction { sql in try await Self.write(jobs, on: sql, at: now) }
                }
                commits += 1
                self.jobs += batch.count
                await recorded.set(records.compactMap { $0.record?.status == .succeeded ? $0.record?.id : nil }, true)
                for (waiting, record) in zip(batch, records) { waiting.continuation.resume(returning: record) }
            } catch where batch.count > 1 {
                // Split: each job alone, so one bad job fails alone.
                for waiting in batch {
                    do {
                        let record = try await Deadline.run(after: AppDatabase.transactionDeadline, on: db.writerExecutor) { [db] in
                            try await db.transaction { sql in try await Self.write([waiting.job], on: sql, at: now) }
                        }
                        commits += 1
                        waiting.continuation.resume(returning: record.first ?? Written(record: nil, answerStored: false))
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

    /// The SQL of a batch: a few multi-row statements, whatever its size.
    private static func write(_ jobs: [Job], on sql: any SQLDatabase, at now: Date) async throws -> [Written] {
        var pending: [(NewDonation, String, String, String)] = []
        var successes: [(Success, String)] = []
        for job in jobs {
            switch job {
            case .pending(let donation, let scope, let key, let fingerprint): pending.append((donation, scope, key, fingerprint))
            case .success(let success, let processor): successes.append((success, processor))
            }
        }
        // The keys first: a key already taken inserts nothing, and its donation is not written.
        // The request learns it from `pending` and replays or resumes what the key made, so
        // that a new key costs no read before its write.
        var outcome: [UUID: PendingWrite] = [:]
        if !pending.isEmpty {
            struct Made: Decodable { let resource_id: UUID }
            let made = try await sql.insert(into: "idempotency_keys").columns("scope", "key", "fingerprint", "resource_id", "created_at")
                .rows(pending.map { [SQLBind($0.1), SQLBind($0.2), SQLBind($0.3), SQLBind($0.0.id), SQLBind(now)] })
                .ignoringConflicts(with: ["scope", "key"]).returning("resource_id").all(decoding: Made.self)
            let fresh = Set(made.map(\.resource_id))
            let won = pending.filter { fresh.contains($0.0.id) }
            let keysWonHere = Set(won.map { [$0.1, $0.2] })
            for (donation, scope, key, _) in pending {
                outcome[donation.id] = fresh.contains(donation.id) ? .written : .keyTaken(sameBatch: keysWonHere.contains([scope, key]))
            }
            if !won.isEmpty { try await DonationStore.insertPending(won.map(\.0), on: sql, at: now) }
        }
        var done: [UUID: Written] = [:]
        if !successes.isEmpty {
            let ids = successes.map(\.0.id)
            let current = try await sql.select().columns(DonationRecord.columns.map { SQLColumn($0) }).from("donations")
                .where("id", .in, SQLBind.group(ids)).for(.update).all(decoding: DonationRecord.self)
            let byID = Dictionary(uniqueKeysWithValues: current.map { ($0.id, $0) })
            var updated: [(DonationRecord, Success, String)] = []
            var seen: Set<UUID> = []
            for (success, processor) in successes {
                guard let record = byID[success.id], record.status != .succeeded, seen.insert(success.id).inserted else { continue }
                updated.append((record.succeeded(charge: success.charge, at: now), success, processor))
            }
            if !updated.isEmpty {
                let names = Dictionary(updated.compactMap { record, success, _ in success.donorName.map { (record.donorId, $0) } }, uniquingKeysWith: { first, _ in first })
                try await DonationStore.recordSuccesses(updated.map { ($0.0, $0.2) }, on: sql, at: now, donorNames: names)
                let answers: [(resource: UUID, response: IdempotencyStore.StoredResponse)] = try updated.map { ($0.0.id, try DonationService.response(for: $0.0)) }
                try await IdempotencyStore.complete(answers, on: sql)
                for ((record, _, _), (_, answer)) in zip(updated, answers) { done[record.id] = Written(record: record, answerStored: true, response: answer) }
            }
            for (success, _) in successes where done[success.id] == nil { done[success.id] = Written(record: byID[success.id], answerStored: false) }
        }
        return jobs.map { job in
            switch job {
            case .success(let success, _): done[success.id] ?? Written(record: nil, answerStored: false)
            case .pending(let donation, _, _, _): Written(record: nil, answerStored: false, pending: outcome[donation.id])
            }
        }
    }
}
