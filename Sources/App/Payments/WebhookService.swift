import Foundation
import GoodcastCore
import Logging
import SQLKit

/// The processor's webhooks: verified (400 on a bad signature), deduplicated by event id in
/// the same transaction as their effect, and correct in any order (a dispute's close may
/// arrive before its opening; a payment's success before or after the API call's answer).
struct WebhookService: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let donations: DonationStore
    let processor: any PaymentProcessor
    var processorName: String { processor.name }
    let secret: String
    let logger: Logger
    /// Donations recorded by this node lately (see `DonationWriter.recorded`).
    let recorded: ExpiringCache<UUID, Bool>
    /// Group commit, when on: a success learnt here joins the next batch.
    var writer: DonationWriter?

    /// True for a well-signed event of a payment's success this node has recorded lately:
    /// `handle` would take it and do nothing. Synchronous, for the sandbox in this process.
    func isRecordedPayment(payload: Data, signature: String) -> Bool {
        guard (try? WebhookSignature.verify(header: signature, payload: payload, secret: secret, now: clock.now())) != nil else { return false }
        return isRecordedPayment(payload)
    }

    /// Most events are a payment's success that the API call recorded already: a glance at
    /// the envelope is enough to drop them, without building the whole object tree.
    private func isRecordedPayment(_ payload: Data) -> Bool {
        Self.recordedPaymentGlance(payload).map { recorded.contains($0) } ?? false
    }

    func handle(payload: Data, signature: String?) async throws {
        do {
            try WebhookSignature.verify(header: signature, payload: payload, secret: secret, now: clock.now())
        } catch {
            throw Problem(.badRequest, detail: "the Stripe-Signature header is \(Self.describe(error))")
        }
        if isRecordedPayment(payload) { return }
        guard let event = (try? JSONSerialization.jsonObject(with: payload)) as? [String: Any],
              let id = event["id"] as? String, let type = event["type"] as? String,
              let object = (event["data"] as? [String: Any])?["object"] as? [String: Any]
        else { throw Problem(.malformedBody, detail: "the webhook is not a processor event") }
        guard [id, type].allSatisfy(Self.isShortVisibleASCII) else {
            throw Problem(.malformedBody, detail: "the event's id and type must be short visible ASCII")
        }

        switch type {
        case "payment_intent.succeeded":
            // Usually the API call has recorded it already: a read, no write. Otherwise this is
            // the recovery path (the answer was lost), and writing it is idempotent.
            guard var charge = StripeProcessor.charge(object), let donation = DonationCharge.donationID(for: charge),
                  !recorded.contains(donation), try await donations.find(donation)?.status != .succeeded else { return }
            if !StripeProcessor.carriesFee(object) {
                // Stripe's events name the latest charge without its balance transaction, so
                // without the fee: the processor is asked for the whole intent.
                guard let fetched = try await fetch(charge.id) else { return }
                charge = fetched
            }
            if let settled = DonationCharge.donation(from: charge, processor: processorName) {
                // The processor often sends this while the API call is still writing the same
                // donation: both join the writer's batches, where the key lets one in, instead
                // of the webhook taking the writer's one connection for a transaction of its own.
                _ = try await write(settled)
            } else if charge.metadata["donation_id"] != nil {
                // A donation an older version wrote pending before its charge.
                try await donations.markSucceeded(donation, charge: charge, processor: processorName)
            }
            return
        case "charge.dispute.created", "charge.dispute.funds_withdrawn", "charge.dispute.closed":
            break
        default:
            return // Nothing to do for the other events (refunds are recorded when Goodcast makes them).
        }
        let intent = object["payment_intent"] as? String
        let status = object["status"] as? String ?? ""
        let won = status == "won"
        // An inquiry (Stripe's `warning_*` statuses) asks questions and takes no money, and
        // closes without taking any: the ledger has nothing to post. One that escalates to a
        // chargeback has its funds withdrawn: that event opens the dispute here.
        if status.hasPrefix("warning_") {
            logger.notice("a payment inquiry, not a dispute: nothing taken", metadata: ["charge": "\(intent ?? "")", "status": "\(status)"])
            try await record(id: id, type: type) { _ in }
            return
        }
        try await record(id: id, type: type) { sql in
            switch type {
            case "charge.dispute.created", "charge.dispute.funds_withdrawn":
                // The same dispute announced twice (created, then its funds withdrawn) opens once.
                try await dispute(intent: intent, on: sql, close: nil)
            case "charge.dispute.closed":
                try await dispute(intent: intent, on: sql, close: won)
            default:
                break
            }
        }
    }

    private func write(_ settled: DonationCharge.Settled) async throws {
        _ = try await DonationService.write(settled, writer: writer, db: db, clock: clock, idempotency: IdempotencyStore(db: db), logger: logger)
    }

    private func fetch(_ chargeID: String) async throws -> ProcessorCharge? {
        do {
            return try await processor.charge(id: chargeID)
        } catch {
            // 503: the processor delivers the event again later.
            throw Problem(.unavailable, detail: "the processor could not be asked for charge \(chargeID.prefix(64)); deliver the event again later", headers: [.retryAfter: "5"])
        }
    }

    /// Runs `effect` and records the event in one transaction; a duplicate does nothing.
    private func record(id: String, type: String, effect: @escaping @Sendable (any SQLDatabase) async throws -> Void) async throws {
        let now = clock.now()
        do {
            try await db.transaction { sql in
                try await sql.insert(into: "webhook_events").columns("event_id", "processor", "type", "received_at")
                    .values(SQLBind(id), SQLBind(processorName), SQLBind(type), SQLBind(now)).run()
                try await effect(sql)
            }
        } catch where error.isConstraintViolation {
            logger.debug("duplicate webhook ignored", metadata: ["event": "\(id)"])
        }
    }

    static func isTicketOrPledge(charge: String, on sql: any SQLDatabase) async throws -> Bool {
        struct Row: Decodable { let id: UUID }
        for table in ["live_tickets", "pledges"] {
            if try await sql.select().column("id").from(table).where("charge_id", .equal, SQLBind(charge)).first(decoding: Row.self) != nil { return true }
        }
        return false
    }

    private func dispute(intent: String?, on sql: any SQLDatabase, close won: Bool?) async throws {
        guard let intent else { throw Problem(.malformedBody, detail: "the dispute names no payment_intent") }
        guard let donation = try await donations.find(chargeID: intent, on: sql) else {
            if try await Self.isTicketOrPledge(charge: intent, on: sql) {
                logger.warning("dispute on a ticket or pledge payment: settle it with the processor by hand", metadata: ["charge": "\(intent)"])
                return
            }
            // The charge was made but its donation is not recorded yet (its commit is in flight, or
            // a crash left it to reconciliation): refuse, so that the processor delivers it again
            // rather than the dispute being marked handled and lost.
            throw Problem(.unavailable, detail: "charge \(intent.prefix(64)) is not recorded yet; deliver the event again later", headers: [.retryAfter: "2"])
        }
        guard donation.status == .succeeded else {
            if donation.status == .pending {
                throw Problem(.unavailable, detail: "the donation of charge \(intent.prefix(64)) is still being recorded; deliver the event again later", headers: [.retryAfter: "2"])
            }
            logger.warning("dispute for a charge whose donation did not succeed", metadata: ["charge": "\(intent)", "status": "\(donation.status.rawValue)"])
            return
        }
        var balance = donation.balance
        let nonprofit = donation.nonprofitId.lowercasedString
        let fundraiser = donation.fundraiserId.uuidString
        let now = clock.now()
        var postings: [LedgerTransaction] = []
        var taken: Money?
        // A close that arrives first opens the dispute too, so the ledger sees both steps.
        if balance.dispute == .none {
            if let amount = balance.openDispute() {
                taken = amount
                postings.append(try PostingRules.dispute(reference: "dispute:\(donation.id.lowercasedString):open", amount: amount, processor: donation.processor, nonprofit: nonprofit, fundraiser: fundraiser))
            }
        }
        if let won, balance.dispute == .open, let left = balance.closeDispute(won: won) {
            // A win gives back what the opening took, not what is left now: a refund pending when
            // the dispute opened, and refused since, is back in the donation's balance but was
            // never disputed.
            var back = left
            if let taken { back = taken } else if let disputed = try await Self.disputed(donation, on: sql) { back = disputed }
            postings.append(try PostingRules.disputeWon(reference: "dispute:\(donation.id.lowercasedString):won", amount: back, processor: donation.processor, nonprofit: nonprofit, fundraiser: fundraiser))
        } else if let won, balance.dispute == .open {
            _ = balance.closeDispute(won: won)
        }
        guard balance.dispute != donation.dispute else { return }
        try await sql.update("donations").set("dispute", to: SQLBind(balance.dispute.rawValue)).where("id", .equal, SQLBind(donation.id)).run()
        guard !postings.isEmpty else { return }
        // The donation row first, then the feed: the order every writer takes its locks in.
        try await FeedLog.lock([donation.fundraiserId], on: sql)
        try await LedgerStore.write(postings, on: sql, at: now)
        // The live's total follows the money taken and given back, as it follows refunds.
        try await FeedLog.append(FeedTotals.events(for: [donation.fundraiserId], on: sql), on: sql, at: now)
    }

    /// What a donation's dispute took when it opened, as the ledger has it.
    private static func disputed(_ donation: DonationRecord, on sql: any SQLDatabase) async throws -> Money? {
        struct Entry: Decodable { let amount: Int64 }
        let entry = try await sql.select().column(SQLColumn("amount", table: "e"))
            .from(SQLAlias(SQLIdentifier("ledger_entries"), as: SQLIdentifier("e")))
            .join(SQLAlias(SQLIdentifier("ledger_transactions"), as: SQLIdentifier("t")), on: SQLColumn("id", table: "t"), .equal, SQLColumn("transaction_id", table: "e"))
            .where(SQLColumn("reference", table: "t"), .equal, SQLBind("dispute:\(donation.id.lowercasedString):open"))
            .where(SQLColumn("account", table: "e"), .equal, SQLBind(LedgerAccount.nonprofitPayable(donation.nonprofitId.lowercasedString).name))
            .first(decoding: Entry.self)
        return entry.map { Money(abs($0.amount), donation.currency) }
    }

    /// The donation a `payment_intent.succeeded` event names, read from the few fields that
    /// name it (the message, the token and the rest stay unread); nil for any other event, or
    /// one the glance cannot read, which the full reading then handles.
    static func recordedPaymentGlance(_ payload: Data) -> UUID? {
        guard let found = glance.read(payload), found[0] == .string("payment_intent.succeeded"),
              case .string(let id)? = found[1], isShortVisibleASCII(id),
              case .integer(let created)? = found[2]
        else { return nil }
        var metadata: [String: String] = [:]
        for (index, field) in identifyingMetadata.enumerated() {
            if case .string(let value)? = found[3 + index] { metadata[field] = value }
        }
        return DonationCharge.donationID(metadata: metadata, created: Date(timeIntervalSince1970: TimeInterval(created)))
    }

    /// The metadata fields that name a donation (see `DonationCharge.donationID`).
    private static let identifyingMetadata = ["donation_id", "goodcast", "donor_id", "idempotency_key"]
    /// The type, the id, the creation time, then the identifying metadata.
    private static let glance = JSONGlance(paths: [["type"], ["id"], ["data", "object", "created"]] + identifyingMetadata.map { ["data", "object", "metadata", $0] })

    static func isShortVisibleASCII(_ text: String) -> Bool {
        text.utf8.count <= 255 && text.unicodeScalars.allSatisfy { $0.value >= 0x21 && $0.value <= 0x7E }
    }

    static func describe(_ error: WebhookSignature.Failure) -> String {
        switch error {
        case .missing: "missing"
        case .malformed: "malformed"
        case .mismatch: "wrong: the payload was not signed with this endpoint's secret"
        case .tooOld: "too old"
        }
    }
}
