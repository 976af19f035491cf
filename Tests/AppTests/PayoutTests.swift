@testable import App
import Foundation
import GoodcastCore
import Hummingbird
import Logging
import HummingbirdTesting
import Testing

@Suite("Payouts and ledger verification")
struct PayoutTests {
    @Test("payouts move what is owed once per period, with a CSV statement", arguments: DatabaseKind.enabled)
    func payouts(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, donor) = try await app.signUp("benefactor")
            _ = try await app.donate(cause.fundraiser, token: donor, amount: 10_000)
            #expect(try await app.request(.post, "/api/v1/admin/payouts/run", token: cause.ownerToken).status == .forbidden)
            // Until the nonprofit says where its money goes, its payout waits.
            let held = try await app.request(.post, "/api/v1/admin/payouts/run", json: #"{"period":"2026-11-22"}"#, token: cause.adminToken)
            let heldItems = try held.json()["items"] as? [Any]
            #expect(held.status == .ok && heldItems?.isEmpty == true, "\(held.text)")
            try await app.addPayoutDetails(cause)
            let first = try await app.request(.post, "/api/v1/admin/payouts/run", json: #"{"period":"2026-11-22"}"#, token: cause.adminToken)
            #expect(first.status == .ok)
            let items = try first.json()["items"] as! [[String: Any]]
            #expect(items.count == 1)
            #expect(money(items.first?["amount"]) == 9_680)
            // Running again in the same period pays nothing more, even after a new gift.
            _ = try await app.donate(cause.fundraiser, token: donor, amount: 2_000)
            #expect((try await app.request(.post, "/api/v1/admin/payouts/run", json: #"{"period":"2026-11-22"}"#, token: cause.adminToken).json()["items"] as! [Any]).isEmpty)
            let next = try await app.request(.post, "/api/v1/admin/payouts/run", json: #"{"period":"2026-11-23"}"#, token: cause.adminToken).json()["items"] as! [[String: Any]]
            let secondAmount = money(next.first?["amount"])
            #expect(secondAmount == 1_912)
            // The fundraiser still shows everything raised; payouts do not lower it.
            #expect(money(try await app.fundraiser(cause.fundraiser)["raised"]) == 9_680 + 1_912)
            let list = try await app.request(.get, "/api/v1/nonprofits/\(cause.nonprofit)/payouts", token: cause.ownerToken).json()["items"] as! [Any]
            #expect(list.count == 2)
            let csv = try await app.request(.get, "/api/v1/nonprofits/\(cause.nonprofit)/payouts", token: cause.ownerToken, headers: [.accept: "text/csv"])
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = csv.text.split(separator: "\n")
            #expect(lines.first == "date,kind,reference,currency,amount_minor,amount")
            #expect(lines.filter { $0.contains(",payout,") }.count == 2)
            #expect(lines.filter { $0.contains(",donation,") }.count == 2)
            #expect(try await app.request(.get, "/api/v1/nonprofits/\(cause.nonprofit)/payouts", token: donor).status == .forbidden)
            // A day to come is refused by name: its own run would find it paid.
            let tomorrow = PayoutService.period(of: Date().addingTimeInterval(86_400))
            let future = try await app.request(.post, "/api/v1/admin/payouts/run", json: #"{"period":"\#(tomorrow)"}"#, token: cause.adminToken)
            #expect(future.status == .unprocessableContent && future.text.contains("must not be after today"), "\(future.text)")
        }
    }

    @Test("a payout keeps back pending refunds, never pays a period twice or an earlier one, and two runs at once pay a balance once",
          arguments: DatabaseKind.enabled)
    func payoutHolds(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, donor) = try await app.signUp("patient")
            let id = try await app.donate(cause.fundraiser, token: donor, amount: 10_000).json()["id"] as! String
            try await app.addPayoutDetails(cause)
            try await app.withCommands { commands in
                let services = commands.services
                let owner = try #require(try await services.accounts.find(handle: "rednoseday"))
                let sandbox = SandboxProcessor(bank: app.bank)
                func refunds(_ processor: any PaymentProcessor) -> RefundService { services.refunds(through: processor) }
                // A refund the processor made but whose answer was lost: pending until the next pass.
                await #expect(throws: Problem.self) {
                    try await refunds(UnansweredProcessor(inner: sandbox, loses: .refundsAfterMaking)).refund(
                        donationID: UUID(uuidString: id)!, by: owner, key: "held", body: Data(#"{"amount":{"amount":2500,"currency":"USD"}}"#.utf8),
                        input: RefundInput(amount: MoneyInput(amount: 2_500, currency: "USD"), reason: nil))
                }
                let first = try await services.payouts.run(period: "2026-11-22")
                #expect(first.map(\.amount) == [9_680 - 2_500], "the pending refund's 25.00 stays behind")
                #expect(try await refunds(sandbox).settlePending(olderThan: 0) == 1)
                // Paid, refunded: nothing is owed, and nothing is owed below zero.
                #expect(try await services.payouts.run(period: "2026-11-23").isEmpty)
                try await app.verifyLedger()

                _ = try await app.donate(cause.fundraiser, token: donor, amount: 2_000)
                #expect(try await services.payouts.run(period: "2026-11-21").isEmpty, "a day before one already paid is closed")
                #expect(try await services.payouts.run(period: "2026-11-22").isEmpty, "a day already paid is closed")
                // Two runs for two new days at the same moment: the balance is paid once.
                async let one = services.payouts.run(period: "2026-11-24")
                async let two = services.payouts.run(period: "2026-11-25")
                let both = try await one + two
                #expect(both.map(\.amount) == [1_912], "\(both)")
            }
            try await app.verifyLedger()
        }
    }

