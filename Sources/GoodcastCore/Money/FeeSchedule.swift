/// A card processor's fee: a rate in basis points plus a fixed part in the currency's major
/// unit (2.9% + 0.30 by default), computed in integers, rounded half up.
public struct FeeSchedule: Sendable, Equatable {
    /// 290 = 2.9%.
    public var basisPoints: Int64
    /// The fixed part in hundredths of a major unit: 30 = 0.30 (USD 30 cents, JPY 0, KWD 300 fils).
    public var fixedHundredths: Int64

    public init(basisPoints: Int64 = 290, fixedHundredths: Int64 = 30) {
        self.basisPoints = basisPoints
        self.fixedHundredths = fixedHundredths
    }

    public static let standard = FeeSchedule()

    public func fee(for gross: Money) throws(Money.ArithmeticError) -> Money {
        let proportional = try gross.scaled(by: basisPoints, over: 10_000)
        let fixed = try Money(fixedHundredths, gross.currency).scaled(by: gross.currency.minorPerMajor, over: 100)
        return try proportional.adding(fixed)
    }

    /// The gross to charge so that, after the fee, `net` is left: what "cover the fees" asks
    /// the donor to pay. The smallest gross whose net is at least `net`.
    public func grossCovering(_ net: Money) throws(Money.ArithmeticError) -> Money {
        let fixed = try Money(fixedHundredths, net.currency).scaled(by: net.currency.minorPerMajor, over: 100)
        var gross = try net.adding(fixed).scaled(by: 10_000, over: 10_000 - basisPoints)
        // Rounding can leave it one or two minor units short; step up until it covers.
        while try gross.subtracting(fee(for: gross)).amount < net.amount { gross = try gross.adding(Money(1, net.currency)) }
        while gross.amount > net.amount, try gross.subtracting(Money(1, net.currency)).subtracting(fee(for: gross.subtracting(Money(1, net.currency)))).amount >= net.amount {
            gross = try gross.subtracting(Money(1, net.currency))
        }
        return gross
    }
}
