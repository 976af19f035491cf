@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
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
            let live = try await app.request(.post, "/api/v1/lives", json: #"{"title":"Cooking class","playbackUrl":"https://video.example/class.m3u8","ticket":{"price":{"amount":1500,"currency":"EUR"}}}"#, token: host).json()
            let id = live["id"] as! String
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