    @Test("ledger verify names a violation: a tampered entry unbalances its transaction", arguments: DatabaseKind.enabled)
    func verifyFindsTampering(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, donor) = try await app.signUp("tamper")
            _ = try await app.donate(cause.fundraiser, token: donor, amount: 1_000)
            let clean = try await app.withCommands { try await $0.verifyLedger() }
            #expect(clean.clean)
            #expect(clean.checked.count == 10)
            // Tamper, check, then put it back so that the test's own final check passes.
            let report = try await app.withCommands { commands in
                try await commands.services.db.sql.raw("UPDATE ledger_entries SET amount = amount + 1 WHERE amount = -1000").run()
                let report = try await commands.verifyLedger()
                try await commands.services.db.sql.raw("UPDATE ledger_entries SET amount = amount - 1 WHERE amount = -999").run()
                return report
            }
            #expect(!report.clean)
            #expect(report.violations.contains { $0.contains("does not balance in USD") })
            #expect(report.violations.contains { $0.contains("ledger total") })
            // The running totals that the feed and the pages read are checked against the history.
            let drifted = try await app.withCommands { commands in
                try await commands.services.db.sql.raw("UPDATE fundraiser_ledger_totals SET amount = amount + 7").run()
                try await commands.services.db.sql.raw("UPDATE fundraiser_donor_counts SET donors = donors + 1").run()
                let report = try await commands.verifyLedger()
                try await commands.services.db.sql.raw("UPDATE fundraiser_ledger_totals SET amount = amount - 7").run()
                try await commands.services.db.sql.raw("UPDATE fundraiser_donor_counts SET donors = donors - 1").run()
                return report
            }
            #expect(drifted.violations.contains { $0.contains("running total") })
            #expect(drifted.violations.contains { $0.contains("the running count says 2") })
        }
    }
}

