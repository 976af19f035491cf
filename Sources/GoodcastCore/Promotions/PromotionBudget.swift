/// How impressions draw on a promotion's budget: each shown costs `rate` credits, until the
/// budget is spent. What a batch of impressions is charged never exceeds what is left, so a
/// budget is spent exactly and never beyond, however impressions arrive.
public struct PromotionBudget: Sendable, Equatable {
    public let budget: Int64
    public private(set) var spent: Int64
    public let rate: Int64

    /// Values out of bounds (which a consistent row never has) are clamped, so that a bad row
    /// charges nothing rather than crashing the server.
    public init(budget: Int64, spent: Int64, rate: Int64) {
        self.budget = max(0, budget)
        self.spent = min(max(0, spent), max(0, budget))
        self.rate = max(1, rate)
    }

    public var remaining: Int64 { budget - spent }
    public var isSpent: Bool { remaining < rate }

    /// Charges `impressions`; returns the credits charged and the impressions they paid for.
    public mutating func charge(impressions: Int64) -> (credits: Int64, paid: Int64) {
        guard impressions > 0 else { return (0, 0) }
        let affordable = remaining / rate
        let paid = min(impressions, affordable)
        let credits = paid * rate
        spent += credits
        return (credits, paid)
    }
}

/// A nonprofit's ad credits: spending needs the whole amount to be there.
public enum AdCreditRules {
    /// The balance after spending `amount`, or nil when it would go below zero.
    public static func spend(_ amount: Int64, from balance: Int64) -> Int64? {
        guard amount > 0, balance >= amount else { return nil }
        return balance - amount
    }
}
