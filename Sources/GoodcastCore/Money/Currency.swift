/// An ISO 4217 currency Goodcast accepts, with its minor-unit exponent
/// (JPY has none, USD two, KWD three) and how people write it.
public struct Currency: Hashable, Sendable, Codable, CustomStringConvertible {
    public let code: String
    public let exponent: Int
    public let symbol: String

    public var description: String { code }

    /// 10^exponent: minor units in one major unit.
    public var minorPerMajor: Int64 {
        var value: Int64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    public static let supported: [String: Currency] = {
        let table: [(String, Int, String)] = [
            ("USD", 2, "$"), ("EUR", 2, "€"), ("GBP", 2, "£"), ("JPY", 0, "¥"), ("CHF", 2, "CHF"),
            ("CAD", 2, "CA$"), ("AUD", 2, "A$"), ("SEK", 2, "kr"), ("NOK", 2, "kr"), ("DKK", 2, "kr"),
            ("KWD", 3, "KD"), ("BHD", 3, "BD"),
        ]
        return Dictionary(uniqueKeysWithValues: table.map { ($0.0, Currency(code: $0.0, exponent: $0.1, symbol: $0.2)) })
    }()

    public static let usd = supported["USD"]!
    public static let eur = supported["EUR"]!
    public static let gbp = supported["GBP"]!
    public static let jpy = supported["JPY"]!
    public static let kwd = supported["KWD"]!
    /// Ad credits: a unit of their own (an ISO 4217 "X" code, which names no money), whole
    /// credits only. Not in `supported`, so no donation, ticket or pledge can be made in it.
    public static let adCredits = Currency(code: "XCR", exponent: 0, symbol: "credits")

    private init(code: String, exponent: Int, symbol: String) {
        self.code = code
        self.exponent = exponent
        self.symbol = symbol
    }

    /// A supported currency by its code, case-insensitively.
    public static func parse(_ raw: String?, field: String = "currency") throws(ValidationIssue) -> Currency {
        guard let raw else { throw ValidationIssue(field: field, message: "is required") }
        guard let currency = supported[raw.trimmingWhitespace().uppercased()] else {
            throw ValidationIssue(field: field, message: "must be one of \(supported.keys.sorted().joined(separator: ", "))")
        }
        return currency
    }

    public init(from decoder: any Decoder) throws {
        let code = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try Currency.parse(code)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
