/// An amount of money: whole minor units of one currency. No floating point, ever:
/// `Money(500, .usd)` is $5.00, `Money(500, .jpy)` is ¥500.
public struct Money: Hashable, Sendable, Codable, CustomStringConvertible {
    public let amount: Int64
    public let currency: Currency

    public init(_ amount: Int64, _ currency: Currency) {
        self.amount = amount
        self.currency = currency
    }

    public static func zero(_ currency: Currency) -> Money { Money(0, currency) }

    public var description: String { MoneyFormat.format(self, language: "en") }
    public var isZero: Bool { amount == 0 }
    public var isPositive: Bool { amount > 0 }
    public var negated: Money { Money(-amount, currency) }

    public enum ArithmeticError: Error, Equatable, Sendable {
        case currencyMismatch(String, String)
        case overflow
    }

    public func adding(_ other: Money) throws(ArithmeticError) -> Money {
        guard other.currency == currency else { throw .currencyMismatch(currency.code, other.currency.code) }
        let (sum, overflow) = amount.addingReportingOverflow(other.amount)
        if overflow { throw .overflow }
        return Money(sum, currency)
    }

    public func subtracting(_ other: Money) throws(ArithmeticError) -> Money {
        guard other.amount != .min else { throw .overflow }
        return try adding(other.negated)
    }

    /// `self × numerator / denominator`, rounded half away from zero, without overflow
    /// for any amount a person can give (intermediate maths in 128 bits).
    public func scaled(by numerator: Int64, over denominator: Int64) throws(ArithmeticError) -> Money {
        precondition(denominator > 0)
        let product = amount.multipliedFullWidth(by: numerator)
        let wide = (Int128(product.high) << 64) | Int128(product.low)
        let half = Int128(denominator) / 2
        let rounded = wide >= 0 ? (wide + half) / Int128(denominator) : (wide - half) / Int128(denominator)
        guard let result = Int64(exactly: rounded) else { throw .overflow }
        return Money(result, currency)
    }

    // Codable as {"amount": 500, "currency": "USD"}.
    enum CodingKeys: String, CodingKey, CaseIterable { case amount, currency }
}
