import Foundation
import Logging
import SQLKit

/// Payments written pending before their processor is asked (tickets, pledges), whose answer
/// was never recorded: a crash between the charge and its commit, or an unknown outcome whose
/// caller did not retry. Left alone, the buyer has paid for nothing. Each charge names its row
/// in its metadata, so a pass asks the processor for it: the row is paid if the charge is
/// there; past `notChargedAfter` with none in the search nor in the list of charges since the
/// row was written, it failed (and a charge that turns up later still wins, see `claimPaid`).
/// The row's Idempotency-Key keeps no answer, so the caller's retry reads the outcome from the row.
/// Runs at start-up and every minute, beside donation reconciliation.
enum PendingPayments {
    static func settle(_ table: String, metadataKey: String, olderThan age: TimeInterval, notChargedAfter: TimeInterval = 600, db: AppDatabase,
                       clock: AppClock, processor: any PaymentProcessor, logger: Logger,
                       recordPaid: (UUID, ProcessorCharge) async throws -> Bool) async throws -> Int {
        struct Pending: Decodable { let id: UUID; let created_at: Date }
        let now = clock.now()
        let pending = try await db.sql.select().columns("id", "created_at").from(table)
            .where("status", .equal, SQLBind("pending")).where("created_at", .lessThan, SQLBind(now.addingTimeInterval(-age)))
            .orderBy("created_at").limit(500).all(decoding: Pending.self)
        var settled = 0
        for row in pending {
            let id = row.id.lowercasedString
            do {
                var charge = try await processor.findCharge(metadata: metadataKey, value: id)
                let overdue = row.created_at < now.addingTimeInterval(-notChargedAfter)
                if charge == nil, overdue {
                    // Before saying it was never charged: the processor's list, which does not lag
                    // as its search can, of what it charged since the row was written (by the
                    // processor's clock, which may be minutes from this machine's).
                    charge = try await processor.charges(createdSince: row.created_at.addingTimeInterval(-Self.clockSkew)).first { $0.metadata[metadataKey] == id }
                }
                if let charge {
                    if try await recordPaid(row.id, charge) {
                        settled += 1
                        logger.notice("pending payment recorded from its charge", metadata: ["table": "\(table)", "id": "\(row.id)", "charge": "\(charge.id)"])
                    }
                } else if overdue {
                    if try await markFailed(table, id: row.id, code: notCharged, at: now, on: db.sql) { settled += 1 }
                }
            } catch {
                logger.warning("pending payment not settled yet", metadata: ["table": "\(table)", "id": "\(row.id)", "error": "\(error)"])
            }
        }
        return settled
    }

    /// How far the processor's clock may be from this machine's, for the list of its charges.
    static let clockSkew: TimeInterval = 300

    /// The failure code of a row the processor never charged.
    static let notCharged = "not_charged"

    /// Moves a row to `paid` from pending, or from failed for want of a charge: a charge always
    /// wins over `not_charged` (the pass may decide that while a retry is charging), so that
    /// there is never a charge without its row. False if it was neither.
    static func claimPaid(_ table: String, id: UUID, to paid: String, on sql: any SQLDatabase) async throws -> Bool {
        struct Row: Decodable { let id: UUID }
        return try await sql.update(table).set("status", to: SQLBind(paid)).set("failure_code", to: SQLLiteral.null)
            .where("id", .equal, SQLBind(id))
            .where { $0.where("status", .equal, SQLBind("pending")).orWhere { $0.where("status", .equal, SQLBind("failed")).where("failure_code", .equal, SQLBind(notCharged)) } }
            .returning("id").all(decoding: Row.self).count == 1
    }

    /// Whether a settled row's answer may be kept for its Idempotency-Key. `not_charged` may
    /// still be overturned by a charge that turns up late (`claimPaid`; for a donation an older
    /// version wrote pending, its webhook): that answer is read from the row at each retry, so
    /// that a retry after the charge learns of the payment, not of its absence.
    static func answerIsFinal(status: String, failureCode: String?) -> Bool {
        !(status == "failed" && failureCode == notCharged)
    }

    /// What a failed payment's answer says: a decline, or a payment the processor never had.
    static func failureDetail(code: String?) -> String {
        code == notCharged
            ? "the payment was not completed: the processor never charged it; nothing was paid (send the request again with a new Idempotency-Key)"
            : "the card was declined (\(code ?? "card_declined"))"
    }

    /// Marks a pending row failed with `code`; false if it was no longer pending.
    static func markFailed(_ table: String, id: UUID, code: String, at now: Date, on sql: any SQLDatabase) async throws -> Bool {
        struct Row: Decodable { let id: UUID }
        return try await sql.update(table).set("status", to: SQLBind("failed")).set("failure_code", to: SQLBind(code))
            .set("completed_at", to: SQLBind(now)).where("id", .equal, SQLBind(id)).where("status", .equal, SQLBind("pending"))
            .returning("id").all(decoding: Row.self).count == 1
    }
}
