@testable import App
import Foundation
import GoodcastCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Hashtag challenges and per-video pledges")
struct ChallengeTests {
    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    /// A verified nonprofit's branded challenge, running from an hour ago for a day.
    func challenge(_ app: TestHarness, _ cause: TestHarness.Cause, hashtag: String = "#RedNoseDay", now: Date = Date()) async throws -> [String: Any] {
        let reply = try await app.request(.post, "/api/v1/challenges", json: """
            {"hashtag":"\(hashtag)","nonprofitId":"\(cause.nonprofit)","title":"Red Nose Day","startsAt":"\(Self.iso(now.addingTimeInterval(-3600)))",
             "endsAt":"\(Self.iso(now.addingTimeInterval(86_400)))","effect":"Red nose","branded":true}
            """, token: cause.ownerToken)
        guard reply.status == .created else { throw TestFailure("challenge: \(reply.status) \(reply.text)") }
        return try reply.json()
    }

    func pledge(_ app: TestHarness, _ hashtag: String, token: String, perVideo: Int64, budget: Int64, key: String = UUID().uuidString, card: String = "tok_visa") async throws -> TestHarness.Reply {
        try await app.request(.post, "/api/v1/challenges/\(hashtag)/pledges",
                              json: #"{"perVideo":{"amount":\#(perVideo),"currency":"USD"},"budget":{"amount":\#(budget),"currency":"USD"},"paymentToken":"\#(card)"}"#,
                              token: token, headers: [.init("Idempotency-Key")!: key])
    }

    /// An account's balance from the ledger's entries (credits are negative).
    func balance(_ app: TestHarness, _ account: String) async throws -> Int64 {
        struct Row: Decodable { let n: Int64? }
        return try await app.withCommands { commands in
            try await commands.services.db.sql.raw("SELECT CAST(SUM(amount) AS BIGINT) AS n FROM ledger_entries WHERE account = \(bind: account)")
                .first(decoding: Row.self)?.n ?? 0
        }
    }

    func accrued(_ app: TestHarness, _ hashtag: String) async throws -> Int {
        let stats = try await app.request(.get, "/api/v1/challenges/\(hashtag)").json()["stats"] as! [String: Any]
        return ((stats["accrued"] as! [[String: Any]]).first?["amount"] as? Int) ?? 0
    }

