@testable import App
import Foundation
import GoodcastCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Refunds, disputes and webhooks")
struct RefundTests {
    @Test("partial and full refunds by the nonprofit, never more than was given", arguments: DatabaseKind.enabled)
    func refunds(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, donor) = try await app.signUp("giver")
            let id = try await app.donate(cause.fundraiser, token: donor, amount: 10_000).json()["id"] as! String
            func refund(_ token: String, _ body: String = "{}", key: String = UUID().uuidString) async throws -> TestHarness.Reply {
                try await app.request(.post, "/api/v1/donations/\(id)/refunds", json: body, token: token, headers: [.init("Idempotency-Key")!: key])
            }
            #expect(try await refund(donor).status == .forbidden)
            let part = try await refund(cause.ownerToken, #"{"amount":{"amount":4000,"currency":"USD"}}"#, key: "r1")
            #expect(part.status == .created)
            #expect(try await refund(cause.ownerToken, #"{"amount":{"amount":4000,"currency":"USD"}}"#, key: "r1").text == part.text)
            #expect(money(try await app.fundraiser(cause.fundraiser)["raised"]) == 10_000 - 320 - 4_000)
            let tooMuch = try await refund(cause.ownerToken, #"{"amount":{"amount":6001,"currency":"USD"}}"#)
            #expect(tooMuch.status == .unprocessableContent)
            #expect(try await refund(cause.adminToken).status == .created)
            #expect(try await refund(cause.adminToken).status == .unprocessableContent)
            #expect(money(try await app.fundraiser(cause.fundraiser)["raised"]) == -320)
            let donation = try await app.request(.get, "/api/v1/donations/\(id)", token: donor).json()
            #expect(money(donation["refunded"]) == 10_000)
            #expect(await app.bank.intents.values.first?.refunded == 10_000)
        }
    }

