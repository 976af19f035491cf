import Foundation
import GoodcastCore

/// The sandbox processor's books: payment intents, refunds and the webhook events they
/// cause, with Stripe's test-token behaviours. Shared by the in-process adapter and the
/// `goodcast sandbox-processor` HTTP server, so both behave the same.
actor SandboxBank {
    struct Intent: Sendable, Equatable {
        let id: String
        let amount: Money
        let fee: Money
        let token: String
        let metadata: [String: String]
        let created: Int
        var status: Status
        var refunded: Int64 = 0
        var disputed = false
        /// The dispute's events, kept so that a restart sends them again under the same ids (the
        /// server takes an event it has had as a duplicate), and how the bank closed it.
        var disputeOpened: String?
        var disputeClosed: String?
        var disputeOutcome: String?
        /// When its dispute last changed (seconds): what `resendDisputes` looks back to.
        var disputeChanged: Int?

        enum Status: String, Sendable { case succeeded, declined }
        var chargeID: String { "ch_" + id.dropFirst(3) }
    }

    enum Outcome: Sendable, Equatable {
        case succeeded(Intent)
        case declined(Intent, code: String, message: String)
        /// `tok_timeout`: the charge is made but the answer never comes.
        case noAnswer(Intent)
    }

    enum Failure: Error, Equatable, Sendable {
        case invalid(String)
        case idempotencyMismatch
        case notFound(String)
    }

    let fees: FeeSchedule
    private(set) var intents: [String: Intent] = [:]
    private var order: [String] = []
    /// Each intent's index in `order`, for paging.
    private var position: [String: Int] = [:]
    private var byIdempotencyKey: [String: (fingerprint: String, intentID: String)] = [:]
    private var refundKeys: [String: ProcessorRefund] = [:]
    private let events: SandboxEvents
    /// Where every change is written as it happens (see `SandboxBooks`); nil keeps it in memory.
    private let books: SandboxBooks?

    /// `lines`: the books as read back, oldest first; each line is an intent as it was after a change.
    init(fees: FeeSchedule = .standard, events: SandboxEvents, books: SandboxBooks? = nil, lines: [SandboxBooks.Line] = []) {
        self.fees = fees
        self.events = events
        self.books = books
        for line in lines {
            guard let currency = try? Currency.parse(line.currency), let status = Intent.Status(rawValue: line.status) else { continue }
            if intents[line.id] == nil {
                position[line.id] = order.count
                order.append(line.id)
            }
            intents[line.id] = Intent(
                id: line.id, amount: Money(line.amount, currency), fee: Money(line.fee, currency), token: line.token, metadata: line.metadata,
                created: line.created, status: status, refunded: line.refunded, disputed: line.disputed,
                disputeOpened: line.disputeOpened, disputeClosed: line.disputeClosed, disputeOutcome: line.disputeOutcome,
                disputeChanged: line.disputeChanged
            )
            if let key = line.key, let fingerprint = line.fingerprint { byIdempotencyKey[key] = (fingerprint, line.id) }
            if let key = line.refundKey, let id = line.refundID, let amount = line.refundAmount {
                refundKeys[key] = ProcessorRefund(id: id, chargeID: line.id, amount: Money(amount, currency))
            }
        }
        // `list` bisects on the time each was made. One process appends at a time, in that order,
        // but a file two processes wrote before they took turns may not be.
        let created = intents.mapValues(\.created)
        if zip(order, order.dropFirst()).contains(where: { created[$0]! > created[$1]! }) {
            order = order.enumerated().sorted { (created[$0.element]!, $0.offset) < (created[$1.element]!, $1.offset) }.map(\.element)
            position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, $0.offset) })
        }
    }

    /// Writes `intent` as it is now to the books, before the change is made in memory: a change
    /// that cannot be written is refused, as a processor that cannot record a payment refuses it.
    private func record(_ intent: Intent, key: String? = nil, fingerprint: String? = nil, refund: (key: String, made: ProcessorRefund)? = nil) throws(Failure) {
        guard let books else { return }
        do {
            try books.append(SandboxBooks.Line(
                id: intent.id, amount: intent.amount.amount, currency: intent.amount.currency.code, fee: intent.fee.amount, token: intent.token,
                metadata: intent.metadata, created: intent.created, status: intent.status.rawValue, refunded: intent.refunded, disputed: intent.disputed,
                key: key, fingerprint: fingerprint, refundKey: refund?.key, refundID: refund?.made.id, refundAmount: refund?.made.amount.amount,
                disputeOpened: intent.disputeOpened, disputeClosed: intent.disputeClosed, disputeOutcome: intent.disputeOutcome,
                disputeChanged: intent.disputeChanged
            ))
        } catch {
            throw .invalid("the sandbox could not record this in its books: \(error)")
        }
    }

    static let tokens = ["tok_visa", "tok_chargeDeclined", "tok_insufficientFunds", "tok_timeout", "tok_dispute"]

    func createIntent(amount: Money, token: String, idempotencyKey: String?, metadata: [String: String]) throws(Failure) -> Outcome {
        let fingerprint = "\(amount.amount)|\(amount.currency.code)|\(token)|" + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        if let key = idempotencyKey, let previous = byIdempotencyKey[key] {
            guard previous.fingerprint == fingerprint else { throw .idempotencyMismatch }
            // A replay answers, even for tok_timeout: only the first attempt goes unanswered.
            let intent = intents[previous.intentID]!
            return intent.status == .succeeded ? .succeeded(intent) : Self.decline(intent)
        }
        guard amount.amount > 0 else { throw .invalid("amount must be a positive integer") }
        guard Self.tokens.contains(token) else { throw .invalid("No such token: '\(token.prefix(40))'") }
        let succeeded = !(token == "tok_chargeDeclined" || token == "tok_insufficientFunds")
        let fee = succeeded ? ((try? fees.fee(for: amount)) ?? .zero(amount.currency)) : .zero(amount.currency)
        let disputed = succeeded && token == "tok_dispute"
        let created = max(Int(Date().timeIntervalSince1970), order.last.flatMap { intents[$0]?.created } ?? 0)
        let intent = Intent(
            id: "pi_" + Secrets.randomHex(byteCount: 12),
            amount: amount, fee: fee, token: token, metadata: metadata,
            // Never earlier than the intent before it, so that `order` stays in time order.
            created: created,
            status: succeeded ? .succeeded : .declined,
            disputed: disputed, disputeOpened: disputed ? SandboxEvents.newID() : nil, disputeChanged: disputed ? created : nil
        )
        try record(intent, key: idempotencyKey, fingerprint: idempotencyKey == nil ? nil : fingerprint)
        intents[intent.id] = intent
        position[intent.id] = order.count
        order.append(intent.id)
        if let key = idempotencyKey { byIdempotencyKey[key] = (fingerprint, intent.id) }
        if succeeded {
            events.emit(type: "payment_intent.succeeded", object: Self.wire(intent))
            if intent.disputed { sendOpening(intent, delay: 0.5) }
        } else {
            events.emit(type: "payment_intent.payment_failed", object: Self.wire(intent))
        }
        if token == "tok_timeout" { return .noAnswer(intent) }
        return succeeded ? .succeeded(intent) : Self.decline(intent)
    }

    static func decline(_ intent: Intent) -> Outcome {
        intent.token == "tok_insufficientFunds"
            ? .declined(intent, code: "insufficient_funds", message: "Your card has insufficient funds.")
            : .declined(intent, code: "card_declined", message: "Your card was declined.")
    }

    func refund(intentID: String, amount: Int64?, idempotencyKey: String?) throws(Failure) -> ProcessorRefund {
        if let key = idempotencyKey, let previous = refundKeys[key] { return previous }
        guard var intent = intents[intentID] else { throw .notFound("No such payment_intent: '\(intentID.prefix(40))'") }
        guard intent.status == .succeeded else { throw .invalid("This PaymentIntent has no successful charge to refund") }
        let value = amount ?? (intent.amount.amount - intent.refunded)
        guard value > 0, value <= intent.amount.amount - intent.refunded else {
            throw .invalid("Refund amount (\(value)) is greater than unrefunded amount on charge (\(intent.amount.amount - intent.refunded))")
        }
        intent.refunded += value
        let refund = ProcessorRefund(id: "re_" + intent.id.dropFirst(3) + "_\(intent.refunded)", chargeID: intent.id, amount: Money(value, intent.amount.currency))
        try record(intent, refund: idempotencyKey.map { ($0, refund) })
        intents[intentID] = intent
        if let key = idempotencyKey { refundKeys[key] = refund }
        events.emit(type: "charge.refunded", object: Self.wire(intent))
        return refund
    }

    /// Opens (or, with `won`, closes) a charge's dispute, as a bank would. A charge is disputed
    /// once, as at Stripe: opening or closing it again sends the same event again, under its id.
    func dispute(intentID: String, closeAs won: Bool?) throws(Failure) {
        guard var intent = intents[intentID], intent.status == .succeeded else { throw .notFound("No such charge") }
        let before = intent
        intent.disputed = true
        if won == nil, intent.disputeOpened == nil { intent.disputeOpened = SandboxEvents.newID() }
        if let won, intent.disputeClosed == nil {
            intent.disputeClosed = SandboxEvents.newID()
            intent.disputeOutcome = won ? "won" : "lost"
        }
        if intent != before {
            intent.disputeChanged = max(Int(Date().timeIntervalSince1970), intent.created)
            // In the books before it is sent: an event still queued when the process stops is sent again.
            try record(intent)
            intents[intentID] = intent
        }
        if won == nil { sendOpening(intent) } else { sendClose(intent) }
    }

    /// A dispute's opening, under the id it was first sent with (a new one for books written
    /// before the ids were kept).
    private func sendOpening(_ intent: Intent, delay: TimeInterval = 0) {
        events.emit(type: "charge.dispute.created", object: Self.disputeWire(intent, status: "needs_response"), delay: delay,
                    id: intent.disputeOpened ?? SandboxEvents.newID())
    }

    /// A dispute's close, under the id it was first sent with; nothing while it is open.
    private func sendClose(_ intent: Intent) {
        guard let closed = intent.disputeClosed, let outcome = intent.disputeOutcome else { return }
        events.emit(type: "charge.dispute.closed", object: Self.disputeWire(intent, status: outcome), id: closed)
    }

    /// Sends again the events of the disputes that changed since `since` (seconds): one may have
    /// been queued, or in its retries, when the process stopped, and a processor delivers every
    /// event at least once (Stripe retries for three days). Each goes under the id it was first
    /// sent with, as a processor's retry is, so the server takes one it has had as a duplicate.
    /// Payments need no such help: reconciliation lists their charges.
    func resendDisputes(since: Int) -> Int {
        var sent = 0
        // Every intent, once, at start-up: a dispute may change long after its charge was made.
        for id in order {
            guard let intent = intents[id], intent.disputed, (intent.disputeChanged ?? intent.created) >= since else { continue }
            // A close sent alone (no opening was asked for) is sent alone again.
            if intent.disputeOpened != nil || intent.disputeClosed == nil { sendOpening(intent) }
            sendClose(intent)
            sent += 1
        }
        return sent
    }

    func intent(_ id: String) -> Intent? { intents[id] }

    /// Where in `order` the intents made from `createdSince` (seconds) on begin. Intents are made
    /// in time order (see `createIntent`): found by bisection, not by reading every one before.
    private func firstIntent(createdSince: Int) -> Int {
        order.partitioningIndex { intents[$0]!.created >= createdSince }
    }

    func search(metadataKey: String, value: String) -> [Intent] {
        order.compactMap { intents[$0] }.filter { $0.metadata[metadataKey] == value }
    }

    /// A page of intents in the order they were made, from `createdSince` (seconds) on.
    func list(after: String?, createdSince: Int = 0, limit: Int) -> (items: [Intent], hasMore: Bool) {
        var start = firstIntent(createdSince: createdSince)
        if let after, let index = position[after] { start = max(start, index + 1) }
        let ids = order[start...]
        let page = ids.prefix(limit).compactMap { intents[$0] }
        return (page, ids.count > limit)
    }

    // MARK: the wire format (Stripe's, the subset Goodcast reads)

    /// A PaymentIntent with its latest charge, as Stripe's API answers and events carry it.
    /// Encodable structs rather than dictionaries: serializing a bridged dictionary was the
    /// sandbox's largest cost per charge.
    struct IntentWire: Encodable, SandboxWire {
        struct BalanceTransaction: Encodable, Sendable {
            var object = "balance_transaction"
            let fee: Int64
        }

        struct Charge: Encodable, Sendable {
            let id: String
            var object = "charge"
            let paymentIntent: String
            let amountRefunded: Int64
            let balanceTransaction: BalanceTransaction

            enum CodingKeys: String, CodingKey {
                case id, object, paymentIntent = "payment_intent", amountRefunded = "amount_refunded", balanceTransaction = "balance_transaction"
            }
        }

        let id: String
        var object = "payment_intent"
        let amount: Int64
        let currency: String
        let created: Int
        let status: String
        let metadata: [String: String]
        let amountRefunded: Int64
        let latestCharge: Charge

        enum CodingKeys: String, CodingKey {
            case id, object, amount, currency, created, status, metadata, amountRefunded = "amount_refunded", latestCharge = "latest_charge"
        }

        func write(_ json: inout JSONText) {
            json.field("id", id)
            json.field("object", object)
            json.field("amount", amount)
            json.field("currency", currency)
            json.field("created", created)
            json.field("status", status)
            json.field("metadata", metadata)
            json.field("amount_refunded", amountRefunded)
            json.object("latest_charge") { json in
                json.field("id", latestCharge.id)
                json.field("object", latestCharge.object)
                json.field("payment_intent", latestCharge.paymentIntent)
                json.field("amount_refunded", latestCharge.amountRefunded)
                json.object("balance_transaction") { json in
                    json.field("object", latestCharge.balanceTransaction.object)
                    json.field("fee", latestCharge.balanceTransaction.fee)
                }
            }
        }
    }

    /// A dispute on a charge.
    struct DisputeWire: Encodable, SandboxWire {
        var id: String
        var object = "dispute"
        var amount: Int64
        var currency: String
        var paymentIntent: String
        var charge: String
        var status: String
        var metadata: [String: String]

        enum CodingKeys: String, CodingKey {
            case id, object, amount, currency, paymentIntent = "payment_intent", charge, status, metadata
        }

        func write(_ json: inout JSONText) {
            json.field("id", id)
            json.field("object", object)
            json.field("amount", amount)
            json.field("currency", currency)
            json.field("payment_intent", paymentIntent)
            json.field("charge", charge)
            json.field("status", status)
            json.field("metadata", metadata)
        }
    }

    static func wire(_ intent: Intent) -> IntentWire {
        IntentWire(
            id: intent.id, amount: intent.amount.amount, currency: intent.amount.currency.code.lowercased(), created: intent.created,
            status: intent.status == .succeeded ? "succeeded" : "requires_payment_method", metadata: intent.metadata,
            amountRefunded: intent.refunded,
            latestCharge: .init(id: intent.chargeID, paymentIntent: intent.id, amountRefunded: intent.refunded, balanceTransaction: .init(fee: intent.fee.amount))
        )
    }

    static func disputeWire(_ intent: Intent, status: String) -> DisputeWire {
        DisputeWire(
            id: "dp_" + intent.id.dropFirst(3), amount: intent.amount.amount - intent.refunded, currency: intent.amount.currency.code.lowercased(),
            paymentIntent: intent.id, charge: intent.chargeID, status: status, metadata: intent.metadata
        )
    }
}
