/// A named account of the ledger. Names are paths (`nonprofit:<id>:payable`) so that a
/// report can group by prefix; balances are kept per account and currency.
public struct LedgerAccount: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let name: String

    public init(_ name: String) { self.name = name }

    public var description: String { name }
    public static func < (lhs: LedgerAccount, rhs: LedgerAccount) -> Bool { lhs.name < rhs.name }

    /// What the processor owes us for charges it has taken.
    public static func processorReceivable(_ processor: String) -> LedgerAccount { LedgerAccount("processor:\(processor):receivable") }
    /// Fees the processor keeps back.
    public static let processorFees = LedgerAccount("fees:processor")
    /// What we owe a nonprofit.
    public static func nonprofitPayable(_ id: String) -> LedgerAccount { LedgerAccount("nonprofit:\(id):payable") }
    /// Pledge accruals a nonprofit has earned but that are not settled yet: a removal within
    /// the grace period can still take them back, so they are not payable (nor paid out) until
    /// the pledge settles.
    public static func nonprofitPledged(_ id: String) -> LedgerAccount { LedgerAccount("nonprofit:\(id):pledged") }
    /// What has been paid out to a nonprofit.
    public static func nonprofitPaidOut(_ id: String) -> LedgerAccount { LedgerAccount("nonprofit:\(id):paid-out") }
    /// Ticket revenue owed to a host or a nonprofit (paid-entry lives).
    public static func hostPayable(_ id: String) -> LedgerAccount { LedgerAccount("host:\(id):payable") }
    /// A sponsor's per-video pledge budget, funded up front.
    public static func pledgeBudget(_ id: String) -> LedgerAccount { LedgerAccount("pledge:\(id):budget") }
    /// Returned to a sponsor when a pledge ends under budget.
    public static func sponsorRefunds(_ id: String) -> LedgerAccount { LedgerAccount("sponsor:\(id):refunds") }
    /// A platform giving program's budget.
    public static func programBudget(_ id: String) -> LedgerAccount { LedgerAccount("program:\(id):budget") }
    /// Ad credits the platform has issued (debited as it grants them).
    public static let platformAdCredits = LedgerAccount("platform:ad-credits")
    /// A nonprofit's ad credits, in `Currency.adCredits` only.
    public static func adCredits(_ nonprofit: String) -> LedgerAccount { LedgerAccount("ad-credits:\(nonprofit)") }
    /// Credits set aside for one promotion.
    public static func promotionBudget(_ id: String) -> LedgerAccount { LedgerAccount("promotion:\(id):budget") }
    /// Credits used up by impressions shown.
    public static let adImpressions = LedgerAccount("platform:ad-impressions")
    /// The platform's own funds that finance programs.
    public static let platformFunds = LedgerAccount("platform:funds")
}
