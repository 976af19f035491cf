import GoodcastCore
import PropertyBased
import Testing

@Suite("Promotions and ad credits")
struct PromotionBudgetTests {
    @Test("impressions are charged at the rate until the budget is spent, never beyond")
    func charging() {
        var budget = PromotionBudget(budget: 10, spent: 0, rate: 3)
        #expect(budget.charge(impressions: 2) == (6, 2))
        #expect(budget.charge(impressions: 5) == (3, 1))
        #expect(budget.isSpent && budget.spent == 9 && budget.remaining == 1)
        #expect(budget.charge(impressions: 1) == (0, 0))
        #expect(AdCreditRules.spend(5, from: 5) == 0)
        #expect(AdCreditRules.spend(6, from: 5) == nil)
        #expect(AdCreditRules.spend(0, from: 5) == nil)
    }

    @Test("any sequence of impression batches spends at most the budget, and exactly what it paid for")
    func neverOverspends() async {
        await propertyCheck(input: Gen.int(in: 0...5000), Gen.int(in: 1...50), Gen.int(in: 0...200).array(of: 0...40)) { total, rate, batches in
            var budget = PromotionBudget(budget: Int64(total), spent: 0, rate: Int64(rate))
            var charged: Int64 = 0, shown: Int64 = 0
            for batch in batches {
                let (credits, paid) = budget.charge(impressions: Int64(batch))
                #expect(credits == paid * Int64(rate) && paid <= Int64(batch) && credits >= 0)
                charged += credits
                shown += paid
            }
            #expect(charged == budget.spent && budget.spent <= Int64(total))
            // Stopped short only when no further impression fits.
            let asked = batches.reduce(0, +)
            #expect(shown == Int64(asked) || budget.remaining < Int64(rate))
        }
    }
}
