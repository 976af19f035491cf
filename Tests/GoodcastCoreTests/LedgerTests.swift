import GoodcastCore
import PropertyBased
import Testing

@Suite("Ledger")
struct LedgerTests {
    @Test("a transaction must balance per currency and have no zero lines")
    func balanceRule() {
        #expect(throws: LedgerError.unbalanced(currency: "USD", by: 1)) {
            try LedgerTransaction(kind: .donation, reference: "x", entries: [.debit(LedgerAccount("a"), Money(2, .usd)), .credit(LedgerAccount("b"), Money(1, .usd))])
        }
        #expect(throws: LedgerError.unbalanced(currency: "EUR", by: -5)) {
            try LedgerTransaction(kind: .donation, reference: "x", entries: [
                .debit(LedgerAccount("a"), Money(5, .usd)), .credit(LedgerAccount("b"), Money(5, .eur)),
            ])
        }
        #expect(throws: LedgerError.zeroEntry(LedgerAccount("a"))) {
            try LedgerTransaction(kind: .donation, reference: "x", entries: [.debit(LedgerAccount("a"), Money(0, .usd)), .credit(LedgerAccount("b"), Money(0, .usd))])
        }
        #expect(throws: LedgerError.tooFewEntries) { try LedgerTransaction(kind: .donation, reference: "x", entries: []) }
    }

    @Test("a reversal undoes a transaction exactly")
    func reversal() throws {
        var ledger = Ledger()
        let posted = try PostingRules.donation(reference: "d1", gross: Money(1_000, .usd), fee: Money(59, .usd), processor: "sandbox", nonprofit: "n", fundraiser: "f")
        for transaction in posted { ledger.post(transaction) }
        for transaction in posted { ledger.post(transaction.reversed(reference: "fix")) }
        #expect(ledger.balances.values.allSatisfy { $0 == 0 })
        #expect(ledger.raised(fundraiser: "f", currency: .usd) == 0)
    }

    /// One step of the donation life cycle, as a generator picks them.
    enum Step: CaseIterable { case donate, donateEUR, refundSome, refundAll, dispute, disputeWon, disputeLost, payout }

    @Test("any sequence of donations, fees, refunds, disputes and payouts keeps every invariant")
    func invariants() async {
        let steps = Gen<Step>.case.array(of: 1...60)
        await propertyCheck(input: steps, Gen.int64(in: 100...1_000_000).array(of: 60)) { steps, amounts in
            var ledger = Ledger()
            var donations: [(balance: DonationBalance, fee: Money)] = []
            var paidOut: [String: Int64] = [:]
            for (index, step) in steps.enumerated() {
                let amount = amounts[index]
                let reference = "r\(index)"
                switch step {
                case .donate, .donateEUR:
                    let gross = Money(amount, step == .donate ? .usd : .eur)
                    let fee = try FeeSchedule.standard.fee(for: gross)
                    for transaction in try PostingRules.donation(reference: reference, gross: gross, fee: fee, processor: "sandbox", nonprofit: "n1", fundraiser: "f1") {
                        ledger.post(transaction)
                    }
                    donations.append((DonationBalance(gross: gross), fee))
                case .refundSome, .refundAll:
                    guard !donations.isEmpty else { continue }
                    let target = index % donations.count
                    let requested: Money? = step == .refundAll ? nil : Money(max(1, amount % 5_000), donations[target].balance.gross.currency)
                    guard let refund = try? donations[target].balance.refund(requested) else { continue }
                    ledger.post(try PostingRules.refund(reference: reference, amount: refund, processor: "sandbox", nonprofit: "n1", fundraiser: "f1"))
                case .dispute:
                    guard !donations.isEmpty else { continue }
                    let target = index % donations.count
                    guard let disputed = donations[target].balance.openDispute() else { continue }
                    ledger.post(try PostingRules.dispute(reference: reference, amount: disputed, processor: "sandbox", nonprofit: "n1", fundraiser: "f1"))
                case .disputeWon, .disputeLost:
                    guard !donations.isEmpty else { continue }
                    let target = index % donations.count
                    if let back = donations[target].balance.closeDispute(won: step == .disputeWon) {
                        ledger.post(try PostingRules.disputeWon(reference: reference, amount: back, processor: "sandbox", nonprofit: "n1", fundraiser: "f1"))
                    }
                case .payout:
                    for currency in [Currency.usd, .eur] {
                        let payable = -ledger.balance(.nonprofitPayable("n1"), currency)
                        guard payable > 0 else { continue }
                        ledger.post(try PostingRules.payout(reference: reference, amount: Money(payable, currency), nonprofit: "n1"))
                        paidOut[currency.code, default: 0] += payable
                    }
                }
                // Invariants after every step:
                #expect(ledger.isBalanced)
                for transaction in ledger.transactions {
                    var sums: [String: Int64] = [:]
                    for entry in transaction.entries { sums[entry.amount.currency.code, default: 0] += entry.amount.amount }
                    #expect(sums.values.allSatisfy { $0 == 0 })
                }
                for donation in donations {
                    #expect(donation.balance.refunded.amount >= 0 && donation.balance.refunded.amount <= donation.balance.gross.amount)
                }
                for currency in [Currency.usd, .eur] {
                    let mine = donations.filter { $0.balance.gross.currency == currency }
                    // The fundraiser's total is the net of every gift: gross less fee, refunds and money held by disputes.
                    let expected = mine.reduce(Int64(0)) { total, donation in
                        let disputed = donation.balance.dispute == .open || donation.balance.dispute == .lost
                        let kept = disputed ? 0 : donation.balance.gross.amount - donation.balance.refunded.amount
                        return total + kept - donation.fee.amount
                    }
                    #expect(ledger.raised(fundraiser: "f1", currency: currency) == expected)
                    // What is owed plus what was paid out is what was raised.
                    #expect(-ledger.balance(.nonprofitPayable("n1"), currency) + (paidOut[currency.code] ?? 0) == expected)
                    // The processor holds the gross less refunds and disputes; it keeps the fees.
                    #expect(ledger.balance(.processorReceivable("sandbox"), currency) + ledger.balance(.processorFees, currency) == expected)
                }
            }
        }
    }

    @Test("a refund can never exceed what is left, and a disputed gift cannot be refunded")
    func refundRules() throws {
        var balance = DonationBalance(gross: Money(1_000, .usd))
        #expect(try balance.refund(Money(400, .usd)) == Money(400, .usd))
        #expect(throws: DonationBalance.RefundError.exceedsRefundable(remaining: Money(600, .usd))) { try balance.refund(Money(601, .usd)) }
        #expect(throws: DonationBalance.RefundError.wrongCurrency(expected: "USD")) { try balance.refund(Money(1, .eur)) }
        #expect(balance.openDispute() == Money(600, .usd))
        #expect(throws: DonationBalance.RefundError.disputed) { try balance.refund(nil) }
        #expect(balance.closeDispute(won: true) == Money(600, .usd))
        #expect(try balance.refund(nil) == Money(600, .usd))
        #expect(throws: DonationBalance.RefundError.exceedsRefundable(remaining: Money(0, .usd))) { try balance.refund(nil) }
    }

    @Test("pledge and program rules balance")
    func otherRules() throws {
        var ledger = Ledger()
        ledger.post(try PostingRules.pledgeFunding(reference: "p", budget: Money(10_000, .usd), processor: "sandbox", pledge: "p1"))
        ledger.post(try PostingRules.pledgeAccrual(reference: "v1", amount: Money(200, .usd), pledge: "p1", nonprofit: "n"))
        ledger.post(try PostingRules.pledgeReversal(reference: "v1", amount: Money(200, .usd), pledge: "p1", nonprofit: "n"))
        ledger.post(try PostingRules.pledgeAccrual(reference: "v2", amount: Money(200, .usd), pledge: "p1", nonprofit: "n"))
        ledger.post(try PostingRules.pledgeRelease(reference: "end", amount: Money(9_800, .usd), pledge: "p1", sponsor: "s"))
        #expect(ledger.balance(.pledgeBudget("p1"), .usd) == 0)
        // Earned, not payable until the pledge settles (a removal could still take it back).
        #expect(ledger.balance(.nonprofitPledged("n"), .usd) == -200 && ledger.balance(.nonprofitPayable("n"), .usd) == 0)
        ledger.post(try PostingRules.pledgeSettlement(reference: "end", amount: Money(200, .usd), nonprofit: "n"))
        #expect(ledger.balance(.nonprofitPledged("n"), .usd) == 0 && ledger.balance(.nonprofitPayable("n"), .usd) == -200)
        ledger.post(try PostingRules.programFunding(reference: "prog", budget: Money(700_000_000, .usd), program: "g"))
        ledger.post(try PostingRules.grant(reference: "grant1", amount: Money(5_000_000, .usd), program: "g", nonprofit: "n"))
        #expect(ledger.balance(.programBudget("g"), .usd) == -695_000_000)
        #expect(ledger.isBalanced)
    }

    @Test("any sequence of ticket sales and refunds balances, pays the payee its net and never touches a fundraiser's total")
    func tickets() async {
        await propertyCheck(input: Gen.int64(in: 100...500_000).array(of: 1...40), Gen.bool.array(of: 40)) { prices, refunds in
            var ledger = Ledger()
            var expected: [String: Int64] = [:]
            for (index, price) in prices.enumerated() {
                let gross = Money(price, .usd)
                let fee = try FeeSchedule.standard.fee(for: gross)
                let payee: TicketPayee = index % 3 == 0 ? .nonprofit("n1") : .host("h1")
                for transaction in try PostingRules.ticket(reference: "t\(index)", gross: gross, fee: fee, processor: "sandbox", payee: payee) {
                    ledger.post(transaction)
                }
                expected[payee.account.name, default: 0] += price - fee.amount
                if refunds[index] {
                    ledger.post(try PostingRules.ticketRefund(reference: "t\(index)", amount: gross, processor: "sandbox", payee: payee))
                    expected[payee.account.name, default: 0] -= price
                }
                #expect(ledger.isBalanced)
            }
            #expect(-ledger.balance(.hostPayable("h1"), .usd) == expected["host:h1:payable", default: 0])
            #expect(-ledger.balance(.nonprofitPayable("n1"), .usd) == expected["nonprofit:n1:payable", default: 0])
            #expect(ledger.raised(fundraiser: "f1", currency: .usd) == 0)
        }
    }
}
