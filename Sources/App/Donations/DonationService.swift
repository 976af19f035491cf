import Crypto
import Foundation
import GoodcastCore
import Logging
import SQLKit

/// Taking a donation so that it is never lost or doubled:
/// 1. the `Idempotency-Key` and a `pending` donation are written durably, in one transaction;
/// 2. the card is charged with a processor idempotency key derived from the donation id, so a
///    retry (after a timeout or a crash) asks again for the same charge instead of a new one;
/// 3. success writes the donation and its ledger postings in one transaction, exactly once
///    whether the answer or the webhook comes first; then the response is stored for replay.
/// A lost answer leaves the donation pending: the client retries with the same key, or the
/// start-up reconciliation asks the processor.
struct DonationService: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let donations: DonationStore
    let fundraisers: FundraiserStore
    let nonprofits: NonprofitStore
    let idempotency: IdempotencyStore
    let processor: any PaymentProcessor
    let fees: FeeSchedule
    let limits: DonationLimits
    let logger: Logger
    /// A fundraiser and whether its nonprofit may receive money, for a couple of seconds: every
    /// gift to a viral live asks the same question.
    let fundraiserCache = ExpiringCache<UUID, CachedFundraiser>(ttl: 2)

    struct CachedFundraiser: Sendable {
        let record: FundraiserRecord
        let nonprofitVerified: Bool
    }

    /// Group commit for the hot path; nil writes each donation in its own transactions.
    var writer: DonationWriter?
    /// Payments started per account (shared with tickets and pledges); nil for none.
    var limiter: RateLimiter?

    static let messageMax = 280

    func donate(fundraiserID: UUID, donor: AccountRecord, key: String, body: Data, input: DonationInput) async throws -> IdempotencyStore.StoredResponse {
        let scope = "donation:\(donor.id.lowercasedString)"
        let fingerprint = Self.fingerprint("POST /fundraisers/\(fundraiserID.lowercasedString)/donations", body)
        guard let writer else { return try await donateAlone(fundraiserID: fundraiserID, donor: donor, scope: scope, key: key, fingerprint: fingerprint, input: input) }
        // With group commit, a new key is written without being looked up first (a read per
        // gift on the hot path); a retry learns its key was taken from the batch, and a retry
        // refused before it gets there (by the rate limit, or a fundraiser that has ended since)
        // looks its key up then: a retry must always learn its answer.
        // Only a new key counts against the limit: a retry's count is given back.
        let account = donor.id.lowercasedString
        var counted: Date?
        let donation: NewDonation
        do {
            counted = try await limiter?.check(account, what: "donations from this account")
            donation = try await validate(fundraiserID: fundraiserID, donor: donor, input: input)
        } catch {
            guard let existing = try await idempotency.find(scope: scope, key: key) else { throw error }
            await limiter?.refund(account, window: counted)
            return try await replayOrResume(existing, fingerprint: fingerprint, scope: scope, key: key)
        }
        switch try await writer.insertPending(donation, scope: scope, key: key, fingerprint: fingerprint) {
        case .written:
            break
        case .keyTaken(let sameBatch):
            await limiter?.refund(account, window: counted)
            guard let existing = try await idempotency.find(scope: scope, key: key) else {
                throw Problem(.requestInProgress, detail: "a request with this Idempotency-Key is being processed; retry in a moment", headers: [.retryAfter: "1"])
            }
            // A duplicate sent at the same moment as the request that won the key is told to
            // come back rather than charge alongside it.
            return try await replayOrResume(existing, fingerprint: fingerprint, scope: scope, key: key, concurrent: sameBatch)
        }
        return try await settle(donation.id, scope: scope, key: key, known: DonationRecord(pending: donation, at: clock.now()), donorName: donor.displayName)
    }

    /// Without group commit: the key is looked up, then written with the donation in a transaction of their own.
    private func donateAlone(fundraiserID: UUID, donor: AccountRecord, scope: String, key: String, fingerprint: String, input: DonationInput) async throws -> IdempotencyStore.StoredResponse {
        if let existing = try await idempotency.find(scope: scope, key: key) {
            return try await replayOrResume(existing, fingerprint: fingerprint, scope: scope, key: key)
        }
        // Only a new key counts: a retry must always learn its answer.
        try await limiter?.check(donor.id.lowercasedString, what: "donations from this account")
        let donation = try await validate(fundraiserID: fundraiserID, donor: donor, input: input)
        do {
            let now = clock.now()
            try await db.transaction { sql in
                try await IdempotencyStore.insert(scope: scope, key: key, fingerprint: fingerprint, resource: donation.id, at: now, on: sql)
                try await DonationStore.insertPending(donation, on: sql, at: now)
            }
        } catch where error.isConstraintViolation {
            // The same key at the same moment: one request won; answer as its retry would.
            guard let existing = try await idempotency.find(scope: scope, key: key) else { throw error }
            return try await replayOrResume(existing, fingerprint: fingerprint, scope: scope, key: key, concurrent: true)
        }
        return try await settle(donation.id, scope: scope, key: key, known: DonationRecord(pending: donation, at: clock.now()), donorName: donor.displayName)
    }

    private func replayOrResume(_ existing: IdempotencyStore.Row, fingerprint: String, scope: String, key: String, concurrent: Bool = false) async throws -> IdempotencyStore.StoredResponse {
        switch try IdempotencyStore.prior(existing, fingerprint: fingerprint, what: "donation") {
        case .replay(let response):
            return response
        case .resume where concurrent:
            throw Problem(.requestInProgress, detail: "a request with this Idempotency-Key is being processed; retry in a moment", headers: [.retryAfter: "1"])
        case .resume(let id):
            return try await settle(id, scope: scope, key: key)
        }
    }

    /// Charges a pending donation (or reads the outcome of an earlier attempt) and stores the answer.
    func settle(_ id: UUID, scope: String, key: String, known: DonationRecord? = nil, donorName: String? = nil) async throws -> IdempotencyStore.StoredResponse {
        // A donation this request has just written needs no read; a resumed one does.
        let found = if let known { known } else { try await donations.find(id) }
        guard var donation = found else { throw Problem.notFound("donation \(id)") }
        var answerStored = false
        if donation.status == .pending {
            let outcome: Result<ProcessorCharge, PaymentFailure>
            do {
                outcome = .success(try await processor.charge(ChargeRequest(
                    amount: donation.gross, token: donation.paymentToken, idempotencyKey: "donation-\(id.lowercasedString)",
                    description: "Goodcast donation \(id.lowercasedString)",
                    metadata: ["donation_id": id.lowercasedString, "fundraiser_id": donation.fundraiserId.lowercasedString]
                )))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let charge):
                // Success, its ledger postings and the answer to replay: one commit.
                if let writer {
                    let written = try await writer.succeed(.init(id: id, charge: charge, donorName: donorName), processor: processor.name)
                    answerStored = written.answerStored
                    if let record = written.record, record.status == .succeeded {
                        let response = try written.response ?? Self.response(for: record)
                        if !answerStored { try await idempotency.complete(scope: scope, key: key, response: response) }
                        return response
                    }
                } else {
                    try await donations.markSucceeded(id, charge: charge, processor: processor.name)
                }
            case .failure(.declined(let code, let message)):
                try await donations.markUnpaid(id, status: .declined, code: code, message: message)
            case .failure(.rejected(let message)):
                try await donations.markUnpaid(id, status: .failed, code: "processor_rejected", message: message)
            case .failure(.outcomeUnknown(let reason)):
                logger.warning("payment outcome unknown", metadata: ["donation": "\(id)", "reason": "\(reason)"])
                throw Problem(
                    .paymentOutcomeUnknown,
                    detail: "the payment processor did not answer; retry with the same Idempotency-Key to get the outcome (you will not be charged twice)",
                    headers: [.retryAfter: "2"]
                )
            }
            donation = try await donations.find(id)!
        }
        let response = try Self.response(for: donation)
        if !answerStored { try await idempotency.complete(scope: scope, key: key, response: response) }
        return response
    }

    static func response(for donation: DonationRecord) throws -> IdempotencyStore.StoredResponse {
        switch donation.status {
        case .succeeded, .pending:
            return .init(status: 201, body: try APIJSON.string(DonationOutput(donation)))
        case .declined:
            let problem = Problem(.paymentDeclined, detail: "the card was declined (\(donation.failureCode ?? "card_declined")): \(donation.failureMessage ?? "")")
            return .init(status: 402, body: try APIJSON.string(problem.body(instance: nil)))
        case .failed:
            let problem = Problem(.paymentRejected, detail: "the payment processor refused the payment: \(donation.failureMessage ?? "")",
                                  issues: [.init(field: "paymentToken", message: donation.failureMessage ?? "was refused")])
            return .init(status: 422, body: try APIJSON.string(problem.body(instance: nil)))
        }
    }

    private func validate(fundraiserID: UUID, donor: AccountRecord, input: DonationInput) async throws -> NewDonation {
        let cached = try await fundraiserCache.value(for: fundraiserID) { [fundraisers, nonprofits] in
            guard let record = try await fundraisers.find(fundraiserID) else { return nil }
            let verified = try await nonprofits.find(id: record.nonprofitId)?.status == .verified
            return CachedFundraiser(record: record, nonprofitVerified: verified)
        }
        guard let cached else { throw Problem.notFound("fundraiser \(fundraiserID)") }
        let fundraiser = cached.record
        guard fundraiser.isOpen(at: clock.now()) else { throw Problem.conflict("this fundraiser has ended") }
        guard cached.nonprofitVerified else {
            throw Problem.conflict("this fundraiser's nonprofit is not verified, so it cannot receive donations")
        }
        var issues = ValidationIssues()
        var gift: Money?
        if let amount = input.amount {
            gift = issues.check { () throws(ValidationIssue) in
                let money = try amount.parse(field: "amount")
                guard money.currency == fundraiser.currency else {
                    throw ValidationIssue(field: "amount.currency", message: "this fundraiser takes \(fundraiser.currency.code)")
                }
                try limits.check(money, field: "amount.amount")
                return money
            }
        } else {
            issues.add("amount", "is required, such as {\"amount\": 500, \"currency\": \"\(fundraiser.currency.code)\"}")
        }
        let token = input.paymentToken?.trimmingCharacters(in: .whitespaces) ?? ""
        if let issue = Self.checkPaymentToken(token) { issues.add(issue.field, issue.message) }
        let message = issues.check { () throws(ValidationIssue) in try TextSanitizer.optional(input.message, field: "message", max: Self.messageMax) }
        var visibility = DonationVisibility.public
        if let raw = input.visibility {
            if let parsed = DonationVisibility(rawValue: raw) { visibility = parsed } else { issues.add("visibility", "must be public, anonymous or hide-amount") }
        }
        if !issues.isEmpty { throw Problem.validation(issues) }
        let coverFees = input.coverFees ?? false
        let gross: Money
        do {
            gross = coverFees ? try fees.grossCovering(gift!) : gift!
        } catch {
            throw Problem.validation(ValidationIssue(field: "amount.amount", message: "is too large"))
        }
        let estimatedFee = (try? fees.fee(for: gross)) ?? .zero(gross.currency)
        return NewDonation(
            id: UUID.timeOrdered(at: clock.now()), fundraiser: fundraiser, donor: donor.id, gift: gift!, gross: gross, estimatedFee: estimatedFee,
            coverFees: coverFees, message: message ?? nil, visibility: visibility, paymentToken: token, processor: processor.name
        )
    }

    /// A processor token: visible ASCII, at most 255 characters.
    static func checkPaymentToken(_ token: String) -> ValidationIssue? {
        guard token.isEmpty || token.count > 255 || !token.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E }) else { return nil }
        return ValidationIssue(field: "paymentToken", message: "is required: a processor token of visible ASCII characters (in the sandbox: \(SandboxBank.tokens.joined(separator: ", ")))")
    }

    static func fingerprint(_ route: String, _ body: Data) -> String {
        var data = Data(route.utf8)
        data.append(0)
        data.append(body)
        return Secrets.hex(SHA256.hash(data: data))
    }

    /// Settles donations left pending by a crash or a lost answer: whatever the processor says
    /// happened is what Goodcast records. Runs at start-up and can run any time.
    func reconcile(olderThan age: TimeInterval = 30) async throws -> Int {
        var settled = 0
        for donation in try await donations.stalePending(olderThan: age) {
            do {
                if let charge = try await processor.findCharge(donationID: donation.id.lowercasedString) {
                    if try await donations.markSucceeded(donation.id, charge: charge, processor: processor.name) { settled += 1 }
                } else {
                    // Never charged (the crash came before the processor was asked). A retry of the
                    // same request would charge now; the donor is told by the failed status instead.
                    try await donations.markUnpaid(donation.id, status: .failed, code: "not_charged", message: "the payment was not completed")
                    settled += 1
                }
            } catch {
                logger.warning("reconciliation deferred", metadata: ["donation": "\(donation.id)", "error": "\(error)"])
            }
        }
        return settled
    }
}
