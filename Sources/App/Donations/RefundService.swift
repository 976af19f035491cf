import Foundation
import GoodcastCore
import Logging
import SQLKit

/// Full and partial refunds. The amount is reserved on the donation (in one transaction with
/// the refund row) before the processor is asked, so concurrent refunds can never return more
/// than was given; a failed refund releases its reservation.
struct RefundService: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let donations: DonationStore
    let idempotency: IdempotencyStore
    let processor: any PaymentProcessor
    let logger: Logger

    func refund(donationID: UUID, by account: AccountRecord, key: String, body: Data, input: RefundInput) async throws -> IdempotencyStore.StoredResponse {
        let scope = "refund:\(account.id.lowercasedString)"
        let fingerprint = DonationService.fingerprint("POST /donations/\(donationID.lowercasedString)/refunds", body)
        if let existing = try await idempotency.find(scope: scope, key: key) {
            switch try IdempotencyStore.prior(existing, fingerprint: fingerprint, what: "refund") {
            case .replay(let response): return response
            case .resume(let id): return try await settle(id, scope: scope, key: key)
            }
        }
        guard let donation = try await donations.find(donationID) else { throw Problem.notFound("donation \(donationID)") }
        let requested: Money?
        do { requested = try input.amount?.parse(field: "amount") } catch { throw Problem.validation(error) }
        guard donation.status == .succeeded, let chargeID = donation.chargeId else {
            throw Problem.conflict("only a succeeded donation can be refunded (this one is \(donation.statusName))")
        }
        _ = chargeID
        let refundID = UUID()
        let now = clock.now()
        do {
            try await db.transaction { sql in
                // Re-read under the lock: another refund may have reserved part of it meanwhile.
                guard let current = try await donations.find(donationID, on: sql, forUpdate: true) else { throw Problem.notFound("donation") }
                var balance = current.balance
                let amount: Money
                do throws(DonationBalance.RefundError) {
                    amount = try balance.refund(requested)
                } catch {
                    switch error {
                    case .exceedsRefundable(let remaining):
                        throw Problem.validation(ValidationIssue(field: "amount", message: "at most \(remaining.amount) (\(MoneyFormat.format(remaining, language: "en"))) can still be refunded"))
                    case .wrongCurrency(let expected):
                        throw Problem.validation(ValidationIssue(field: "amount.currency", message: "must be \(expected)"))
                    case .notPositive:
                        throw Problem.validation(ValidationIssue(field: "amount.amount", message: "must be positive"))
                    case .disputed:
                        throw Problem.conflict("this donation is disputed; it cannot be refunded while the dispute is open or after it was lost")
                    }
                }
                try await sql.update("donations").set("refunded", to: SQLBind(balance.refunded.amount)).where("id", .equal, SQLBind(donationID)).run()
                try await sql.insert(into: "refunds")
                    .columns("id", "donation_id", "amount", "currency", "status", "requested_by", "created_at")
                    .values(SQLBind(refundID), SQLBind(donationID), SQLBind(amount.amount), SQLBind(amount.currency.code),
                            SQLBind("pending"), SQLBind(account.id), SQLBind(now)).run()
                try await IdempotencyStore.insert(scope: scope, key: key, fingerprint: fingerprint, resource: refundID, at: now, on: sql)
            }
        } catch where error.isConstraintViolation {
            throw Problem(.requestInProgress, detail: "a refund with this Idempotency-Key is being processed; retry in a moment", headers: [.retryAfter: "1"])
        }
        return try await settle(refundID, scope: scope, key: key)
    }

    /// Refunds left pending: the processor was asked, or was about to be, and its answer was
    /// never recorded (a crash, or a lost answer whose caller did not retry). Until settled, the
    /// money may be back with the donor while the ledger still owes it to the nonprofit, and a
    /// payout would pay it out. Each is settled as its retry would be, with the same processor
    /// key: a refund the processor made is recorded once; one it never made is made now, since
    /// it was asked for. Past `keyLifetime` the processor may have forgotten the key (Stripe
    /// keeps them a day) and asking again could refund twice: those are left to a person, and
    /// `ledger verify` names them. Runs at start-up and every minute, with reconciliation.
    func settlePending(olderThan age: TimeInterval, keyLifetime: TimeInterval = 23 * 3_600) async throws -> Int {
        struct Pending: Decodable { let id: UUID; let created_at: Date }
        struct Count: Decodable { let n: Int }
        let now = clock.now()
        let window = now.addingTimeInterval(-keyLifetime)
        let stuck = try await db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("refunds")
            .where("status", .equal, SQLBind("pending")).where("created_at", .lessThanOrEqual, SQLBind(window)).first(decoding: Count.self)?.n ?? 0
        if stuck > 0 {
            logger.critical("refunds pending past the processor's idempotency window: check them at the processor and settle them by hand (ledger verify names them)",
                            metadata: ["count": "\(stuck)"])
        }
        let pending = try await db.sql.select().columns("id", "created_at").from("refunds")
            .where("status", .equal, SQLBind("pending")).where("created_at", .lessThan, SQLBind(now.addingTimeInterval(-age)))
            .where("created_at", .greaterThan, SQLBind(window)).orderBy("created_at").limit(500).all(decoding: Pending.self)
        var settled = 0
        for refund in pending {
            guard let (scope, key) = try await idempotency.key(for: refund.id) else {
                logger.warning("a pending refund has no Idempotency-Key; left alone", metadata: ["refund": "\(refund.id)"])
                continue
            }
            do {
                // Settling returns only once the refund has left pending (an unknown outcome throws).
                _ = try await settle(refund.id, scope: scope, key: key)
                settled += 1
                logger.notice("pending refund settled", metadata: ["refund": "\(refund.id)"])
            } catch {
                logger.warning("pending refund not settled yet", metadata: ["refund": "\(refund.id)", "error": "\(error)"])
            }
        }
        return settled
    }

    struct RefundRow: Decodable, Sendable {
        let id: UUID
        let donation_id: UUID
        let amount: Int64
        let currency: String
        let status: String
        let created_at: Date
    }

    func find(_ id: UUID, on sql: (any SQLDatabase)? = nil) async throws -> RefundRow? {
        try await (sql ?? db.sql).select().columns("id", "donation_id", "amount", "currency", "status", "created_at").from("refunds")
            .where("id", .equal, SQLBind(id)).first(decoding: RefundRow.self)
    }

    private func settle(_ refundID: UUID, scope: String, key: String) async throws -> IdempotencyStore.StoredResponse {
        guard var refund = try await find(refundID), let donation = try await donations.find(refund.donation_id) else {
            throw Problem.notFound("refund \(refundID)")
        }
        let currency = donation.currency
        // Why the processor refused, when it did in this call (told to the caller and stored for a replay).
        var refusal: String?
        if refund.status == "pending" {
            let amount = Money(refund.amount, currency)
            let reserved = refund.amount
            let outcome: Result<ProcessorRefund, PaymentFailure>
            do {
                outcome = .success(try await processor.refund(chargeID: donation.chargeId ?? "", amount: amount, idempotencyKey: "refund-\(refundID.lowercasedString)"))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let done):
                let now = clock.now()
                try await db.transaction { sql in
                    guard try await StatusClaim.move("refunds", id: refundID, from: "pending", to: "succeeded", on: sql) else { return }
                    try await FeedLog.lock([donation.fundraiserId], on: sql)
                    try await sql.update("refunds").set("processor_refund_id", to: SQLBind(done.id))
                        .set("completed_at", to: SQLBind(now)).where("id", .equal, SQLBind(refundID)).run()
                    try await LedgerStore.write([PostingRules.refund(
                        reference: "refund:\(refundID.lowercasedString)", amount: amount, processor: donation.processor,
                        nonprofit: donation.nonprofitId.lowercasedString, fundraiser: donation.fundraiserId.uuidString
                    )], on: sql, at: now)
                    // A gift whose donor hid its amount does not show it when it is refunded either.
                    let shown: [String: FeedValue] = donation.visibility == .hideAmount ? [:] : ["amount": .number(amount.amount), "currency": .text(amount.currency.code)]
                    let refunded: FeedLog.NewEvent = (donation.fundraiserId, .refund, ["donationId": .text(donation.id.lowercasedString)].merging(shown) { $1 })
                    try await FeedLog.append([refunded] + FeedTotals.events(for: [donation.fundraiserId], on: sql), on: sql, at: now)
                }
            case .failure(.outcomeUnknown(let reason)):
                logger.warning("refund outcome unknown", metadata: ["refund": "\(refundID)", "reason": "\(reason)"])
                throw Problem(.paymentOutcomeUnknown, detail: "the payment processor did not answer; retry with the same Idempotency-Key", headers: [.retryAfter: "2"])
            case .failure(let failure):
                switch failure {
                case .declined(_, let message), .rejected(let message): refusal = message
                case .idempotencyConflict, .outcomeUnknown: break
                }
                // Refused: nothing was returned; release the reservation.
                let now = clock.now()
                try await db.transaction { sql in
                    guard try await StatusClaim.move("refunds", id: refundID, from: "pending", to: "failed", on: sql) else { return }
                    try await sql.update("refunds").set("completed_at", to: SQLBind(now))
                        .where("id", .equal, SQLBind(refundID)).run()
                    try await sql.update("donations").set(SQLIdentifier("refunded"), to: SQLRaw("refunded - \(reserved)"))
                        .where("id", .equal, SQLBind(donation.id)).run()
                }
            }
            refund = try await find(refundID)!
        }
        let response: IdempotencyStore.StoredResponse
        if refund.status == "succeeded" {
            let output = RefundOutput(id: refund.id, donationId: refund.donation_id, amount: MoneyOutput(Money(refund.amount, currency)), status: refund.status, createdAt: refund.created_at)
            response = .init(status: 201, body: try APIJSON.string(output))
        } else {
            let problem = Problem(.paymentRejected, detail: "the payment processor refused the refund" + (refusal.map { ": \($0.prefix(200))" } ?? ""))
            response = .init(status: 422, body: try APIJSON.string(problem.body(instance: nil)))
        }
        try await idempotency.complete(scope: scope, key: key, response: response)
        return response
    }
}
