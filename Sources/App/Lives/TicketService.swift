import Foundation
import GoodcastCore
import Logging
import SQLKit

/// Tickets to paid-entry lives, through the same payment path as donations: the key and a
/// pending ticket are written first, then the processor is asked (with the ticket's own
/// idempotency key), then the outcome and its ledger postings commit together. A retry with
/// the same Idempotency-Key replays the answer; an unknown outcome is asked again.
struct TicketService: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let lives: LiveService
    let idempotency: IdempotencyStore
    let processor: any PaymentProcessor
    let logger: Logger
    /// Payments started per account (shared with donations and pledges); nil for none.
    var limiter: RateLimiter?

    struct TicketRow: Decodable, Sendable {
        let id: UUID
        let live_id: UUID
        let account_id: UUID
        let amount: Int64
        let currency: String
        let status: String
        let processor: String
        let payment_token: String
        let charge_id: String?
        let failure_code: String?
        let created_at: Date
        let completed_at: Date?

        static let columns = ["id", "live_id", "account_id", "amount", "currency", "status", "processor", "payment_token", "charge_id", "failure_code", "created_at", "completed_at"]
        var price: Money { Money(amount, Currency.supported[currency] ?? .usd) }
    }

    func buy(liveID: UUID, by account: AccountRecord, key: String, body: Data, input: TicketInput) async throws -> IdempotencyStore.StoredResponse {
        let scope = "ticket:\(account.id.lowercasedString)"
        let fingerprint = DonationService.fingerprint("POST /lives/\(liveID.lowercasedString)/tickets", body)
        if let existing = try await idempotency.find(scope: scope, key: key) {
            switch try IdempotencyStore.prior(existing, fingerprint: fingerprint, what: "ticket") {
            case .replay(let response): return response
            case .resume(let id): return try await settle(id, scope: scope, key: key)
            }
        }
        // Only a new key counts: a retry must always learn its answer.
        try limiter?.check(account.id.lowercasedString, what: "payments from this account")
        let token = input.paymentToken?.trimmingCharacters(in: .whitespaces) ?? ""
        if let issue = DonationService.checkPaymentToken(token) { throw Problem.validation(issue) }
        guard let live = try await lives.find(liveID) else { throw Problem.notFound("live \(liveID)") }
        guard let price = live.ticketPrice else { throw Problem.conflict("this live is free to watch: it sells no tickets") }
        guard live.status == .scheduled || live.status == .live else { throw Problem.conflict("this live is \(live.statusName): it sells no more tickets") }
        guard live.hostId != account.id else { throw Problem.conflict("the host needs no ticket to their own live") }
        let ticketID = UUID()
        let now = clock.now()
        do {
            try await db.transaction { sql in
                // One buyer at a time per live: an account never holds two tickets to it.
                try await FeedLog.lock([liveID], on: sql)
                struct Row: Decodable { let id: UUID }
                let held = try await sql.select().column("id").from("live_tickets")
                    .where("live_id", .equal, SQLBind(liveID)).where("account_id", .equal, SQLBind(account.id))
                    .where("status", .in, SQLBind.group(["pending", "active"])).first(decoding: Row.self)
                if held != nil { throw Problem.conflict("you already have a ticket to this live") }
                try await sql.insert(into: "live_tickets").columns(TicketRow.columns)
                    .values(SQLBind(ticketID), SQLBind(liveID), SQLBind(account.id), SQLBind(price.amount), SQLBind(price.currency.code),
                            SQLBind("pending"), SQLBind(processor.name), SQLBind(token), SQLBind(String?.none), SQLBind(String?.none), SQLBind(now), SQLBind(Date?.none))
                    .run()
                try await IdempotencyStore.insert(scope: scope, key: key, fingerprint: fingerprint, resource: ticketID, at: now, on: sql)
            }
        } catch where error.isConstraintViolation {
            throw Problem(.requestInProgress, detail: "a ticket purchase with this Idempotency-Key is being processed; retry in a moment", headers: [.retryAfter: "1"])
        }
        return try await settle(ticketID, scope: scope, key: key)
    }

    func find(_ id: UUID, on sql: (any SQLDatabase)? = nil) async throws -> TicketRow? {
        try await (sql ?? db.sql).select().columns(TicketRow.columns.map { SQLColumn($0) }).from("live_tickets")
            .where("id", .equal, SQLBind(id)).first(decoding: TicketRow.self)
    }

    private func settle(_ id: UUID, scope: String, key: String) async throws -> IdempotencyStore.StoredResponse {
        guard var ticket = try await find(id), let live = try await lives.find(ticket.live_id) else { throw Problem.notFound("ticket \(id)") }
        if ticket.status == "pending" {
            let outcome: Result<ProcessorCharge, PaymentFailure>
            do {
                outcome = .success(try await processor.charge(ChargeRequest(
                    amount: ticket.price, token: ticket.payment_token, idempotencyKey: "ticket-\(id.lowercasedString)",
                    description: "Goodcast ticket: \(live.title)",
                    metadata: ["ticket_id": id.lowercasedString, "live_id": live.id.lowercasedString]
                )))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let charge):
                _ = try await recordPaid(ticket, live: live, charge: charge)
            case .failure(.idempotencyConflict):
                // Its key is made from this ticket's id: another body under it is a defect, not a decline.
                throw Problem.conflict("the payment processor holds another payment under this ticket's key; nothing was charged by this request")
            case .failure(.declined(let code, _)), .failure(.rejected(let code)):
                _ = try await PendingPayments.markFailed("live_tickets", id: id, code: code, at: clock.now(), on: db.sql)
            case .failure(.outcomeUnknown(let reason)):
                logger.warning("ticket payment outcome unknown", metadata: ["ticket": "\(id)", "reason": "\(reason)"])
                throw Problem(.paymentOutcomeUnknown, detail: "the payment processor did not answer; retry with the same Idempotency-Key (you will not be charged twice)",
                              headers: [.retryAfter: "2"])
            }
            ticket = try await find(id)!
        }
        let response: IdempotencyStore.StoredResponse
        if ticket.status == "failed" {
            let problem = Problem(.paymentDeclined, detail: PendingPayments.failureDetail(code: ticket.failure_code))
            response = .init(status: 402, body: try APIJSON.string(problem.body(instance: nil)))
        } else {
            response = .init(status: 201, body: try APIJSON.string(TicketOutput(ticket, holder: nil)))
        }
        if PendingPayments.answerIsFinal(status: ticket.status, failureCode: ticket.failure_code) {
            try await idempotency.complete(scope: scope, key: key, response: response)
        }
        return response
    }

    /// The ticket paid by `charge`, with its sale posting, once; false if it was already settled
    /// (see `PendingPayments.claimPaid`). A ticket paid after its live was cancelled (its charge
    /// answered late) is refunded at once, as the cancellation would have refunded it. So is one
    /// paid late for a buyer who holds another ticket to the live (bought after this one was
    /// answered `not_charged`, as that answer says to): a second ticket would have been refused.
    func recordPaid(_ ticket: TicketRow, live: LiveRecord, charge: ProcessorCharge) async throws -> Bool {
        let recorded = try await recordSale(ticket, live: live, charge: charge)
        guard recorded, let current = try await lives.find(live.id), let paid = try await find(ticket.id) else { return recorded }
        let retry: String
        if current.status == .cancelled {
            retry = "ticket to a cancelled live not refunded yet; cancel the live again to retry"
        } else if try await holdsAnother(paid) {
            retry = "a second ticket to a live, paid late, not refunded yet; revoke it to refund it"
        } else {
            return recorded
        }
        do {
            try await refund(paid, live: current, to: "refunded")
        } catch {
            logger.warning("\(retry)", metadata: ["ticket": "\(ticket.id)", "error": "\(error)"])
        }
        return recorded
    }

    /// Whether the ticket's buyer holds another active ticket to its live.
    private func holdsAnother(_ ticket: TicketRow) async throws -> Bool {
        struct Row: Decodable { let id: UUID }
        return try await db.sql.select().column("id").from("live_tickets")
            .where("live_id", .equal, SQLBind(ticket.live_id)).where("account_id", .equal, SQLBind(ticket.account_id))
            .where("status", .equal, SQLBind("active")).where("id", .notEqual, SQLBind(ticket.id)).first(decoding: Row.self) != nil
    }

    private func recordSale(_ ticket: TicketRow, live: LiveRecord, charge: ProcessorCharge) async throws -> Bool {
        let now = clock.now()
        return try await db.transaction { sql in
            guard try await PendingPayments.claimPaid("live_tickets", id: ticket.id, to: "active", on: sql) else { return false }
            try await sql.update("live_tickets").set("charge_id", to: SQLBind(charge.id))
                .set("completed_at", to: SQLBind(now)).where("id", .equal, SQLBind(ticket.id)).run()
            try await LedgerStore.write(PostingRules.ticket(
                reference: "ticket:\(ticket.id.lowercasedString)", gross: ticket.price, fee: charge.fee,
                processor: processor.name, payee: Self.payee(live)
            ), on: sql, at: now)
            return true
        }
    }

    /// Tickets left pending (see `PendingPayments`): paid if the processor has their charge.
    func settlePending(olderThan age: TimeInterval) async throws -> Int {
        try await PendingPayments.settle("live_tickets", metadataKey: "ticket_id", olderThan: age, db: db, clock: clock, processor: processor, logger: logger) { id, charge in
            guard let ticket = try await find(id), let live = try await lives.find(ticket.live_id) else { return false }
            return try await recordPaid(ticket, live: live, charge: charge)
        }
    }

    static func payee(_ live: LiveRecord) -> TicketPayee {
        if let nonprofit = live.ticketNonprofitId { return .nonprofit(nonprofit.lowercasedString) }
        return .host(live.hostId.lowercasedString)
    }

    /// The live's tickets, for its host.
    func tickets(of live: LiveRecord) async throws -> [(ticket: TicketRow, holder: String)] {
        let rows = try await db.reader.select().columns(TicketRow.columns.map { SQLColumn($0) }).from("live_tickets")
            .where("live_id", .equal, SQLBind(live.id)).orderBy("created_at").all(decoding: TicketRow.self)
        struct Holder: Decodable { let id: UUID; let handle: String }
        let holders = rows.isEmpty ? [] : try await db.reader.select().columns("id", "handle").from("accounts")
            .where("id", .in, SQLBind.group(Array(Set(rows.map(\.account_id))))).all(decoding: Holder.self)
        let handles = Dictionary(uniqueKeysWithValues: holders.map { ($0.id, $0.handle) })
        return rows.map { ($0, handles[$0.account_id] ?? "") }
    }

    /// Takes a ticket's access away and gives its price back.
    func revoke(_ ticketID: UUID, live: LiveRecord) async throws -> TicketRow {
        guard let ticket = try await find(ticketID), ticket.live_id == live.id else { throw Problem.notFound("ticket \(ticketID) to this live") }
        guard ticket.status == "active" else { throw Problem.conflict("this ticket is \(ticket.status): only an active ticket can be revoked") }
        try await refund(ticket, live: live, to: "revoked")
        return try await find(ticketID)!
    }

    /// Cancels a live that has not ended: no more tickets, and every ticket sold is refunded.
    /// Safe to repeat: a second call refunds what the first could not.
    func cancel(_ live: LiveRecord) async throws -> (refunded: Int, failed: Int) {
        guard live.status != .ended else { throw Problem.conflict("this live has ended; refund tickets one by one instead") }
        if live.status != .cancelled {
            let now = clock.now()
            try await db.transaction { sql in
                try await sql.update("lives").set("status", to: SQLBind(LiveStatus.cancelled.rawValue)).set("ended_at", to: SQLBind(now))
                    .where("id", .equal, SQLBind(live.id)).run()
                try await FeedLog.append([(live.feedId, .liveEnded, ["liveId": .text(live.id.lowercasedString), "title": .text(live.title), "cancelled": .text("true")])],
                                         on: sql, at: now)
            }
        }
        var refunded = 0, failed = 0
        for (ticket, _) in try await tickets(of: live) where ticket.status == "active" {
            do {
                try await refund(ticket, live: live, to: "refunded")
                refunded += 1
            } catch {
                logger.warning("ticket refund failed; cancel again to retry", metadata: ["ticket": "\(ticket.id)", "error": "\(error)"])
                failed += 1
            }
        }
        return (refunded, failed)
    }

    private func refund(_ ticket: TicketRow, live: LiveRecord, to status: String) async throws {
        guard let charge = ticket.charge_id else { return }
        let done: ProcessorRefund
        do {
            done = try await processor.refund(chargeID: charge, amount: ticket.price, idempotencyKey: "ticket-refund-\(ticket.id.lowercasedString)")
        } catch {
            throw Problem(.paymentOutcomeUnknown, detail: "the payment processor did not refund the ticket (\(error)); try again", headers: [.retryAfter: "2"])
        }
        let now = clock.now()
        try await db.transaction { sql in
            guard try await StatusClaim.move("live_tickets", id: ticket.id, from: "active", to: status, on: sql) else { return }
            try await sql.update("live_tickets").set("completed_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(ticket.id)).run()
            try await LedgerStore.write([PostingRules.ticketRefund(
                reference: "ticket-refund:\(ticket.id.lowercasedString):\(done.id)", amount: ticket.price,
                processor: processor.name, payee: Self.payee(live)
            )], on: sql, at: now)
        }
    }
}