    @Test("challenges: who launches them, one per hashtag at a time, found in any case", arguments: DatabaseKind.enabled)
    func launch(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, stranger) = try await app.signUp("stranger")
            let created = try await challenge(app, cause)
            #expect(created["hashtag"] as? String == "RedNoseDay" && created["status"] as? String == "active")
            #expect((created["nonprofit"] as? [String: Any])?["id"] as? String == cause.nonprofit)
            // Same hashtag in another case, overlapping: refused. Any case finds it.
            let clash = try await app.request(.post, "/api/v1/challenges", json: """
                {"hashtag":"rednoseday","nonprofitId":"\(cause.nonprofit)","title":"Again","startsAt":"\(Self.iso(Date()))","endsAt":"\(Self.iso(Date().addingTimeInterval(3600)))","branded":true}
                """, token: cause.ownerToken)
            #expect(clash.status == .conflict, "\(clash.text)")
            #expect(try await app.request(.get, "/api/v1/challenges/REDNOSEDAY").json()["id"] as? String == created["id"] as? String)
            #expect(try await app.request(.get, "/api/v1/challenges/%23rednoseday").status == .ok)
            #expect(try await app.request(.get, "/api/v1/challenges/nosuchtag").status == .notFound)
            // Not a member: forbidden. Unbranded: admins only, and it shows no nonprofit.
            let window = #""startsAt":"\#(Self.iso(Date()))","endsAt":"\#(Self.iso(Date().addingTimeInterval(3600)))""#
            #expect(try await app.request(.post, "/api/v1/challenges", json: #"{"hashtag":"Mine","nonprofitId":"\#(cause.nonprofit)","title":"x",\#(window),"branded":true}"#, token: stranger).status == .forbidden)
            #expect(try await app.request(.post, "/api/v1/challenges", json: #"{"hashtag":"TheRealChallenge","title":"x",\#(window),"branded":false}"#, token: stranger).status == .forbidden)
            let unbranded = try await app.request(.post, "/api/v1/challenges", json: #"{"hashtag":"TheRealChallenge","nonprofitId":"\#(cause.nonprofit)","title":"The Real Challenge",\#(window),"branded":false}"#, token: cause.adminToken)
            #expect(unbranded.status == .created, "\(unbranded.text)")
            #expect(try unbranded.json()["nonprofit"] == nil)
            // Bad input: clear 4xx.
            for body in [##"{"hashtag":"#1","title":"x",\##(window),"branded":true}"##, #"{"hashtag":"two words","title":"x",\#(window),"branded":true}"#,
                         #"{"hashtag":"Ok","title":"","startsAt":"soon","endsAt":"later","branded":true}"#, #"{"hashtag":"Ok","title":"x",\#(window)}"#,
                         #"{"hashtag":"Ok","nonprofitId":"\#(cause.nonprofit)","title":"x","startsAt":"\#(Self.iso(Date()))","endsAt":"\#(Self.iso(Date().addingTimeInterval(-60)))","branded":true}"#] {
                let reply = try await app.request(.post, "/api/v1/challenges", json: body, token: cause.ownerToken)
                #expect(reply.status == .unprocessableContent, "\(body) → \(reply.status) \(reply.text)")
            }
            #expect(try await app.request(.post, "/api/v1/challenges", json: #"{"hashtag":"Ok","title":"x","branded":true,"colour":"red"}"#, token: cause.ownerToken).status == .badRequest)
            // The directory: active ones, by cause.
            let active = try await app.request(.get, "/api/v1/challenges?status=active").json()
            #expect(active["total"] as? Int == 2)
            #expect(try await app.request(.get, "/api/v1/challenges?status=ended").json()["total"] as? Int == 0)
            #expect(try await app.request(.get, "/api/v1/challenges?cause=humanitarian-relief").json()["total"] as? Int == 2)
            #expect(try await app.request(.get, "/api/v1/challenges?cause=animals").json()["total"] as? Int == 0)
            #expect(try await app.request(.get, "/api/v1/challenges?status=soon").status == .unprocessableContent)
        }
    }

    @Test("a pledge accrues per qualifying video, exactly up to its budget, and a removal gives it back", arguments: DatabaseKind.enabled)
    func pledges(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, configure: { $0.pledgeRules.minimumAccountAge = 0; $0.pledgeRules.perCreatorPerDay = 2 }) { app in
            // setup
            let cause = try await app.verifiedFundraiser()
            _ = try await challenge(app, cause)
            let (_, sponsor) = try await app.signUp("brand")
            let (_, maya) = try await app.signUp("maya")
            let (_, leo) = try await app.signUp("leo")
            let clip = try Samples.bytes("dance.mp4")

            // A $2-per-video pledge with a $5 budget; idempotent; a declined card funds nothing.
            let funded = try await pledge(app, "rednoseday", token: sponsor, perVideo: 200, budget: 500, key: "p-1")
            #expect(funded.status == .created, "\(funded.text)")
            #expect(try funded.json()["status"] as? String == "active")
            #expect(try await pledge(app, "rednoseday", token: sponsor, perVideo: 200, budget: 500, key: "p-1").text == funded.text)
            #expect(try await pledge(app, "rednoseday", token: sponsor, perVideo: 300, budget: 500, key: "p-1").status == .unprocessableContent)
            #expect(try await pledge(app, "rednoseday", token: sponsor, perVideo: 200, budget: 500, card: "tok_chargeDeclined").status == .init(code: 402))
            #expect(try await pledge(app, "rednoseday", token: sponsor, perVideo: 600, budget: 500).status == .unprocessableContent)
            #expect(try await app.request(.post, "/api/v1/challenges/rednoseday/pledges", json: #"{"perVideo":{"amount":1,"currency":"USD"},"budget":{"amount":5,"currency":"EUR"},"paymentToken":"tok_visa"}"#,
                                          token: sponsor, headers: [.init("Idempotency-Key")!: "p-x"]).status == .unprocessableContent)

            // act: videos with the hashtag (any case) accrue $2 each; the day's limit is two per creator.
            let first = try await app.upload(clip, caption: "Nose on! #RedNoseDay", token: maya).json()
            #expect((first["challenges"] as? [[String: Any]])?.first?["counted"] as? Bool == true)
            #expect(try await accrued(app, "rednoseday") == 200)
            _ = try await app.upload(clip, caption: "again #rednoseday", token: maya)
            let third = try await app.upload(clip, caption: "and again #REDNOSEDAY", token: maya).json()
            #expect((third["challenges"] as? [[String: Any]])?.first?["counted"] as? Bool == false)
            #expect(try await accrued(app, "rednoseday") == 400)
            _ = try await app.upload(clip, caption: "no tag here", token: leo)
            #expect(try await accrued(app, "rednoseday") == 400)
            // The budget's last $1 goes to the next video; after that nothing.
            let leos = try await app.upload(clip, caption: "#RedNoseDay from leo", token: leo).json()
            #expect(try await accrued(app, "rednoseday") == 500)
            _ = try await app.upload(clip, caption: "#RedNoseDay more", token: leo)
            #expect(try await accrued(app, "rednoseday") == 500)

            // check: removing a counted video within the grace period gives its accrual back.
            #expect(try await app.request(.delete, "/api/v1/videos/\(leos["id"] as! String)", token: leo).status == .noContent)
            #expect(try await accrued(app, "rednoseday") == 400)
            let shown = try await app.request(.get, "/api/v1/challenges/rednoseday").json()
            let stats = shown["stats"] as! [String: Any]
            #expect(stats["videos"] as? Int == 4 && stats["participants"] as? Int == 2)
            #expect((stats["pledged"] as! [[String: Any]]).first?["amount"] as? Int == 500)
            let pledges = shown["pledges"] as! [[String: Any]]
            #expect(pledges.count == 1 && pledges[0]["sponsor"] as? String == "brand")
            let videos = try await app.request(.get, "/api/v1/challenges/rednoseday/videos?sort=newest").json()
            #expect(videos["total"] as? Int == 4)
            #expect(try await app.request(.get, "/api/v1/challenges/rednoseday/videos?sort=best").status == .unprocessableContent)
        }
    }

    @Test("a pledge whose charge's answer never came is funded from the charge by the pending pass; ledger verify names it until then", arguments: DatabaseKind.enabled)
    func pendingPledge(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, configure: { $0.pledgeRules.minimumAccountAge = 0 }) { app in
            let cause = try await app.verifiedFundraiser()
            _ = try await challenge(app, cause)
            let (_, sponsor) = try await app.signUp("brand")
            #expect(try await pledge(app, "rednoseday", token: sponsor, perVideo: 200, budget: 500, key: "lost", card: "tok_timeout").status == .serviceUnavailable)
            try await app.withCommands { commands in
                let services = commands.services
                let sandbox = SandboxProcessor(bank: app.bank)
                let before = try await LedgerVerifier(db: services.db, processor: sandbox).run()
                #expect(before.violations.contains { $0.contains("paid for pledge") && $0.contains("which is pending and names no charge") }, "\(before.violations)")
                let pledges = PledgeService(db: services.db, clock: .system, challenges: services.challenges, idempotency: IdempotencyStore(db: services.db),
                                            processor: sandbox, logger: services.db.logger)
                #expect(try await pledges.settlePending(olderThan: 0) == 1)
                #expect(try await pledges.settlePending(olderThan: 0) == 0)
            }
            let retry = try await pledge(app, "rednoseday", token: sponsor, perVideo: 200, budget: 500, key: "lost", card: "tok_timeout")
            #expect(retry.status == .created, "\(retry.text)")
            #expect(try retry.json()["status"] as? String == "active")
            #expect(await app.bank.intents.count == 1)
            try await app.verifyLedger()
        }
    }

    @Test("a pledge never charged fails as not_charged; a charge that turns up late still funds it, and the sponsor's retry then learns of the payment", arguments: DatabaseKind.enabled)
    func lateChargedPledge(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, configure: { $0.pledgeRules.minimumAccountAge = 0 }) { app in
            let cause = try await app.verifiedFundraiser()
            _ = try await challenge(app, cause)
            let (_, sponsor) = try await app.signUp("brand")
            // The body the retries below send.
            let body = Data(#"{"perVideo":{"amount":200,"currency":"USD"},"budget":{"amount":500,"currency":"USD"},"paymentToken":"tok_visa"}"#.utf8)
            func pledges(_ services: AppServices, _ processor: any PaymentProcessor, clock: AppClock = .system) -> PledgeService {
                PledgeService(db: services.db, clock: clock, challenges: services.challenges, idempotency: IdempotencyStore(db: services.db), processor: processor,
                              logger: services.db.logger)
            }
            let pledgeID = try await app.withCommands { commands in
                let services = commands.services
                let sandbox = SandboxProcessor(bank: app.bank)
                let brand = try #require(try await services.accounts.find(handle: "brand"))
                let input = try JSONDecoder().decode(PledgeInput.self, from: body)
                // The request is lost before the processor has it.
                await #expect(throws: Problem.self) {
                    try await pledges(services, UnansweredProcessor(inner: sandbox, loses: .chargesBeforeMaking))
                        .pledge(hashtag: "rednoseday", by: brand, key: "never", body: body, input: input)
                }
                // Ten minutes on, neither the search nor the list of charges has it.
                #expect(try await pledges(services, sandbox, clock: AppClock { Date().addingTimeInterval(660) }).settlePending(olderThan: 30) == 1)
                struct Row: Decodable { let id: UUID }
                return try #require(try await services.db.sql.select().column("id").from("pledges").first(decoding: Row.self)).id
            }
            let refused = try await pledge(app, "rednoseday", token: sponsor, perVideo: 200, budget: 500, key: "never")
            #expect(refused.status == .init(code: 402), "\(refused.text)")
            #expect(try refused.json()["detail"] as? String == PendingPayments.failureDetail(code: PendingPayments.notCharged))
            try await app.withCommands { commands in
                let sandbox = SandboxProcessor(bank: app.bank)
                let service = pledges(commands.services, sandbox)
                let row = try #require(try await service.find(pledgeID))
                #expect(row.status == "failed" && row.failureCode == PendingPayments.notCharged)
                let charge = try await sandbox.charge(ChargeRequest(
                    amount: Money(500, .usd), token: "tok_visa", idempotencyKey: "pledge-\(pledgeID.lowercasedString)", description: "late",
                    metadata: ["pledge_id": pledgeID.lowercasedString]
                ))
                #expect(try await service.recordFunded(row, charge: charge))
            }
            let retry = try await pledge(app, "rednoseday", token: sponsor, perVideo: 200, budget: 500, key: "never")
            #expect(retry.status == .created, "\(retry.text)")
            #expect(try retry.json()["status"] as? String == "active")
            try await app.verifyLedger()
        }
    }

    @Test("concurrent videos never accrue past the budget", arguments: DatabaseKind.enabled)
    func concurrentAccruals(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, configure: { $0.pledgeRules.minimumAccountAge = 0 }) { app in
            let cause = try await app.verifiedFundraiser()
            _ = try await challenge(app, cause, hashtag: "DanceForChange")
            let (_, sponsor) = try await app.signUp("brand")
            #expect(try await pledge(app, "danceforchange", token: sponsor, perVideo: 300, budget: 1000).status == .created)
            #expect(try await pledge(app, "danceforchange", token: sponsor, perVideo: 100, budget: 250).status == .created)
            var creators: [String] = []
            for index in 0..<12 { creators.append(try await app.signUp("creator\(index)").token) }
            let clip = try Samples.bytes("dance.mp4")
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for token in creators { group.addTask { try await app.upload(clip, caption: "#DanceForChange", token: token).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .created })
            let shown = try await app.request(.get, "/api/v1/challenges/danceforchange").json()
            let accrued = (shown["pledges"] as! [[String: Any]]).map { ($0["accrued"] as! [String: Any])["amount"] as! Int }
            #expect(accrued == [1000, 250])
            // ledger verify notices a pledge whose books disagree with its accruals.
            let report = try await app.withCommands { commands in
                try await commands.services.db.sql.raw("UPDATE pledges SET accrued = accrued - 1 WHERE per_video = 300").run()
                let report = try await commands.verifyLedger()
                try await commands.services.db.sql.raw("UPDATE pledges SET accrued = accrued + 1 WHERE per_video = 300").run()
                return report
            }
            #expect(report.violations.contains { $0.contains("its accruals add up to 1000 but it records 999") }, "\(report.violations)")
            #expect(report.violations.contains { $0.contains("its budget account holds 0 but 1 is left of it") }, "\(report.violations)")
        }
    }

    @Test("settling an ended challenge returns the unspent budget to the sponsor", arguments: DatabaseKind.enabled)
    func settle(_ kind: DatabaseKind) async throws {
        let clock = ShiftableClock()
        try await withTestApp(kind, clock: clock.appClock, configure: { $0.pledgeRules.minimumAccountAge = 0 }) { app in
            let cause = try await app.verifiedFundraiser()
            _ = try await challenge(app, cause)
            let (_, sponsor) = try await app.signUp("brand")
            let (_, maya) = try await app.signUp("maya")
            #expect(try await pledge(app, "rednoseday", token: sponsor, perVideo: 200, budget: 1000).status == .created)
            _ = try await app.upload(try Samples.bytes("dance.mp4"), caption: "#rednoseday", token: maya)
            #expect(try await app.request(.post, "/api/v1/challenges/rednoseday/settle", token: cause.adminToken).status == .conflict)
            #expect(try await app.request(.post, "/api/v1/challenges/rednoseday/settle", token: sponsor).status == .forbidden)
            // Earned but held apart until the pledge settles: a payout now would not pay it.
            let pledged = "nonprofit:\(cause.nonprofit.lowercased()):pledged", payable = "nonprofit:\(cause.nonprofit.lowercased()):payable"
            #expect(try await balance(app, pledged) == -200)
            #expect(try await balance(app, payable) == 0)
            clock.advance(2 * 86_400)
            let settled = try await app.request(.post, "/api/v1/challenges/rednoseday/settle", token: cause.adminToken)
            #expect(settled.status == .ok, "\(settled.text)")
            #expect(try settled.json()["settled"] as? Int == 1)
            #expect(((try settled.json()["returned"] as? [[String: Any]])?.first?["amount"] as? Int) == 800)
            #expect(try await balance(app, pledged) == 0)
            #expect(try await balance(app, payable) == -200)
            // Again: nothing more.
            #expect(try await app.request(.post, "/api/v1/challenges/rednoseday/settle", token: cause.adminToken).json()["settled"] as? Int == 0)
            let pledges = try await app.request(.get, "/api/v1/challenges/rednoseday").json()["pledges"] as! [[String: Any]]
            #expect(pledges.first?["status"] as? String == "settled")
            // Ended: no more pledges.
            #expect(try await pledge(app, "rednoseday", token: sponsor, perVideo: 200, budget: 1000).status == .conflict)

            // serve's background pass settles what ended longer ago than the removal grace.
            _ = try await challenge(app, cause, hashtag: "MovemberMoves", now: clock.appClock.now())
            #expect(try await pledge(app, "movembermoves", token: sponsor, perVideo: 100, budget: 700).status == .created)
            #expect(try await app.services.pledges.settleDue(grace: 48 * 3600) == 0)
            clock.advance(4 * 86_400)
            #expect(try await app.services.pledges.settleDue(grace: 48 * 3600) == 1)
            let movember = try await app.request(.get, "/api/v1/challenges/movembermoves").json()["pledges"] as! [[String: Any]]
            #expect(movember.first?["status"] as? String == "settled")
        }
    }
}
