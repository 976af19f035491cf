/// How each movement of money is written to the ledger. The app calls these and stores the
/// result; it never writes entries of its own.
///
/// Donations: the gross credits the nonprofit's payable and debits what the processor owes
/// us; the processor's fee, borne by the nonprofit, debits the payable and credits
/// `fees:processor` (the processor keeps it back when it settles). Both carry the fundraiser
/// tag, so a fundraiser's total is its net: gross less fees, refunds and disputes.
public enum PostingRules {
    public static func donation(reference: String, gross: Money, fee: Money, processor: String, nonprofit: String, fundraiser: String) throws(LedgerError) -> [LedgerTransaction] {
        var transactions = [try LedgerTransaction(kind: .donation, reference: reference, entries: [
            .debit(.processorReceivable(processor), gross),
            .credit(.nonprofitPayable(nonprofit), gross, fundraiser: fundraiser),
        ])]
        if fee.isPositive {
            transactions.append(try LedgerTransaction(kind: .processorFee, reference: reference, entries: [
                .debit(.nonprofitPayable(nonprofit), fee, fundraiser: fundraiser),
                .credit(.processorFees, fee),
            ]))
        }
        return transactions
    }

    /// Money returned to the donor through the processor; the fee is not returned.
    public static func refund(reference: String, amount: Money, processor: String, nonprofit: String, fundraiser: String) throws(LedgerError) -> LedgerTransaction {
        try LedgerTransaction(kind: .refund, reference: reference, entries: [
            .debit(.nonprofitPayable(nonprofit), amount, fundraiser: fundraiser),
            .credit(.processorReceivable(processor), amount),
        ])
    }

    /// A chargeback: the processor takes the disputed amount back at once.
    public static func dispute(reference: String, amount: Money, processor: String, nonprofit: String, fundraiser: String) throws(LedgerError) -> LedgerTransaction {
        try LedgerTransaction(kind: .dispute, reference: reference, entries: [
            .debit(.nonprofitPayable(nonprofit), amount, fundraiser: fundraiser),
            .credit(.processorReceivable(processor), amount),
        ])
    }

    /// A dispute decided for the nonprofit returns the money. A lost dispute posts nothing:
    /// the money left when the dispute opened.
    public static func disputeWon(reference: String, amount: Money, processor: String, nonprofit: String, fundraiser: String) throws(LedgerError) -> LedgerTransaction {
        try LedgerTransaction(kind: .disputeWon, reference: reference, entries: [
            .debit(.processorReceivable(processor), amount),
            .credit(.nonprofitPayable(nonprofit), amount, fundraiser: fundraiser),
        ])
    }

    public static func payout(reference: String, amount: Money, nonprofit: String) throws(LedgerError) -> LedgerTransaction {
        try LedgerTransaction(kind: .payout, reference: reference, entries: [
            .debit(.nonprofitPayable(nonprofit), amount),
            .credit(.nonprofitPaidOut(nonprofit), amount),
        ])
    }

    /// A sponsor's payment funds a pledge's budget.
    public static func pledgeFunding(reference: String, budget: Money, processor: String, pledge: String) throws(LedgerError) -> LedgerTransaction {
        try LedgerTransaction(kind: .pledgeFunding, reference: reference, entries: [
            .debit(.processorReceivable(processor), budget),
            .credit(.pledgeBudget(pledge), budget),
        ])
    }

    /// A qualifying video moves the per-video amount from the budget to what the nonprofit has
    /// earned but not yet settled.
    public static func pledgeAccrual(reference: String, amount: Money, pledge: String, nonprofit: String) throws(LedgerError) -> LedgerTransaction {
        try LedgerTransaction(kind: .pledgeAccrual, reference: reference, entries: [
            .debit(.pledgeBudget(pledge), amount),
            .credit(.nonprofitPledged(nonprofit), amount),
        ])
    }

    /// A video removed within the grace period gives its accrual back to the budget.
    public static func pledgeReversal(reference: String, amount: Money, pledge: String, nonprofit: String) throws(LedgerError) -> LedgerTransaction {
        try LedgerTransaction(kind: .pledgeReversal, reference: reference, entries: [
            .debit(.nonprofitPledged(nonprofit), amount),
            .credit(.pledgeBudget(pledge), amount),
        ])
    }

    /// At settlement the pledge's accruals become payable to the nonprofit.
    public static func pledgeSettlement(reference: String, amount: Money, nonprofit: String) throws(LedgerError) -> LedgerTransaction {
        try LedgerTransaction(kind: .pledgeSettlement, reference: reference, entries: [
            .debit(.nonprofitPledged(nonprofit), amount),
            .credit(.nonprofitPayable(nonprofit), amount),
        ])
    }

    /// At the end, what the budget did not accrue goes back to the sponsor.
    public static func pledgeRelease(reference: String, amount: Money, pledge: String, sponsor: String) throws(LedgerError) -> LedgerTransaction {
        try LedgerTransaction(kind: .pledgeRelease, reference: reference, entries: [
            .debit(.pledgeBudget(pledge), amount),
            .credit(.sponsorRefunds(sponsor), amount),
        ])
    }

