/// One line of a ledger transaction. `amount` is signed: positive debits the account,
/// negative credits it. `fundraiser` tags the lines that count toward a fundraiser's total.
public struct LedgerEntry: Hashable, Sendable, Codable {
    public let account: LedgerAccount
    public let amount: Money
    public let fundraiser: String?

    public init(_ account: LedgerAccount, _ amount: Money, fundraiser: String? = nil) {
        self.account = account
        self.amount = amount
        self.fundraiser = fundraiser
    }

    public static func debit(_ account: LedgerAccount, _ amount: Money, fundraiser: String? = nil) -> LedgerEntry {
        LedgerEntry(account, amount, fundraiser: fundraiser)
    }

    public static func credit(_ account: LedgerAccount, _ amount: Money, fundraiser: String? = nil) -> LedgerEntry {
        LedgerEntry(account, amount.negated, fundraiser: fundraiser)
    }
}

public enum LedgerKind: String, Sendable, Codable, CaseIterable {
    case donation, processorFee = "processor-fee", refund, dispute, disputeWon = "dispute-won", payout
    case ticket, pledgeFunding = "pledge-funding", pledgeAccrual = "pledge-accrual", pledgeReversal = "pledge-reversal"
    case pledgeRelease = "pledge-release", programFunding = "program-funding", grant, reversal
    case pledgeSettlement = "pledge-settlement", programReturn = "program-return"
    case creditGrant = "credit-grant", promotionFunding = "promotion-funding", promotionSpend = "promotion-spend", promotionReturn = "promotion-return"
}

public enum LedgerError: Error, Equatable, Sendable {
    case tooFewEntries
    case zeroEntry(LedgerAccount)
    case unbalanced(currency: String, by: Int64)
    case amountOverflow
}

/// A balanced set of entries: for every currency, debits equal credits. Once built it cannot
/// be changed; a correction is another transaction (`reversed()`).
public struct LedgerTransaction: Hashable, Sendable {
    public let kind: LedgerKind
    /// What this transaction is about (`donation:<id>`), for finding and reversing it.
    public let reference: String
    public let entries: [LedgerEntry]

    public init(kind: LedgerKind, reference: String, entries: [LedgerEntry]) throws(LedgerError) {
        guard entries.count >= 2 else { throw .tooFewEntries }
        var sums: [String: Int64] = [:]
        for entry in entries {
            if entry.amount.isZero { throw .zeroEntry(entry.account) }
            let (sum, overflow) = sums[entry.amount.currency.code, default: 0].addingReportingOverflow(entry.amount.amount)
            if overflow { throw .amountOverflow }
            sums[entry.amount.currency.code] = sum
        }
        if let (currency, sum) = sums.sorted(by: { $0.key < $1.key }).first(where: { $0.value != 0 }) {
            throw .unbalanced(currency: currency, by: sum)
        }
        self.kind = kind
        self.reference = reference
        self.entries = entries
    }

    /// The transaction that undoes this one, entry by entry.
    public func reversed(reference: String) -> LedgerTransaction {
        // Negating a balanced transaction keeps it balanced; Int64.min cannot occur (checked on build).
        try! LedgerTransaction(kind: .reversal, reference: reference, entries: entries.map {
            LedgerEntry($0.account, $0.amount.negated, fundraiser: $0.fundraiser)
        })
    }
}
