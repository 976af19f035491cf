/// What can still happen to one donation's money: how much may be refunded, what a dispute
/// takes. The rules that keep refunds and disputes from ever exceeding what was given.
public struct DonationBalance: Sendable, Equatable {
    public let gross: Money
    public private(set) var refunded: Money
    public private(set) var dispute: DisputeState

    public enum DisputeState: String, Sendable, Equatable, Codable {
        case none, open, won, lost
    }

    public enum RefundError: Error, Equatable, Sendable {
        case notPositive
        case wrongCurrency(expected: String)
        case exceedsRefundable(remaining: Money)
        case disputed
    }

    public init(gross: Money, refunded: Money? = nil, dispute: DisputeState = .none) {
        self.gross = gross
        self.refunded = refunded ?? .zero(gross.currency)
        self.dispute = dispute
    }

    /// What a refund may still return.
    public var refundable: Money {
        dispute == .open || dispute == .lost ? .zero(gross.currency) : Money(gross.amount - refunded.amount, gross.currency)
    }

    /// Checks and records a refund; `nil` refunds everything that is left.
    public mutating func refund(_ requested: Money?) throws(RefundError) -> Money {
        if dispute == .open || dispute == .lost { throw .disputed }
        let amount = requested ?? refundable
        guard amount.currency == gross.currency else { throw .wrongCurrency(expected: gross.currency.code) }
        guard amount.isPositive else { throw refundable.isZero ? .exceedsRefundable(remaining: refundable) : .notPositive }
        guard amount.amount <= refundable.amount else { throw .exceedsRefundable(remaining: refundable) }
        refunded = Money(refunded.amount + amount.amount, gross.currency)
        return amount
    }

    /// A dispute covers what has not been refunded; returns that amount, or nil if there is
    /// nothing to dispute or one is already under way.
    public mutating func openDispute() -> Money? {
        guard dispute == .none || dispute == .won else { return nil }
        let amount = Money(gross.amount - refunded.amount, gross.currency)
        guard amount.isPositive else { return nil }
        dispute = .open
        return amount
    }

    /// Closes an open dispute; returns the amount to give back when it was won.
    public mutating func closeDispute(won: Bool) -> Money? {
        guard dispute == .open else { return nil }
        dispute = won ? .won : .lost
        return won ? Money(gross.amount - refunded.amount, gross.currency) : nil
    }
}
