/// The smallest and largest single donation per currency; configurable, with defaults
/// equivalent to 1.00 to 10,000.00 USD.
public struct DonationLimits: Sendable, Equatable {
    public var ranges: [String: ClosedRange<Int64>]

    public init(ranges: [String: ClosedRange<Int64>]) { self.ranges = ranges }

    public static let standard = DonationLimits(ranges: [
        "USD": 100...1_000_000, "EUR": 100...1_000_000, "GBP": 100...1_000_000, "CHF": 100...1_000_000,
        "CAD": 100...1_500_000, "AUD": 100...1_500_000, "SEK": 1_000...10_000_000, "NOK": 1_000...10_000_000,
        "DKK": 1_000...7_000_000, "JPY": 100...1_500_000, "KWD": 300...3_000_000, "BHD": 400...4_000_000,
    ])

    public func check(_ money: Money, field: String = "amount") throws(ValidationIssue) {
        guard let range = ranges[money.currency.code] else {
            throw ValidationIssue(field: field, message: "donations in \(money.currency.code) are not accepted")
        }
        guard range.contains(money.amount) else {
            let low = MoneyFormat.format(Money(range.lowerBound, money.currency), language: "en")
            let high = MoneyFormat.format(Money(range.upperBound, money.currency), language: "en")
            throw ValidationIssue(field: field, message: "must be from \(low) to \(high)")
        }
    }
}
