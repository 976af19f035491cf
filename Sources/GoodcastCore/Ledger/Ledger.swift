/// An in-memory ledger: the reference model of the rules, used by the property tests and by
/// `goodcast ledger verify` to recompute balances from entries.
public struct Ledger: Sendable {
    public private(set) var transactions: [LedgerTransaction] = []
    public private(set) var balances: [BalanceKey: Int64] = [:]

    public struct BalanceKey: Hashable, Sendable {
        public let account: LedgerAccount
        public let currency: String
        public init(_ account: LedgerAccount, _ currency: String) {
            self.account = account
            self.currency = currency
        }
    }

    public init() {}

    public mutating func post(_ transaction: LedgerTransaction) {
        transactions.append(transaction)
        for entry in transaction.entries {
            balances[BalanceKey(entry.account, entry.amount.currency.code), default: 0] += entry.amount.amount
        }
    }

    /// Debit-positive balance.
    public func balance(_ account: LedgerAccount, _ currency: Currency) -> Int64 {
        balances[BalanceKey(account, currency.code)] ?? 0
    }

    /// What a fundraiser has raised, net: credits to payables tagged with it, less debits.
    public func raised(fundraiser: String, currency: Currency) -> Int64 {
        var total: Int64 = 0
        for transaction in transactions {
            for entry in transaction.entries where entry.fundraiser == fundraiser && entry.amount.currency == currency {
                total -= entry.amount.amount
            }
        }
        return total
    }

    /// Every currency's debits equal its credits across the whole ledger.
    public var isBalanced: Bool {
        var sums: [String: Int64] = [:]
        for (key, value) in balances { sums[key.currency, default: 0] += value }
        return sums.values.allSatisfy { $0 == 0 }
    }
}
