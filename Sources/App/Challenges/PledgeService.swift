import Foundation
import GoodcastCore
import Logging
import SQLKit

/// Per-video pledges, paid through the same path as donations and tickets: the key and a
/// pending pledge are written first, then the processor is charged with the pledge's own key,
/// then the outcome and its ledger postings commit together. At the end, what the budget did
/// not accrue is released and refunded to the sponsor.
struct PledgeService: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let challenges: ChallengeService
    let idempotency: IdempotencyStore
    let processor: any PaymentProcessor
    let logger: Logger
    /// Payments started per account (shared with donations and tickets); nil for none.
    var limiter: RateLimiter?

    /// A budget is at most a million major units (100,000,000.00 USD would be a typo).
    static func maxBudget(_ currency: Currency) -> Int64 { 1_000_000 * currency.minorPerMajor }

    func pledge(hashtag: String, by sponsor: AccountRecord, key: String, body: Data, input: PledgeInput) async throws -> IdempotencyStore.StoredResponse {
        let challenge = try await challenges.find(hashtag: hashtag)
        let scope = "pledge:\(sponsor.id.lowercasedString)"
        let fingerprint = DonationService.fingerprint("POST /challenges/\(challenge.id.lowercasedString)/pledges", body)
        if let existing = try await idempotency.find(scope: scope, key: key) {
            switch try IdempotencyStore.prior(existing, fingerprint: fingerprint, what: "pledge") {
            case .replay(let response): return response
            case .resume(let id): return try await settlePayment(id, scope: scope, key: key)
            }
        }
        // Only a new key counts: a retry must always learn its answer.
        try limiter?.check(sponsor.id.lowercasedString, what: "payments from this account")
        var issues = ValidationIssues()
        let perVideo = issues.check { () throws(ValidationIssue) in
            guard let raw = input.perVideo else { throw ValidationIssue(field: "perVideo", message: "is required, e.g. {\"amount\": 200, \"currency\": \"USD\"}") }
            let money = try raw.parse(field: "perVideo")
            guard money.isPositive else { throw ValidationIssue(field: "perVideo.amount", message: "must be more than zero") }
            return money
        }
        let budget = issues.check { () throws(ValidationIssue) in
            guard let raw = input.budget else { throw ValidationIssue(field: "budget", message: "is required, e.g. {\"amount\": 10000000, \"currency\": \"USD\"}") }
            let money = try raw.parse(field: "budget")
            guard money.isPositive else { throw ValidationIssue(field: "budget.amount", message: "must be more than zero") }
            guard money.amount <= Self.maxBudget(money.currency) else {
                throw ValidationIssue(field: "budget.amount", message: "must be at most \(MoneyFormat.format(Money(Self.maxBudget(money.currency), money.currency), language: "en"))")
            }
            return money
        }
        if let perVideo, let budget {
            if perVideo.currency != budget.currency { issues.add("budget.currency", "must be the currency of perVideo (\(perVideo.currency.code))") }
            else if perVideo.amount > budget.amount { issues.add("perVideo.amount", "must not be more than the budget") }
        }
        let token = input.paymentToken?.trimmingCharacters(in: .whitespaces) ?? ""
        if let issue = DonationService.checkPaymentToken(token) { issues.add(issue.field, issue.message) }
        if !issues.isEmpty { throw Problem.validation(issues) }
        guard challenge.nonprofitId != nil else {
            throw Problem.conflict("#\(challenge.hashtag) benefits no nonprofit, so it takes no pledges")
        }
        guard challenge.status(at: clock.now()) != .ended else { throw Problem.conflict("#\(challenge.hashtag) has ended; it takes no more pledges") }
        let id = UUID()
        let now = clock.now()
        do {
            try await db.transaction { sql in
                try await sql.insert(into: "pledges").columns(PledgeRecord.columns)
                    .values(SQLBind(id), SQLBind(challenge.id), SQLBind(sponsor.id), SQLBind(budget!.currency.code), SQLBind(perVideo!.amount),
                            SQLBind(budget!.amount), SQLBind(Int64(0)), SQLBind(Int64(0)), SQLBind("pending"), SQLBind(processor.name), SQLBind(token),
                            SQLBind(String?.none), SQLBind(String?.none), SQLBind(now), SQLBind(Date?.none), SQLBind(Date?.none))
                    .run()
                try await IdempotencyStore.insert(scope: scope, key: key, fingerprint: fingerprint, resource: id, at: now, on: sql)
            }
        } catch where error.isConstraintViolation {
            throw Problem(.requestInProgress, detail: "a pledge with this Idempotency-Key is being processed; retry in a moment", headers: [.retryAfter: "1"])
        }
        return try await settlePayment(id, scope: scope, key: key)
    }

    func find(_ id: UUID, on sql: (any SQLDatabase)? = nil) async throws -> PledgeRecord? {
        try await (sql ?? db.sql).select().columns(PledgeRecord.columns.map { SQLColumn($0) }).from("pledges")
            .where("id", .equal, SQLBind(id)).first(decoding: PledgeRecord.self)
    }

    /// The pledge funded by `charge`, with its funding postings, once; false if it was already
    /// settled (see `PendingPayments.claimPaid`).
    func recordFunded(_ pledge: PledgeRecord, charge: ProcessorCharge) async throws -> Bool {
        let now = clock.now()
        let id = pledge.id
        return try await db.transaction { sql in
            guard try await PendingPayments.claimPaid("pledges", id: id, to: "active", on: sql) else { return false }
            try await sql.update("pledges").set("charge_id", to: SQLBind(charge.id))
                .set("completed_at", to: SQLBind(now)).where("id", .equal, SQLBind(id)).run()
            let reference = "pledge:\(id.lowercasedString)"
            var postings = [try PostingRules.pledgeFunding(reference: reference, budget: pledge.budgetMoney, processor: processor.name, pledge: id.lowercasedString)]
            if charge.fee.isPositive { postings.append(try PostingRules.pledgeFundingFee(reference: reference, fee: charge.fee)) }
            try await LedgerStore.write(postings, on: sql, at: now)
            return true
        }
    }

    /// Pledges left pending (see `PendingPayments`): funded if the processor has their charge.
    func settlePending(olderThan age: TimeInterval) async throws -> Int {
        try await PendingPayments.settle("pledges", metadataKey: "pledge_id", olderThan: age, db: db, clock: clock, processor: processor, logger: logger) { id, charge in
            guard let pledge = try await find(id) else { return false }
            return try await recordFunded(pledge, charge: charge)
        }
    }

    private func settlePayment(_ id: UUID, scope: String, key: String) async throws -> IdempotencyStore.StoredResponse {
        guard var pledge = try await find(id) else { throw Problem.notFound("pledge \(id)") }
        if pledge.status == "pending" {
            let outcome: Result<ProcessorCharge, PaymentFailure>
            do {
                outcome = .success(try await processor.charge(ChargeRequest(
                    amount: pledge.budgetMoney, token: pledge.paymentToken, idempotencyKey: "pledge-\(id.lowercasedString)",
                    description: "Goodcast per-video pledge", metadata: ["pledge_id": id.lowercasedString]
                )))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let charge):
                _ = try await recordFunded(pledge, charge: charge)
            case .failure(.idempotencyConflict):
                // Its key is made from this pledge's id: another body under it is a defect, not a decline.
                throw Problem.conflict("the payment processor holds another payment under this pledge's key; nothing was charged by this request")
            case .failure(.declined(let code, _)), .failure(.rejected(let code)):
                _ = try await PendingPayments.markFailed("pledges", id: id, code: code, at: clock.now(), on: db.sql)
            case .failure(.outcomeUnknown(let reason)):
                logger.warning("pledge payment outcome unknown", metadata: ["pledge": "\(id)", "reason": "\(reason)"])
                throw Problem(.paymentOutcomeUnknown, detail: "the payment processor did not answer; retry with the same Idempotency-Key (you will not be charged twice)",
                              headers: [.retryAfter: "2"])
            }
            pledge = try await find(id)!
        }
        let response: IdempotencyStore.StoredResponse
        if pledge.status == "failed" {
            let problem = Problem(.paymentDeclined, detail: PendingPayments.failureDetail(code: pledge.failureCode))
            response = .init(status: 402, body: try APIJSON.string(problem.body(instance: nil)))
        } else {
            let sponsor = try await challenges.accounts.find(id: pledge.sponsorId)?.handle ?? ""
            response = .init(status: 201, body: try APIJSON.string(PledgeOutput(pledge, sponsor: sponsor)))
        }
        if PendingPayments.answerIsFinal(status: pledge.status, failureCode: pledge.failureCode) {
            try await idempotency.complete(scope: scope, key: key, response: response)
        }
        return response
    }

    /// Settles an ended challenge's pledges: accruals stay with the nonprofit, the rest of each
    /// budget is released and refunded to its sponsor. Safe to repeat: a settled pledge is skipped,
    /// and the processor's refund is keyed by the pledge.
    func settle(_ challenge: ChallengeRecord) async throws -> (settled: Int, returned: [Money]) {
        guard challenge.status(at: clock.now()) == .ended else {
            throw Problem.conflict("#\(challenge.hashtag) runs until \(ISO8601DateFormatter().string(from: challenge.endsAt)); settle it after it ends")
        }
        // A pledge left `settling` by a crash is picked up again: the processor's refund is keyed
        // by the pledge, so asking again returns the same refund.
        let pledges = try await db.reader.select().columns(PledgeRecord.columns.map { SQLColumn($0) }).from("pledges")
            .where("challenge_id", .equal, SQLBind(challenge.id)).where("status", .in, SQLBind.group(["active", "settling"])).all(decoding: PledgeRecord.self)
        let nonprofit = challenge.nonprofitId?.lowercasedString
        var settled = 0
        var returned: [String: Int64] = [:]
        for candidate in pledges {
            let id = candidate.id
            // Lock and read afresh; from `settling` on, no video accrues and no removal reverses,
            // so what is left and what was accrued are fixed.
            let fixed: PledgeRecord? = try await db.transaction { sql in
                guard let pledge = try await ChallengeEntries.lockedPledges(ids: [id], on: sql).first else { return nil }
                if pledge.status == "active" {
                    _ = try await StatusClaim.move("pledges", id: id, from: "active", to: "settling", on: sql)
                    return pledge
                }
                return pledge.status == "settling" ? pledge : nil
            }
            guard let pledge = fixed else { continue }
            let remaining = pledge.remaining
            var refundID: String?
            if remaining.isPositive, let charge = pledge.chargeId {
                do {
                    refundID = try await processor.refund(chargeID: charge, amount: remaining, idempotencyKey: "pledge-release-\(id.lowercasedString)").id
                } catch {
                    // Left `settling`: the next pass asks again with the same key.
                    logger.warning("pledge release refund failed; will retry", metadata: ["pledge": "\(id)", "error": "\(error)"])
                    continue
                }
            }
            let now = clock.now()
            let refund = refundID ?? ""
            let sponsor = pledge.sponsorId.lowercasedString
            let processorName = processor.name
            let won: Bool = try await db.transaction { sql in
                // Of two settlements at once, one finishes; the other posts nothing.
                guard try await StatusClaim.move("pledges", id: id, from: "settling", to: "settled", on: sql) else { return false }
                try await sql.update("pledges").set("released", to: SQLBind(remaining.amount)).set("settled_at", to: SQLBind(now))
                    .where("id", .equal, SQLBind(id)).run()
                let pledgeName = id.lowercasedString
                var postings: [LedgerTransaction] = []
                if pledge.accrued > 0, let nonprofit {
                    postings.append(try PostingRules.pledgeSettlement(reference: "pledge-settlement:\(pledgeName)", amount: pledge.accruedMoney, nonprofit: nonprofit))
                }
                if remaining.isPositive {
                    postings.append(try PostingRules.pledgeRelease(reference: "pledge-release:\(pledgeName)", amount: remaining, pledge: pledgeName, sponsor: sponsor))
                    postings.append(try PostingRules.sponsorRefund(reference: "pledge-refund:\(pledgeName):\(refund)", amount: remaining, processor: processorName, sponsor: sponsor))
                }
                try await LedgerStore.write(postings, on: sql, at: now)
                return true
            }
            guard won else { continue }
            settled += 1
            returned[remaining.currency.code, default: 0] += remaining.amount
        }
        // Settled only when nothing is left to settle (a failed refund, a payment still pending,
        // or one that succeeded after the end keep it open for the next pass).
        struct Count: Decodable { let n: Int }
        let open = try await db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("pledges")
            .where("challenge_id", .equal, SQLBind(challenge.id)).where("status", .in, SQLBind.group(["pending", "active", "settling"]))
            .first(decoding: Count.self)?.n ?? 0
        if open == 0 {
            try await db.sql.update("challenges").set("settled_at", to: SQLBind(clock.now())).where("id", .equal, SQLBind(challenge.id)).run()
        }
        return (settled, returned.sorted { $0.key < $1.key }.map { Money($0.value, Currency.supported[$0.key] ?? .usd) })
    }
}
