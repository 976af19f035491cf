@testable import App
import Foundation
import GoodcastCore
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing

@Suite("Paid-entry lives")
struct TicketTests {
    /// An account's balance from the ledger's entries (credits are negative).
    func balance(_ app: TestHarness, _ account: String) async throws -> Int64 {
        struct Row: Decodable { let n: Int64? }
        return try await app.withCommands { commands in
            try await commands.services.db.sql.raw("SELECT CAST(SUM(amount) AS BIGINT) AS n FROM ledger_entries WHERE account = \(bind: account)")
                .first(decoding: Row.self)?.n ?? 0
        }
    }

    /// A live selling 15.00 EUR tickets, hosted by `host`; its id.
    func cookingClass(_ app: TestHarness, host: String) async throws -> String {
        try await app.request(.post, "/api/v1/lives", json: #"{"title":"Cooking class","playbackUrl":"https://video.example/class.m3u8","ticket":{"price":{"amount":1500,"currency":"EUR"}}}"#, token: host).json()["id"] as! String
    }

    func buy(_ app: TestHarness, _ live: String, token: String, key: String = UUID().uuidString, card: String = "tok_visa") async throws -> TestHarness.Reply {
        try await app.request(.post, "/api/v1/lives/\(live)/tickets", json: #"{"paymentToken":"\#(card)"}"#, token: token, headers: [.init("Idempotency-Key")!: key])
    }

    @Test("a ticket is bought once, into the ledger; only holders watch; revoking and cancelling refund", arguments: DatabaseKind.enabled)
    func tickets(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (hostID, host) = try await app.signUp("chef")
            let (_, fan) = try await app.signUp("fan")
            let (_, other) = try await app.signUp("other")
            let (_, broke) = try await app.signUp("broke")
            let id = try await cookingClass(app, host: host)
            #expect(try await app.request(.get, "/api/v1/lives/\(id)", token: fan).json()["playbackUrl"] == nil)

            // Bought once: a retry with the same key replays the answer; a second purchase is refused.
            let bought = try await buy(app, id, token: fan, key: "t-1")
            #expect(bought.status == .created, "\(bought.text)")
            #expect(try bought.json()["status"] as? String == "active")
            let replay = try await buy(app, id, token: fan, key: "t-1")
            #expect(replay.status == .created && replay.text == bought.text)
            #expect(try await buy(app, id, token: fan, key: "t-2").status == .conflict)
            #expect(try await app.request(.post, "/api/v1/lives/\(id)/tickets", json: #"{"paymentToken":"tok_chargeDeclined"}"#, token: fan,
                                          headers: [.init("Idempotency-Key")!: "t-1"]).status == .unprocessableContent)
            #expect(try await buy(app, id, token: broke, card: "tok_chargeDeclined").status == .init(code: 402))
            #expect(try await buy(app, id, token: host).status == .conflict)
            #expect(try await app.request(.post, "/api/v1/lives/\(id)/tickets", json: #"{}"#, token: other, headers: [.init("Idempotency-Key")!: "x"]).status == .unprocessableContent)
            #expect(try await app.request(.post, "/api/v1/lives/\(id)/tickets", json: #"{"paymentToken":"tok_visa"}"#, token: other).status == .badRequest)

            // The holder watches; others do not.
            let watched = try await app.request(.get, "/api/v1/lives/\(id)", token: fan).json()
            #expect(watched["playbackUrl"] as? String == "https://video.example/class.m3u8" && watched["canWatch"] as? Bool == true)
            #expect(try await app.request(.get, "/api/v1/lives/\(id)/feed", token: fan).status == .ok)
            #expect(try await app.request(.get, "/api/v1/lives/\(id)/feed", token: other).status == .forbidden)

            // The sale is in the ledger, to the host's account, net of the card fee.
            let payable = try await balance(app, "host:\(hostID.lowercased()):payable")
            #expect(payable == -(1500 - 74))

            // The host sees the ticket and revokes it: refunded, and the access is gone.
            let list = try await app.request(.get, "/api/v1/lives/\(id)/tickets", token: host).json()["items"] as! [[String: Any]]
            #expect(list.map { $0["holder"] as? String } == ["fan", "broke"])
            #expect(try await app.request(.get, "/api/v1/lives/\(id)/tickets", token: fan).status == .forbidden)
            let ticket = list[0]["id"] as! String
            let revoked = try await app.request(.post, "/api/v1/lives/\(id)/tickets/\(ticket)/revoke", token: host)
            #expect(try revoked.json()["status"] as? String == "revoked")
            #expect(try await app.request(.post, "/api/v1/lives/\(id)/tickets/\(ticket)/revoke", token: host).status == .conflict)
            #expect(try await app.request(.get, "/api/v1/lives/\(id)/feed", token: fan).status == .forbidden)

            // Cancelling refunds every ticket still active and stops sales.
            #expect(try await buy(app, id, token: other).status == .created)
            let cancelled = try await app.request(.post, "/api/v1/lives/\(id)/cancel", token: host).json()
            #expect(cancelled["refunded"] as? Int == 1 && cancelled["notYetRefunded"] as? Int == 0)
            #expect(try await app.request(.post, "/api/v1/lives/\(id)/cancel", token: host).json()["refunded"] as? Int == 0)
            #expect(try await buy(app, id, token: fan).status == .conflict)
            let statuses = try await app.request(.get, "/api/v1/lives/\(id)/tickets", token: host).json()["items"] as! [[String: Any]]
            #expect(statuses.map { $0["status"] as? String } == ["revoked", "failed", "refunded"])
            #expect(try await app.request(.post, "/api/v1/lives/\(id)/start", token: host).status == .conflict)
            // Nothing is left on the host's account but the fees the processor kept.
            let after = try await balance(app, "host:\(hostID.lowercased()):payable")
            #expect(after == 74 * 2)
        }
    }

    @Test("a ticket whose charge's answer never came is recorded from the charge by the pending pass, even while the search lags; one never charged fails, unless its charge turns up; ledger verify names them until then",
          arguments: DatabaseKind.enabled)
    func pendingTickets(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (_, host) = try await app.signUp("chef")
            let (_, fan) = try await app.signUp("fan")
            let (_, late) = try await app.signUp("late")
            let id = try await cookingClass(app, host: host)
            let liveID = UUID(uuidString: id)!
            // Charged, but the answer never came, and the fan does not retry.
            #expect(try await buy(app, id, token: fan, key: "lost", card: "tok_timeout").status == .serviceUnavailable)
            #expect(await app.bank.intents.count == 1)
            let latecomerTicket = try await app.withCommands { commands in
                let services = commands.services
                let sandbox = SandboxProcessor(bank: app.bank)
                func tickets(_ processor: any PaymentProcessor, clock: AppClock = .system) -> TicketService {
                    TicketService(db: services.db, clock: clock, lives: services.lives, idempotency: IdempotencyStore(db: services.db), processor: processor, logger: services.db.logger)
                }
                let before = try await LedgerVerifier(db: services.db, processor: sandbox).run()
                #expect(before.violations.contains { $0.contains("paid for ticket") && $0.contains("which is pending and names no charge") }, "\(before.violations)")
                // Never charged: the request was lost before the processor had it.
                let latecomer = try #require(try await services.accounts.find(handle: "late"))
                await #expect(throws: Problem.self) {
                    try await tickets(UnansweredProcessor(inner: sandbox, loses: .chargesBeforeMaking))
                        .buy(liveID: liveID, by: latecomer, key: "never", body: Data(#"{"paymentToken":"tok_visa"}"#.utf8), input: TicketInput(paymentToken: "tok_visa"))
                }
                // While the processor's search lags, nothing is decided...
                let lagging = UnansweredProcessor(inner: sandbox, loses: .searchLags)
                #expect(try await tickets(lagging).settlePending(olderThan: 0) == 0)
                // ...until ten minutes on, when its list of charges is read: the fan's is there, the latecomer's is not.
                let later = AppClock { Date().addingTimeInterval(660) }
                #expect(try await tickets(lagging, clock: later).settlePending(olderThan: 30) == 2)
                #expect(try await tickets(sandbox, clock: later).settlePending(olderThan: 30) == 0)
                let rows = try await tickets(sandbox).tickets(of: try #require(try await services.lives.find(liveID)))
                return try #require(rows.first { $0.holder == "late" }?.ticket)
            }
            #expect(latecomerTicket.status == "failed" && latecomerTicket.failure_code == "not_charged")
            // The fan watches, and the retry replays the ticket; nothing was charged twice.
            #expect(try await app.request(.get, "/api/v1/lives/\(id)", token: fan).json()["canWatch"] as? Bool == true)
            let retry = try await buy(app, id, token: fan, key: "lost", card: "tok_timeout")
            #expect(retry.status == .created, "\(retry.text)")
            #expect(try retry.json()["status"] as? String == "active")
            #expect(await app.bank.intents.count == 1)
            let refused = try await buy(app, id, token: late, key: "never")
            #expect(refused.status == .init(code: 402), "\(refused.text)")
            #expect(try refused.json()["detail"] as? String == PendingPayments.failureDetail(code: "not_charged"))
            try await app.verifyLedger()

            // A charge for the latecomer's ticket that turns up after all (a retry that was charging
            // while the pass decided) still wins: never a charge without its ticket.
            try await app.withCommands { commands in
                let services = commands.services
                let sandbox = SandboxProcessor(bank: app.bank)
                let charge = try await sandbox.charge(ChargeRequest(
                    amount: latecomerTicket.price, token: "tok_visa", idempotencyKey: "ticket-\(latecomerTicket.id.lowercasedString)", description: "late",
                    metadata: ["ticket_id": latecomerTicket.id.lowercasedString, "live_id": id]
                ))
                #expect(try await LedgerVerifier(db: services.db, processor: sandbox).run().violations.contains { $0.contains("which is failed") })
                let tickets = TicketService(db: services.db, clock: .system, lives: services.lives, idempotency: IdempotencyStore(db: services.db), processor: sandbox,
                                            logger: services.db.logger)
                #expect(try await tickets.recordPaid(latecomerTicket, live: try #require(try await services.lives.find(liveID)), charge: charge))
                #expect(try await tickets.find(latecomerTicket.id)?.status == "active")
            }
            // The latecomer's retry with the same key now learns of the ticket, not of the 402
            // it was answered before the charge turned up.
            let afterCharge = try await buy(app, id, token: late, key: "never")
            #expect(afterCharge.status == .created, "\(afterCharge.text)")
            #expect(try afterCharge.json()["status"] as? String == "active")
            try await app.verifyLedger()
        }
    }

    @Test("a not_charged answer kept by an earlier version is dropped, even for a ticket paid since; a decline keeps its answer", arguments: DatabaseKind.enabled)
    func notChargedAnswersReopened(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (_, host) = try await app.signUp("chef")
            let (_, fan) = try await app.signUp("fan")
            let (_, broke) = try await app.signUp("broke")
            let id = try await cookingClass(app, host: host)
            #expect(try await buy(app, id, token: fan, key: "late").status == .created)
            #expect(try await buy(app, id, token: broke, key: "declined", card: "tok_chargeDeclined").status == .init(code: 402))
            let notCharged = try APIJSON.string(Problem(.paymentDeclined, detail: PendingPayments.failureDetail(code: PendingPayments.notCharged)).body(instance: nil))
            struct Stored: Decodable { let key: String; let response_status: Int? }
            let stored = try await app.withCommands { commands in
                let sql = commands.services.db.sql
                // What an earlier version left: the 402 it answered before the ticket's charge turned up.
                try await sql.update("idempotency_keys").set("response_status", to: SQLBind(402)).set("response_body", to: SQLBind(notCharged))
                    .where("key", .equal, SQLBind("late")).run()
                try await ReopenNotChargedAnswers().prepare(on: commands.services.db.fluent)
                return try await sql.select().columns("key", "response_status").from("idempotency_keys").where("key", .in, SQLBind.group(["late", "declined"]))
                    .orderBy("key").all(decoding: Stored.self)
            }
            #expect(stored.map(\.key) == ["declined", "late"] && stored.map(\.response_status) == [402, nil])
            let retry = try await buy(app, id, token: fan, key: "late")
            #expect(retry.status == .created, "\(retry.text)")
            #expect(try retry.json()["status"] as? String == "active")
            #expect(try await buy(app, id, token: broke, key: "declined", card: "tok_chargeDeclined").status == .init(code: 402))
            try await app.verifyLedger()
        }
    }

    @Test("a ticket paid late for a buyer who has bought another since is refunded at once: one ticket each", arguments: DatabaseKind.enabled)
    func latePaymentOfASecondTicket(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (_, host) = try await app.signUp("chef")
            let (fanID, fan) = try await app.signUp("fan")
            let id = try await cookingClass(app, host: host)
            // The ticket bought after an earlier attempt was answered not_charged...
            #expect(try await buy(app, id, token: fan, key: "again").status == .created)
            let (late, kept) = try await app.withCommands { commands in
                let services = commands.services
                let sandbox = SandboxProcessor(bank: app.bank)
                let liveID = try #require(UUID(uuidString: id))
                let fanUUID = try #require(UUID(uuidString: fanID))
                let live = try #require(try await services.lives.find(liveID))
                let tickets = TicketService(db: services.db, clock: .system, lives: services.lives, idempotency: IdempotencyStore(db: services.db), processor: sandbox,
                                            logger: services.db.logger)
                // ...and that earlier attempt's row, failed for want of a charge.
                let earlier = UUID()
                try await services.db.sql.insert(into: "live_tickets").columns(TicketService.TicketRow.columns)
                    .values(SQLBind(earlier), SQLBind(live.id), SQLBind(fanUUID), SQLBind(Int64(1_500)), SQLBind("EUR"), SQLBind("failed"),
                            SQLBind(sandbox.name), SQLBind("tok_visa"), SQLBind(String?.none), SQLBind(PendingPayments.notCharged), SQLBind(Date()), SQLBind(Date()))
                    .run()
                // Its charge turns up after all: recorded (never a charge without its ticket), then refunded.
                let charge = try await sandbox.charge(ChargeRequest(
                    amount: Money(1_500, .eur), token: "tok_visa", idempotencyKey: "ticket-\(earlier.lowercasedString)", description: "late",
                    metadata: ["ticket_id": earlier.lowercasedString, "live_id": id]
                ))
                #expect(try await tickets.recordPaid(try #require(try await tickets.find(earlier)), live: live, charge: charge))
                return (try await tickets.find(earlier), try await tickets.tickets(of: live).filter { $0.ticket.id != earlier }.map(\.ticket.status))
            }
            #expect(late?.status == "refunded")
            #expect(kept == ["active"])
            #expect(await app.bank.intents.values.filter { $0.refunded == 1_500 }.count == 1)
            #expect(try await app.request(.get, "/api/v1/lives/\(id)", token: fan).json()["canWatch"] as? Bool == true)
            try await app.verifyLedger()
        }
    }

    @Test("a ticket paid after its live was cancelled (its charge answered late) is refunded at once", arguments: DatabaseKind.enabled)
    func ticketPaidAfterCancellation(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (_, host) = try await app.signUp("chef")
            let (_, fan) = try await app.signUp("fan")
            let id = try await cookingClass(app, host: host)
            #expect(try await buy(app, id, token: fan, key: "lost", card: "tok_timeout").status == .serviceUnavailable)
            #expect(try await app.request(.post, "/api/v1/lives/\(id)/cancel", token: host).json()["refunded"] as? Int == 0)
            let retry = try await buy(app, id, token: fan, key: "lost", card: "tok_timeout")
            #expect(retry.status == .created, "\(retry.text)")
            #expect(try retry.json()["status"] as? String == "refunded")
            #expect(await app.bank.intents.values.first?.refunded == 1_500)
            #expect(try await app.request(.get, "/api/v1/lives/\(id)", token: fan).json()["canWatch"] as? Bool != true)
            try await app.verifyLedger()
        }
    }

    @Test("ticket revenue can go to a verified nonprofit; concurrent duplicates make one ticket", arguments: DatabaseKind.enabled)
    func nonprofitPayee(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, host) = try await app.signUp("band")
            let (_, fan) = try await app.signUp("fan")
            #expect(try await app.request(.post, "/api/v1/lives", json: #"{"title":"Gig","ticket":{"price":{"amount":500,"currency":"USD"},"nonprofitId":"\#(UUID())"}}"#, token: host).status == .unprocessableContent)
            let live = try await app.request(.post, "/api/v1/lives", json: #"{"title":"Gig","ticket":{"price":{"amount":500,"currency":"USD"},"nonprofitId":"\#(cause.nonprofit)"}}"#, token: host).json()
            let id = live["id"] as! String
            let replies = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<4 { group.addTask { try await buy(app, id, token: fan, key: "same").status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.contains(.created))
            #expect(replies.allSatisfy { $0 == .created || $0 == .conflict })
            let tickets = try await app.request(.get, "/api/v1/lives/\(id)/tickets", token: host).json()["items"] as! [[String: Any]]
            #expect(tickets.count == 1)
            let payable = try await balance(app, "nonprofit:\(cause.nonprofit.lowercased()):payable")
            #expect(payable == -(500 - 45))
        }
    }
}