    @Test("a refund the processor made but whose answer was lost is settled once by the pending pass; ledger verify names it until then",
          arguments: DatabaseKind.enabled)
    func lostRefundAnswer(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, donor) = try await app.signUp("returned")
            let id = try await app.donate(cause.fundraiser, token: donor, amount: 10_000).json()["id"] as! String
            let raised = try #require(money(try await app.fundraiser(cause.fundraiser)["raised"]))
            let body = #"{"amount":{"amount":2500,"currency":"USD"}}"#
            try await app.withCommands { commands in
                let services = commands.services
                func refunds(_ processor: any PaymentProcessor, clock: AppClock = .system) -> RefundService { services.refunds(through: processor, clock: clock) }
                let owner = try #require(try await services.accounts.find(handle: "rednoseday"))
                let sandbox = SandboxProcessor(bank: app.bank)
                await #expect(throws: Problem.self) {
                    try await refunds(UnansweredProcessor(inner: sandbox, loses: .refundsAfterMaking)).refund(
                        donationID: UUID(uuidString: id)!, by: owner, key: "lost", body: Data(body.utf8), input: RefundInput(amount: MoneyInput(amount: 2_500, currency: "USD"), reason: nil)
                    )
                }
                // The money is back with the donor; the ledger does not know it yet.
                #expect(await app.bank.intents.values.first?.refunded == 2_500)
                let before = try await LedgerVerifier(db: services.db, processor: sandbox).run()
                #expect(before.violations.contains { $0.hasPrefix("refund ") && $0.contains("of donation \(UUID(uuidString: id)!)") && $0.contains("has been pending") },
                        "\(before.violations)")
                let beside = try await LedgerVerifier(db: services.db, processor: sandbox, settling: 60).run()
                #expect(beside.isClean, "a moment old, it may still be settling: \(beside.violations)")

                // Past the processor's key lifetime it is left to a person, not asked again.
                let tomorrow = AppClock { Date().addingTimeInterval(86_400) }
                #expect(try await refunds(sandbox, clock: tomorrow).settlePending(olderThan: 30) == 0)
                #expect(await app.bank.intents.values.first?.refunded == 2_500)
                // Younger ones are settled with their own key: recorded once, never refunded twice.
                #expect(try await refunds(sandbox).settlePending(olderThan: 0) == 1)
                #expect(try await refunds(sandbox).settlePending(olderThan: 0) == 0)
                #expect(await app.bank.intents.values.first?.refunded == 2_500)
            }
            #expect(money(try await app.fundraiser(cause.fundraiser)["raised"]) == raised - 2_500)
            // The caller's retry with its key gets the refund the pass recorded.
            let retry = try await app.request(.post, "/api/v1/donations/\(id)/refunds", json: body, token: cause.ownerToken, headers: [.init("Idempotency-Key")!: "lost"])
            #expect(retry.status == .created, "\(retry.text)")
            #expect(money(try retry.json()["amount"]) == 2_500)
            #expect(await app.bank.intents.values.first?.refunded == 2_500)
            try await app.verifyLedger()
        }
    }

    @Test("the money page's refund form keeps its key after an unanswered refund: pressing again refunds once", arguments: [DatabaseKind.sqlite])
    func unansweredRefundForm(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, processor: { UnansweredProcessor(inner: $0, loses: .refundsAfterMaking) }) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, donor) = try await app.signUp("pressed")
            let id = try await app.donate(cause.fundraiser, token: donor, amount: 10_000).json()["id"] as! String
            // Fifty newer gifts: this one is on the money page's second page.
            for _ in 0..<50 { _ = try await app.donate(cause.fundraiser, token: donor, amount: 100) }
            let pages = FormPagesTests()
            let owner = try await pages.signIn(app, "rednoseday")
            let moneyPath = "/nonprofits/\(cause.nonprofit.lowercased())/money?page=2"
            func form(_ html: String) throws -> (key: String, amount: String) {
                let card = try #require(html.range(of: #"data-donation-id="\#(id.lowercased())""#).map { String(html[$0.upperBound...]) })
                let key = try #require(card.firstMatch(of: /name="idempotencyKey" value="([^"]+)"/)?.1)
                let amount = try #require(card.firstMatch(of: /class="refund-amount" value="([^"]*)"/)?.1)
                return (String(key), String(amount))
            }
            let first = try form(try await pages.get(app, moneyPath, as: owner).text)
            #expect(first.amount == "")
            let unanswered = try await pages.post(app, "/donations/\(id.lowercased())/refund", as: owner, [("idempotencyKey", first.key), ("amount", "5.00"), ("page", "2")])
            #expect(unanswered.status == .serviceUnavailable, "\(unanswered.status)")
            // The refund was made; its answer was lost. The form shown again asks about that one.
            #expect(await app.bank.intents.values.map(\.refunded).reduce(0, +) == 500)
            let again = try form(unanswered.text)
            #expect(again.key == first.key && again.amount == "5.00")
            _ = try await pages.post(app, "/donations/\(id.lowercased())/refund", as: owner, [("idempotencyKey", again.key), ("amount", again.amount), ("page", "2")])
            #expect(await app.bank.intents.values.map(\.refunded).reduce(0, +) == 500, "pressed twice, refunded once")
            // The pending pass records it, with the processor's answer this time.
            try await app.withCommands { commands in
                let services = commands.services
                let refunds = services.refunds(through: SandboxProcessor(bank: app.bank))
                let settled = try await refunds.settlePending(olderThan: 0)
                #expect(settled == 1)
            }
            #expect(money(try await app.request(.get, "/api/v1/donations/\(id)", token: cause.ownerToken).json()["refunded"]) == 500)
        }
    }

    @Test("a receipt says what the nonprofit kept: refunds made come off, a full refund voids it; a declined gift has no receipt", arguments: DatabaseKind.enabled)
    func receiptsAfterRefunds(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, donor) = try await app.signUp("kept")
            let id = try await app.donate(cause.fundraiser, token: donor, amount: 10_000).json()["id"] as! String
            func receipt() async throws -> [String: Any] { try await app.request(.get, "/api/v1/donations/\(id)/receipt", token: donor).json() }
            var shown = try await receipt()
            #expect(money(shown["kept"]) == 10_000 && money(shown["refunded"]) == 0 && shown["void"] as? Bool == false && shown["dispute"] as? String == "none")
            func refund(_ body: String, key: String) async throws {
                let reply = try await app.request(.post, "/api/v1/donations/\(id)/refunds", json: body, token: cause.ownerToken, headers: [.init("Idempotency-Key")!: key])
                #expect(reply.status == .created, "\(reply.text)")
            }
            try await refund(#"{"amount":{"amount":2500,"currency":"USD"}}"#, key: "part")
            shown = try await receipt()
            #expect(money(shown["kept"]) == 7_500 && money(shown["refunded"]) == 2_500 && shown["void"] as? Bool == false)
            try await refund("{}", key: "rest")
            shown = try await receipt()
            #expect(money(shown["kept"]) == 0 && money(shown["refunded"]) == 10_000 && shown["void"] as? Bool == true)
            #expect(shown["taxStatement"] == nil, "a void receipt supports no tax claim")
            let pages = FormPagesTests()
            let page = try await pages.get(app, "/donations/\(id.lowercased())", as: try await pages.signIn(app, "kept")).text
            #expect(page.contains(#"id="receipt-void""#) && page.contains(#"id="receipt-kept""#) && !page.contains(#"id="thanks""#))

            let declined = try await app.donate(cause.fundraiser, token: donor, amount: 900, paymentToken: "tok_chargeDeclined")
            #expect(declined.status.code == 402)
            let mine = try await app.request(.get, "/api/v1/me/donations", token: donor).json()["items"] as! [[String: Any]]
            let declinedID = try #require(mine.first { $0["status"] as? String == "declined" }?["id"] as? String)
            #expect(try await app.request(.get, "/api/v1/donations/\(declinedID)/receipt", token: donor).status == .notFound)
            let declinedPage = try await pages.get(app, "/donations/\(declinedID.lowercased())", as: try await pages.signIn(app, "kept")).text
            #expect(declinedPage.contains(#"id="not-a-receipt""#) && !declinedPage.contains(#"id="receipt-number""#) && !declinedPage.contains("Gift Aid"))
        }
    }

    @Test("the donate form's fingerprint tells its fields apart, whatever a message contains")
    func formFingerprints() {
        #expect(SitePages.formFingerprint(["500", "tok_visa", "x|anonymous", "", ""]) != SitePages.formFingerprint(["500", "tok_visa", "x", "anonymous", "|"]))
        #expect(SitePages.formFingerprint(["500", "tok_visa", "hi", "public", ""]) == SitePages.formFingerprint(["500", "tok_visa", "hi", "public", ""]))
    }

    @Test("a lost dispute leaves nothing kept; an open one keeps the gift on the receipt until it is decided")
    func keptAfterDisputes() {
        #expect(ReceiptAmounts.kept(gross: 10_000, refundsMade: 2_500, dispute: .lost) == 0)
        #expect(ReceiptAmounts.kept(gross: 10_000, refundsMade: 2_500, dispute: .open) == 7_500)
        #expect(ReceiptAmounts.kept(gross: 10_000, refundsMade: 0, dispute: .won) == 10_000)
    }

    @Test("concurrent refunds never return more than the donation", arguments: DatabaseKind.enabled)
    func concurrentRefunds(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, .live) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, donor) = try await app.signUp("racer")
            let id = try await app.donate(cause.fundraiser, token: donor, amount: 5_000).json()["id"] as! String
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        Int(try await app.request(.post, "/api/v1/donations/\(id)/refunds", json: #"{"amount":{"amount":1000,"currency":"USD"}}"#,
                                                  token: cause.ownerToken, headers: [.init("Idempotency-Key")!: UUID().uuidString]).status.code)
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 5, "\(statuses)")
            #expect(await app.bank.intents.values.first?.refunded == 5_000)
        }
    }

    @Test("webhooks: bad signatures are refused, duplicates and reordering change nothing", arguments: DatabaseKind.enabled)
    func webhooks(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, donor) = try await app.signUp("disputer")
            let donation = try await app.donate(cause.fundraiser, token: donor, amount: 2_000).json()
            let intent = try #require(await app.bank.intents.values.first)
            func send(_ type: String, _ wire: some Encodable, id: String, secret: String = "whsec_sandbox") async throws -> TestHarness.Reply {
                try await app.postWebhook(type, wire, id: id, secret: secret)
            }
            let dispute = SandboxBank.disputeWire(intent, status: "needs_response")
            // A dispute for a charge whose donation is not recorded yet is refused, not swallowed:
            // the processor delivers it again, and the same event then takes effect.
            var early = dispute
            early.paymentIntent = "pi_not_recorded_yet"
            let refused = try await send("charge.dispute.created", early, id: "evt_early")
            #expect(refused.status == .serviceUnavailable && refused.headers[.retryAfter] != nil, "\(refused.text)")
            #expect(try await send("charge.dispute.created", dispute, id: "evt_forged", secret: "wrong").status == .badRequest)
            let unsigned = try await app.request(.post, "/api/v1/payments/webhooks/sandbox", json: "{}")
            #expect(unsigned.status == .badRequest)
            // The close arrives before the opening, then both again.
            #expect(try await send("charge.dispute.closed", SandboxBank.disputeWire(intent, status: "lost"), id: "evt_close").status == .ok)
            #expect(try await send("charge.dispute.created", dispute, id: "evt_early").status == .ok)
            #expect(try await send("charge.dispute.closed", SandboxBank.disputeWire(intent, status: "lost"), id: "evt_close").status == .ok)
            #expect(try await send("payment_intent.succeeded", SandboxBank.wire(intent), id: "evt_paid").status == .ok)
            #expect(try await send("payment_intent.succeeded", SandboxBank.wire(intent), id: "evt_paid_again").status == .ok)
            let after = try await app.request(.get, "/api/v1/donations/\(donation["id"] as! String)", token: donor).json()
            #expect(after["dispute"] as? String == "lost")
            // A lost dispute takes the gift back; the fee stays spent.
            #expect(money(try await app.fundraiser(cause.fundraiser)["raised"]) == -88)
            #expect(try await app.request(.post, "/api/v1/payments/webhooks/other", json: "{}").status == .notFound)

            // An inquiry on another gift takes nothing, and closes without taking anything.
            let (_, asker) = try await app.signUp("asker")
            let asked = try await app.donate(cause.fundraiser, token: asker, amount: 1_000).json()
            let raisedBefore = money(try await app.fundraiser(cause.fundraiser)["raised"])
            let askedIntent = try #require(await app.bank.intents.values.first { $0.id != intent.id })
            #expect(try await send("charge.dispute.created", SandboxBank.disputeWire(askedIntent, status: "warning_needs_response"), id: "evt_inquiry").status == .ok)
            #expect(try await send("charge.dispute.closed", SandboxBank.disputeWire(askedIntent, status: "warning_closed"), id: "evt_inquiry_closed").status == .ok)
            #expect(money(try await app.fundraiser(cause.fundraiser)["raised"]) == raisedBefore)
            let askedAfter = try await app.request(.get, "/api/v1/donations/\(asked["id"] as! String)", token: asker).json()
            #expect(askedAfter["dispute"] as? String == "none")
            // Another inquiry escalates: its funds are withdrawn, and that opens the dispute (once).
            #expect(try await send("charge.dispute.created", SandboxBank.disputeWire(askedIntent, status: "warning_needs_response"), id: "evt_inquiry2").status == .ok)
            for id in ["evt_withdrawn", "evt_withdrawn_again"] {
                #expect(try await send("charge.dispute.funds_withdrawn", SandboxBank.disputeWire(askedIntent, status: "needs_response"), id: id).status == .ok)
            }
            #expect(try await app.request(.get, "/api/v1/donations/\(asked["id"] as! String)", token: asker).json()["dispute"] as? String == "open")
            #expect(money(try await app.fundraiser(cause.fundraiser)["raised"]) == raisedBefore.map { $0 - 1_000 })
        }
    }

    @Test("a dispute won gives back what it took: a refund pending when it opened, and refused since, was never disputed", arguments: DatabaseKind.enabled)
    func disputeAroundPendingRefund(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, donor) = try await app.signUp("contested")
            let id = try await app.donate(cause.fundraiser, token: donor, amount: 10_000).json()["id"] as! String
            let raised = try #require(money(try await app.fundraiser(cause.fundraiser)["raised"]))
            let intent = try #require(await app.bank.intents.values.first)
            try await app.withCommands { commands in
                let services = commands.services
                func refunds(_ loses: UnansweredProcessor.Loses) -> RefundService {
                    services.refunds(through: UnansweredProcessor(inner: SandboxProcessor(bank: app.bank), loses: loses))
                }
                let owner = try #require(try await services.accounts.find(handle: "rednoseday"))
                // 30.00 asked back; the request never reaches the processor: pending.
                await #expect(throws: Problem.self) {
                    try await refunds(.refundsBeforeMaking).refund(donationID: UUID(uuidString: id)!, by: owner, key: "pending", body: Data("30".utf8),
                                                                   input: RefundInput(amount: MoneyInput(amount: 3_000, currency: "USD"), reason: nil))
                }
            }
            // The bank disputes the charge meanwhile: what is not being refunded, 70.00.
            #expect(try await app.postWebhook("charge.dispute.created", SandboxBank.disputeWire(intent, status: "needs_response"), id: "evt_open").status == .ok)
            #expect(money(try await app.fundraiser(cause.fundraiser)["raised"]) == raised - 7_000)
            try await app.withCommands { commands in
                let services = commands.services
                let refused = services.refunds(through: UnansweredProcessor(inner: SandboxProcessor(bank: app.bank), loses: .refundsDeclined))
                // The processor refuses the refund: its 30.00 is the nonprofit's again.
                let settled = try await refused.settlePending(olderThan: 0)
                #expect(settled == 1)
            }
            #expect(try await app.postWebhook("charge.dispute.closed", SandboxBank.disputeWire(intent, status: "won"), id: "evt_won").status == .ok)
            #expect(money(try await app.fundraiser(cause.fundraiser)["raised"]) == raised, "the 70.00 taken comes back, no more")
            let after = try await app.request(.get, "/api/v1/donations/\(id)", token: donor).json()
            #expect(after["dispute"] as? String == "won" && money(after["refunded"]) == 0)
        }
    }

    @Test("a disputed charge's webhook reaches the live server, in-process or over HTTP, and is won back",
          arguments: DatabaseKind.enabled, [AppConfig.SandboxWebhooks.inProcess, .http])
    func disputeDelivered(_ kind: DatabaseKind, delivery: AppConfig.SandboxWebhooks) async throws {
        // In-process delivery on the router alone: with no server listening, only the handler
        // called in-process can bring the dispute.
        try await withTestApp(kind, delivery == .http ? .live : .router, configure: { $0.sandboxWebhooks = delivery }) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, donor) = try await app.signUp("chargeback")
            #expect(try await app.donate(cause.fundraiser, token: donor, amount: 3_000, paymentToken: "tok_dispute").status == .created)
            // Delivery retries with a backoff of up to 5 s, like a processor's: under the whole
            // suite's load a first refusal can push the arrival past 10 s.
            let disputed = try await app.eventually(30) { money(try await app.fundraiser(cause.fundraiser)["raised"]) == -117 }
            #expect(disputed, "the dispute webhook should take the gift back")
            let intent = try #require(await app.bank.intents.values.first)
            try await app.bank.dispute(intentID: intent.id, closeAs: true)
            let won = try await app.eventually(30) { money(try await app.fundraiser(cause.fundraiser)["raised"]) == 3_000 - 117 }
            #expect(won)
        }
    }
}
