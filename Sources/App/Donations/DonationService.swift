import Crypto
import Foundation
import GoodcastCore
import Logging
import SQLKit

/// Taking a donation so that it is never lost or doubled (why this is enough: `DonationCharge`):
/// 1. a key seen before gets its stored answer, and nothing else happens;
/// 2. the card is charged with a processor idempotency key made from the donor and the key, and
///    the whole donation in the charge's metadata;
/// 3. the processor's answer is written once, in one commit: the key with the answer to replay,
///    the donation, its ledger postings and feed events. Only then is the donor answered.
/// A crash or a lost answer between 2 and 3 leaves a charge without a donation: the client's
/// retry with the same key gets the same charge back and writes it; so does the processor's
/// webhook, and the reconciliation pass that asks the processor for recent charges.
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

    /// Group commit for the hot path; nil writes each donation in a transaction of its own.
    var writer: DonationWriter?
    /// Payments started per account (shared with tickets and pledges); nil for none.
    var limiter: RateLimiter?
    /// How far back reconciliation first looks for charges without their donation (Stripe
    /// retries a webhook for three days).
    var reconcileLookback: TimeInterval = 3 * 86_400
    /// Up to where reconciliation has looked.
    let reconciled = ReconcileCursor()
    /// Searches at the processor for a refused retry's earlier charge, per node.
    let processorSearches = RateLimiter(limit: 300, windowSeconds: 60, clock: .system)

    static let messageMax = 280

    func donate(fundraiserID: UUID, donor: AccountRecord, key: String, body: Data, input: DonationInput) async throws -> IdempotencyStore.StoredResponse {
        let scope = DonationCharge.scope(donor: donor.id)
        let fingerprint = Self.fingerprint("POST /fundraisers/\(fundraiserID.lowercasedString)/donations", body)
        // A key already written gets its answer whatever the limits or the fundraiser say now.
        // This read also keeps a retry from charging again once the processor has forgotten
        // the key (Stripe keeps them for a day).
        if let existing = try await idempotency.find(scope: scope, key: key) {
            return try await replayOrResume(existing, fingerprint: fingerprint, scope: scope, key: key)
        }
        // Only a new key counts against the limit: a duplicate's count is given back.
        let account = donor.id.lowercasedString
        var counted: Date?
        var donation: NewDonation
        do {
            counted = try limiter?.check(account, what: "donations from this account")
            donation = try await validate(fundraiserID: fundraiserID, donor: donor, input: input)
        } catch let refusal as Problem where refusal.status == .conflict {
            // Refused by what has changed since a first attempt (the fundraiser ended): if that
            // attempt was charged and never written, this is its retry, and its answer is the
            // charge's. Asking costs a call to the processor, so this node asks at most a few
            // times a second (a viral fundraiser's end brings many refusals at once).
            if mayAskProcessor(), let answer = try await chargedEarlier(scope: scope, key: key, fingerprint: fingerprint) {
                limiter?.refund(account, window: counted)
                return answer
            }
            throw refusal
        }
        let outcome: DonationCharge.Settled.Outcome
        do throws(PaymentFailure) {
            let charge = try await processor.charge(ChargeRequest(
                amount: donation.gross, token: donation.paymentToken, idempotencyKey: DonationCharge.processorKey(scope: scope, key: key),
                description: "Goodcast donation to fundraiser \(fundraiserID.lowercasedString)",
                metadata: DonationCharge.metadata(donation, key: key, fingerprint: fingerprint)
            ))
            donation.id = DonationCharge.id(created: charge.created, scope: scope, key: key)
            outcome = .charged(charge)
        } catch .declined(let code, let message) {
            outcome = .unpaid(.declined, code: code, reason: message)
        } catch .rejected(let message) {
            outcome = .unpaid(.failed, code: "processor_rejected", reason: message)
        } catch .idempotencyConflict {
            // The key paid for another body, whose donation is not written yet (a crash, or in
            // flight): this request must neither charge nor take the key.
            limiter?.refund(account, window: counted)
            throw Self.keyReused
        } catch .outcomeUnknown(let reason) {
            logger.warning("payment outcome unknown", metadata: ["fundraiser": "\(fundraiserID)", "reason": "\(reason)"])
            throw Self.outcomeUnknown
        }
        let settled = DonationCharge.Settled(donation: donation, outcome: outcome, scope: scope, key: key, fingerprint: fingerprint,
                                             origin: .request, donorName: donor.displayName)
        switch try await write(settled) {
        case .recorded(_, let answer):
            return answer
        case .keyTaken(let existing):
            // A duplicate sent at the same moment, or the webhook was first: one donation either way.
            limiter?.refund(account, window: counted)
            guard let existing else {
                throw Problem(.requestInProgress, detail: "a request with this Idempotency-Key is being processed; retry in a moment", headers: [.retryAfter: "1"])
            }
            return try await replayOrResume(existing, fingerprint: fingerprint, scope: scope, key: key)
        case .notOurs:
            // Only a processor's charge is told this; a request's fundraiser and donor were just read.
            throw Problem.conflict("this fundraiser or account no longer exists")
        }
    }

    private func mayAskProcessor() -> Bool {
        do {
            try processorSearches.check("processor", what: "searches")
            return true
        } catch {
            return false
        }
    }

    /// The answer of an earlier attempt of this request whose charge was made but not written
    /// (a crash, a lost answer): the charge is written now. Nil when there is none (Stripe's
    /// search can lag a minute; the webhook writes it meanwhile).
    private func chargedEarlier(scope: String, key: String, fingerprint: String) async throws -> IdempotencyStore.StoredResponse? {
        guard let charge = try? await processor.findCharge(metadata: "charge_key", value: DonationCharge.processorKey(scope: scope, key: key)),
              let settled = DonationCharge.donation(from: charge, processor: processor.name), settled.scope == scope, settled.key == key
        else { return nil }
        switch try await write(settled) {
        case .recorded(_, let answer):
            // The charge is written either way; a request with another body is not its retry.
            guard settled.fingerprint == fingerprint else { throw Self.keyReused }
            return answer
        case .keyTaken(let existing):
            guard let existing else { return nil }
            return try await replayOrResume(existing, fingerprint: fingerprint, scope: scope, key: key)
        case .notOurs:
            return nil
        }
    }

    /// Writes a donation whose processor has answered: in the writer's next batch, or alone.
    /// A charge whose key turns out to hold another donation is reported (`AppMetrics.orphanCharges`).
    func write(_ settled: DonationCharge.Settled) async throws -> Written {
        try await Self.write(settled, writer: writer, db: db, clock: clock, idempotency: idempotency, logger: logger)
    }

    enum Written: Sendable {
        case recorded(DonationRecord, answer: IdempotencyStore.StoredResponse)
        /// The key was taken; its row as it is now (nil if it cannot be read yet).
        case keyTaken(IdempotencyStore.Row?)
        /// A charge from the processor that names a fundraiser or donor unknown here.
        case notOurs
    }

    static func write(_ settled: DonationCharge.Settled, writer: DonationWriter?, db: AppDatabase, clock: AppClock, idempotency: IdempotencyStore,
                      logger: Logger) async throws -> Written {
        let written: DonationWriter.Written
        do {
            if let writer {
                written = try await writer.record(settled)
            } else {
                let now = clock.now()
                written = try await db.transaction { sql in try await DonationWriter.write([settled], on: sql, at: now) }.first ?? .keyTaken
            }
        } catch where settled.origin == .processor && error.isConstraintViolation {
            // Its fundraiser or donor is not in this database: another environment's charge on a
            // shared processor account (every endpoint gets every event, every listing every
            // charge). Not ours to write, and no reason for the processor to send it again.
            logger.warning("a charge names a fundraiser or donor unknown here; left alone", metadata: ["donation": "\(settled.donation.id)"])
            return .notOurs
        }
        switch written {
        case .recorded(let record, let answer):
            return .recorded(record, answer: answer)
        case .keyTaken:
            let existing = try await idempotency.find(scope: settled.scope, key: settled.key)
            if case .charged(let charge) = settled.outcome, let existing, existing.resource_id != settled.donation.id {
                // A charge made under this key after another record took it: the key's processor
                // idempotency was forgotten (Stripe keeps it a day), or two bodies raced under one
                // key. The charge has no donation and never will by itself: someone must refund it.
                logger.critical("a charge has no donation: its Idempotency-Key holds another; refund it at the processor", metadata: [
                    "charge": "\(charge.id)", "amount": "\(charge.amount.amount) \(charge.amount.currency.code)",
                    "key_holds": "\(existing.resource_id)", "scope": "\(settled.scope)",
                ])
                AppMetrics.orphanCharges.increment()
            }
            return .keyTaken(existing)
        }
    }

    static let outcomeUnknown = Problem(
        .paymentOutcomeUnknown,
        detail: "the payment processor did not answer; retry with the same Idempotency-Key to get the outcome (you will not be charged twice)",
        headers: [.retryAfter: "2"]
    )
    static let keyReused = Problem(.idempotencyKeyReused, detail: "this Idempotency-Key was first used with a different request body; use a new key for a new donation")

    private func replayOrResume(_ existing: IdempotencyStore.Row, fingerprint: String, scope: String, key: String) async throws -> IdempotencyStore.StoredResponse {
        switch try IdempotencyStore.prior(existing, fingerprint: fingerprint, what: "donation") {
        case .replay(let response):
            return response
        case .resume(let id):
            return try await settle(id, scope: scope, key: key)
        }
    }

    /// A donation an older version wrote `pending` before its charge (and whose answer it never
    /// stored): charges it, or reads the outcome of the earlier attempt, and stores the answer.
    func settle(_ id: UUID, scope: String, key: String) async throws -> IdempotencyStore.StoredResponse {
        guard var donation = try await donations.find(id) else { throw Problem.notFound("donation \(id)") }
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
                try await donations.markSucceeded(id, charge: charge, processor: processor.name)
            case .failure(.declined(let code, let message)):
                try await donations.markUnpaid(id, status: .declined, code: code, message: message)
            case .failure(.rejected(let message)):
                try await donations.markUnpaid(id, status: .failed, code: "processor_rejected", message: message)
            case .failure(.idempotencyConflict):
                throw Self.keyReused
            case .failure(.outcomeUnknown(let reason)):
                logger.warning("payment outcome unknown", metadata: ["donation": "\(id)", "reason": "\(reason)"])
                throw Self.outcomeUnknown
            }
            donation = try await donations.find(id)!
        }
        let response = try Self.response(for: donation)
        if PendingPayments.answerIsFinal(status: donation.status.rawValue, failureCode: donation.failureCode) {
            try await idempotency.complete(scope: scope, key: key, response: response)
        }
        return response
    }

    static func response(for donation: DonationRecord) throws -> IdempotencyStore.StoredResponse {
        switch donation.status {
        case .succeeded, .pending:
            return .init(status: 201, body: DonationOutput(donation).jsonText)
        case .declined:
            let problem = Problem(.paymentDeclined, detail: "the card was declined (\(donation.failureCode ?? "card_declined")): \(donation.failureMessage ?? "")")
            return .init(status: 402, body: try APIJSON.string(problem.body(instance: nil)))
        case .failed:
            let problem = Problem(.paymentRejected, detail: "the payment processor refused the payment: \(donation.failureMessage ?? "")",
                                  issues: [.init(field: "paymentToken", message: donation.failureMessage ?? "was refused")])
            return .init(status: 422, body: try APIJSON.string(problem.body(instance: nil)))
        }
    }

    /// A fundraiser with its nonprofit's status, read at most every few seconds: a viral
    /// fundraiser's gifts do not each read them.
    func cachedFundraiser(_ fundraiserID: UUID) async throws -> CachedFundraiser? {
        try await fundraiserCache.value(for: fundraiserID) { [fundraisers, nonprofits] in
            guard let record = try await fundraisers.find(fundraiserID) else { return nil }
            let verified = try await nonprofits.find(id: record.nonprofitId)?.status == .verified
            return CachedFundraiser(record: record, nonprofitVerified: verified)
        }
    }

    private func validate(fundraiserID: UUID, donor: AccountRecord, input: DonationInput) async throws -> NewDonation {
        let cached = try await cachedFundraiser(fundraiserID)
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
        let message = issues.check { () throws(ValidationIssue) in
            let message = try TextSanitizer.optional(input.message, field: "message", max: Self.messageMax)
            // The charge's metadata carries the message (Stripe: at most 500 characters a
            // value), and 280 characters of emoji or combining marks can be more than that.
            if let message, message.utf16.count > DonationCharge.metadataValueMax {
                throw ValidationIssue(field: "message", message: "is too long once encoded (\(message.utf16.count) UTF-16 units, at most \(DonationCharge.metadataValueMax)): use fewer emoji or accents")
            }
            return message
        }
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
            // Replaced by the charge's id once the processor has charged (see `DonationCharge.id`).
            id: UUID.timeOrdered(at: clock.now()), fundraiserId: fundraiser.id, nonprofitId: fundraiser.nonprofitId, donor: donor.id, gift: gift!, gross: gross, estimatedFee: estimatedFee,
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

    /// Writes what the processor charged and Goodcast did not record: donations that older
    /// versions left pending, and charges whose request never came back (a crash between the
    /// charge and its commit) and whose webhook was lost. Runs at start-up and every minute.
    func reconcile(olderThan age: TimeInterval = 30) async throws -> Int {
        var settled = 0
        for donation in try await donations.stalePending(olderThan: age) {
            do {
                if let charge = try await processor.findCharge(metadata: "donation_id", value: donation.id.lowercasedString) {
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
        return settled + (try await recordMissingCharges(olderThan: age))
    }

    /// Charges made since the last pass whose donation is not written: each is written from its
    /// metadata. A younger charge may still be committing; the next pass sees it.
    private func recordMissingCharges(olderThan age: TimeInterval) async throws -> Int {
        let now = clock.now()
        let until = now.addingTimeInterval(-age)
        // Never further back than the lookback, whatever the cursor says.
        let since = max(await reconciled.since ?? .distantPast, now.addingTimeInterval(-reconcileLookback))
        var candidates: [DonationCharge.Settled] = []
        var oldestFailed: Date?
        var latest: Date?
        for charge in try await processor.charges(createdSince: since) {
            latest = max(latest ?? charge.created, charge.created)
            guard charge.created <= until, let settled = DonationCharge.donation(from: charge, processor: processor.name) else { continue }
            candidates.append(settled)
        }
        let written = try await donations.existing(candidates.map(\.donation.id))
        var recorded = 0
        for settled in candidates where !written.contains(settled.donation.id) {
            do {
                if case .recorded = try await write(settled) {
                    recorded += 1
                    logger.notice("donation recorded from its charge", metadata: ["donation": "\(settled.donation.id)"])
                }
            } catch {
                // The rest are still written; the cursor stops before this one, so the next
                // pass tries it again (until it is older than the lookback).
                logger.warning("reconciliation deferred", metadata: ["donation": "\(settled.donation.id)", "error": "\(error)"])
                let created = Date(timeIntervalSince1970: TimeInterval(settled.donation.id.timeOrderedMilliseconds ?? 0) / 1000)
                oldestFailed = min(oldestFailed ?? created, created)
            }
        }
        // The next pass starts `age` before the newest charge seen, by the processor's clock:
        // a charge made after this listing is dated after that, however far this machine's
        // clock is from the processor's. Charges are dated to the second: one more is kept.
        if let latest {
            let next = min(until, latest.addingTimeInterval(-age), oldestFailed ?? .distantFuture)
            await reconciled.advance(to: next.addingTimeInterval(-1))
        }
        return recorded
    }
}

/// How far reconciliation has looked at the processor's charges.
actor ReconcileCursor {
    private(set) var since: Date?

    func advance(to date: Date) {
        since = max(since ?? date, date)
    }
}