@Suite("Stripe adapter")
struct StripeAdapterTests {
    /// The real Stripe API cannot be reached here; the sandbox processor speaks the same wire format.
    @Test("an intent that has not succeeded is no charge: authentication or another card is a decline, processing is unknown")
    func unsucceededIntents() throws {
        func intent(_ status: String, error: [String: Any]? = nil) -> [String: Any] {
            var object: [String: Any] = ["id": "pi_1", "amount": 500, "currency": "usd", "status": status, "created": 1_700_000_000, "metadata": [String: String]()]
            if let error { object["last_payment_error"] = error }
            return object
        }
        func outcome(_ object: [String: Any]) -> String {
            do { return try StripeProcessor.confirmed(object).succeeded ? "charged" : "unsucceeded charge" } catch {
                switch error {
                case .declined(let code, _): return "declined \(code)"
                case .outcomeUnknown: return "unknown"
                case .rejected: return "rejected"
                case .idempotencyConflict: return "conflict"
                }
            }
        }
        #expect(outcome(intent("succeeded")) == "charged")
        #expect(outcome(intent("requires_action")) == "declined authentication_required")
        #expect(outcome(intent("requires_payment_method", error: ["code": "card_declined", "decline_code": "do_not_honor"])) == "declined do_not_honor")
        #expect(outcome(intent("canceled")) == "declined canceled")
        #expect(outcome(intent("processing")) == "unknown")
    }

    @Test("charges, declines, refunds and lost answers through Stripe's HTTP API (sandbox server)", arguments: [DatabaseKind.sqlite])
    func overHTTP(_ kind: DatabaseKind) async throws {
        var logger = Logger(label: "sandbox")
        logger.logLevel = .error
        let sandbox = SandboxServer.build(.init(port: 0), logger: logger)
        try await sandbox.test(.live) { sandboxClient in
            let base = "http://127.0.0.1:\(sandboxClient.port!)"
            try await withTestApp(kind, configure: {
                $0.processor = .stripe(baseURL: base, secretKey: "sk_test_goodcast", name: "stripe")
                $0.processorTimeoutSeconds = 1
            }) { app in
                let cause = try await app.verifiedFundraiser()
                let (_, donor) = try await app.signUp("carded")
                let paid = try await app.donate(cause.fundraiser, token: donor, amount: 5_000)
                #expect(paid.status == .created)
                #expect(money(try paid.json()["fee"]) == 175)
                #expect(try await app.donate(cause.fundraiser, token: donor, paymentToken: "tok_insufficientFunds").status.code == 402)
                #expect(try await app.donate(cause.fundraiser, token: donor, paymentToken: "tok_nonsense").status == .unprocessableContent)
                let lost = try await app.donate(cause.fundraiser, token: donor, amount: 2_000, paymentToken: "tok_timeout", key: "slow")
                #expect(lost.status == .serviceUnavailable)
                // Another body under the key of a charge not yet written: Stripe's idempotency_error, nothing charged, nothing written.
                let other = try await app.donate(cause.fundraiser, token: donor, amount: 2_500, paymentToken: "tok_timeout", key: "slow")
                #expect(other.status == .unprocessableContent, "\(other.text)")
                #expect(try other.json()["type"] as? String == "/problems/idempotency-key-reused")
                #expect(try await app.donate(cause.fundraiser, token: donor, amount: 2_000, paymentToken: "tok_timeout", key: "slow").status == .created)
                // A lost answer never retried: reconciliation lists the recent charges over HTTP and writes it.
                #expect(try await app.donate(cause.fundraiser, token: donor, amount: 3_000, paymentToken: "tok_timeout", key: "gone").status == .serviceUnavailable)
                #expect(try await app.withCommands { try await $0.services.donations.reconcile(olderThan: 0) } == 1)
                let id = try paid.json()["id"] as! String
                let refund = try await app.request(.post, "/api/v1/donations/\(id)/refunds", json: #"{"amount":{"amount":1000,"currency":"USD"}}"#,
                                                   token: cause.ownerToken, headers: [.init("Idempotency-Key")!: "r"])
                #expect(refund.status == .created)
                let expected: Int64 = (5_000 - 175 - 1_000) + (2_000 - 88) + (3_000 - 117)
                #expect(money(try await app.fundraiser(cause.fundraiser)["raised"]) == expected)
                // The final ledger check in withTestApp asks this processor, over HTTP, for every charge.
            }
        }
    }
}
