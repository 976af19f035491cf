import Foundation
import GoodcastCore
import PropertyBased
import Testing

@Suite("Per-video pledge rules")
struct PledgeRulesTests {
    let start = Date(timeIntervalSince1970: 1_795_000_000)
    var window: ClosedRange<Date> { start...start.addingTimeInterval(30 * 86_400) }
    let rules = PledgeRules()
    let usd = Currency.usd

    @Test("a video counts in the window, from an account old enough, within the creator's daily limit, while budget is left")
    func verdicts() {
        let old = start.addingTimeInterval(-30 * 86_400)
        let posted = start.addingTimeInterval(3600)
        let left = Money(200, usd)
        #expect(rules.verdict(postedAt: posted, window: window, accountCreatedAt: old, countedSameDay: 0, remaining: left) == .counts)
        #expect(rules.verdict(postedAt: start.addingTimeInterval(-1), window: window, accountCreatedAt: old, countedSameDay: 0, remaining: left) == .outsideWindow)
        #expect(rules.verdict(postedAt: posted, window: window, accountCreatedAt: posted.addingTimeInterval(-86_400), countedSameDay: 0, remaining: left) == .accountTooNew)
        #expect(rules.verdict(postedAt: posted, window: window, accountCreatedAt: old, countedSameDay: 3, remaining: left) == .dailyLimitReached)
        #expect(rules.verdict(postedAt: posted, window: window, accountCreatedAt: old, countedSameDay: 0, remaining: .zero(usd)) == .budgetSpent)
        #expect(rules.reversesAccrual(postedAt: posted, removedAt: posted.addingTimeInterval(47 * 3600), settled: false))
        #expect(!rules.reversesAccrual(postedAt: posted, removedAt: posted.addingTimeInterval(49 * 3600), settled: false))
        #expect(!rules.reversesAccrual(postedAt: posted, removedAt: posted.addingTimeInterval(3600), settled: true))
        #expect(PledgeRules.day(of: Date(timeIntervalSince1970: 86_399)) == 0)
        #expect(PledgeRules.day(of: Date(timeIntervalSince1970: 86_400)) == 1)
    }

    @Test("any run of videos and removals: accruals never pass the budget, and settlement splits it exactly")
    func budgetInvariant() async {
        let rules = self.rules, start = self.start, window = self.window, usd = self.usd
        await propertyCheck(input: Gen.int64(in: 1...5_000), Gen.int64(in: 1...50_000), Gen.int(in: 0...3).array(of: 0...80)) { (perVideo: Int64, budget: Int64, steps: [Int]) in
            let per = Money(perVideo, usd)
            var remaining = Money(budget, usd)
            var accrued: [Money] = []
            for step in steps {
                if step == 3, !accrued.isEmpty {
                    // A removal within the grace period gives the accrual back.
                    let back = accrued.removeLast()
                    remaining = Money(remaining.amount + back.amount, usd)
                } else {
                    guard rules.verdict(postedAt: start, window: window, accountCreatedAt: .distantPast, countedSameDay: 0, remaining: remaining) == .counts else {
                        #expect(remaining.amount == 0)
                        continue
                    }
                    let amount = PledgeRules.accrual(perVideo: per, remaining: remaining)
                    #expect(amount.isPositive && amount.amount <= perVideo)
                    accrued.append(amount)
                    remaining = Money(remaining.amount - amount.amount, usd)
                }
                let total: Int64 = accrued.reduce(0) { $0 + $1.amount }
                #expect(remaining.amount >= 0)
                #expect(total + remaining.amount == budget)
            }
            // Settlement: the nonprofit gets what accrued, the sponsor the rest; the budget ends at zero.
            let toNonprofit: Int64 = accrued.reduce(0) { $0 + $1.amount }
            #expect(toNonprofit <= budget && toNonprofit + remaining.amount == budget)
        }
    }
}