    /// The processor's fee on a sponsor's pledge payment: the platform bears it, so that the
    /// whole budget the sponsor pledged reaches nonprofits or returns to the sponsor.
    public static func pledgeFundingFee(reference: String, fee: Money) throws(LedgerError) -> LedgerTransaction {
        try LedgerTransaction(kind: .processorFee, reference: reference, entries: [
            .debit(.platformFunds, fee),
            .credit(.processorFees, fee),
        ])
    }

    /// What was released to a sponsor goes back to their card through the processor.
    public static func sponsorRefund(reference: String, amount: Money, processor: String, sponsor: String) throws(LedgerError) -> LedgerTransaction {
        try LedgerTransaction(kind: .refund, reference: reference, entries: [
            .debit(.sponsorRefunds(sponsor), amount),
            .credit(.processorReceivable(processor), amount),
        ])
    }

    /// Platform admins grant ad credits to a nonprofit. Credits are their own unit: a posting
    /// that mixed them with money could not balance, and these rules refuse any other currency.
    public static func creditGrant(reference: String, credits: Money, nonprofit: String) throws(LedgerError) -> LedgerTransaction {
        guard credits.currency == .adCredits else { throw .unbalanced(currency: credits.currency.code, by: credits.amount) }
        return try LedgerTransaction(kind: .creditGrant, reference: reference, entries: [
            .debit(.platformAdCredits, credits),
            .credit(.adCredits(nonprofit), credits),
        ])
    }

    /// A nonprofit sets credits aside for a promotion.
    public static func promotionFunding(reference: String, credits: Money, nonprofit: String, promotion: String) throws(LedgerError) -> LedgerTransaction {
        guard credits.currency == .adCredits else { throw .unbalanced(currency: credits.currency.code, by: credits.amount) }
        return try LedgerTransaction(kind: .promotionFunding, reference: reference, entries: [
            .debit(.adCredits(nonprofit), credits),
            .credit(.promotionBudget(promotion), credits),
        ])
    }

    /// Impressions shown draw on the promotion's budget.
    public static func promotionSpend(reference: String, credits: Money, promotion: String) throws(LedgerError) -> LedgerTransaction {
        guard credits.currency == .adCredits else { throw .unbalanced(currency: credits.currency.code, by: credits.amount) }
        return try LedgerTransaction(kind: .promotionSpend, reference: reference, entries: [
            .debit(.promotionBudget(promotion), credits),
            .credit(.adImpressions, credits),
        ])
    }

    /// What a stopped or ended promotion did not spend goes back to the nonprofit's credits.
    public static func promotionReturn(reference: String, credits: Money, nonprofit: String, promotion: String) throws(LedgerError) -> LedgerTransaction {
        guard credits.currency == .adCredits else { throw .unbalanced(currency: credits.currency.code, by: credits.amount) }
        return try LedgerTransaction(kind: .promotionReturn, reference: reference, entries: [
            .debit(.promotionBudget(promotion), credits),
            .credit(.adCredits(nonprofit), credits),
        ])
    }

    public static func programFunding(reference: String, budget: Money, program: String) throws(LedgerError) -> LedgerTransaction {
        try LedgerTransaction(kind: .programFunding, reference: reference, entries: [
            .debit(.platformFunds, budget),
            .credit(.programBudget(program), budget),
        ])
    }

    /// What a closed program did not give goes back to the platform's funds.
    public static func programReturn(reference: String, amount: Money, program: String) throws(LedgerError) -> LedgerTransaction {
        try LedgerTransaction(kind: .programReturn, reference: reference, entries: [
            .debit(.programBudget(program), amount),
            .credit(.platformFunds, amount),
        ])
    }

    public static func grant(reference: String, amount: Money, program: String, nonprofit: String) throws(LedgerError) -> LedgerTransaction {
        try LedgerTransaction(kind: .grant, reference: reference, entries: [
            .debit(.programBudget(program), amount),
            .credit(.nonprofitPayable(nonprofit), amount),
        ])
    }

    /// A ticket to a paid-entry live: like a donation, to the host's account or a nonprofit's,
    /// with the processor's fee borne by whoever receives the sale. No fundraiser tag: ticket
    /// revenue is not a gift and never counts towards a fundraiser's total.
    public static func ticket(reference: String, gross: Money, fee: Money, processor: String, payee: TicketPayee) throws(LedgerError) -> [LedgerTransaction] {
        var transactions = [try LedgerTransaction(kind: .ticket, reference: reference, entries: [
            .debit(.processorReceivable(processor), gross),
            .credit(payee.account, gross),
        ])]
        if fee.isPositive {
            transactions.append(try LedgerTransaction(kind: .processorFee, reference: reference, entries: [
                .debit(payee.account, fee),
                .credit(.processorFees, fee),
            ]))
        }
        return transactions
    }

    /// A ticket's price returned to its buyer (a cancelled event, a revoked ticket); the fee is not returned.
    public static func ticketRefund(reference: String, amount: Money, processor: String, payee: TicketPayee) throws(LedgerError) -> LedgerTransaction {
        try LedgerTransaction(kind: .refund, reference: reference, entries: [
            .debit(payee.account, amount),
            .credit(.processorReceivable(processor), amount),
        ])
    }
}

/// Who a paid-entry live's ticket revenue goes to.
public enum TicketPayee: Sendable, Equatable {
    case host(String)
    case nonprofit(String)

    public var account: LedgerAccount {
        switch self {
        case .host(let id): .hostPayable(id)
        case .nonprofit(let id): .nonprofitPayable(id)
        }
    }
}
