/// Writing and reading amounts the way people of each page language do:
/// en `$1,234.56`, fr `1 234,56 $`, it `1.234,56 $`. Integer maths only.
public enum MoneyFormat {
    struct Style {
        let decimal: Character
        let grouping: String
        let symbolFirst: Bool
    }

    static func style(_ language: String) -> Style {
        switch language {
        case "fr": Style(decimal: ",", grouping: "\u{202F}", symbolFirst: false)
        case "it": Style(decimal: ",", grouping: ".", symbolFirst: false)
        default: Style(decimal: ".", grouping: ",", symbolFirst: true)
        }
    }

    /// Without the symbol (`showSymbol: false`) it is what `parse` reads back, for form fields.
    public static func format(_ money: Money, language: String, symbol showSymbol: Bool = true) -> String {
        let style = style(language)
        let negative = money.amount < 0
        let magnitude = money.amount.magnitude
        let perMajor = UInt64(money.currency.minorPerMajor)
        let major = magnitude / perMajor
        let minor = magnitude % perMajor
        var digits = Array(String(major))
        var grouped = ""
        while digits.count > 3 {
            grouped = style.grouping + String(digits.suffix(3)) + grouped
            digits.removeLast(3)
        }
        grouped = String(digits) + grouped
        if money.currency.exponent > 0 {
            let fraction = String(minor)
            grouped += String(style.decimal) + String(repeating: "0", count: money.currency.exponent - fraction.count) + fraction
        }
        let symbol = money.currency.symbol
        let body = !showSymbol ? grouped : style.symbolFirst ? symbol + grouped : grouped + "\u{00A0}" + symbol
        return negative ? "-" + body : body
    }

    /// The amount as a plain decimal (`-1234.56`, `1000` for JPY): no symbol, no grouping, a
    /// point; what a CSV file or a spreadsheet reads in any locale.
    public static func plain(_ money: Money) -> String {
        let perMajor = UInt64(money.currency.minorPerMajor)
        let magnitude = money.amount.magnitude
        var text = String(magnitude / perMajor)
        if money.currency.exponent > 0 {
            let fraction = String(magnitude % perMajor)
            text += "." + String(repeating: "0", count: money.currency.exponent - fraction.count) + fraction
        }
        return money.amount < 0 ? "-" + text : text
    }

    /// Reads an amount typed by a person in the given language ("12.50", "1,234.5" in en;
    /// "12,50", "1 234,5" in fr; "1.234,50" in it) into exact minor units. More decimals than
    /// the currency has, letters, or a sign are refused, and so is a grouping mark anywhere but
    /// between thousands: "12,50" on an English page is a mistake to point out, not $1,250.00.
    public static func parse(_ text: String, currency: Currency, language: String, field: String = "amount") throws(ValidationIssue) -> Money {
        let style = style(language)
        func misplaced() -> ValidationIssue { ValidationIssue(field: field, message: "write the amount such as \(example(currency, language))") }
        var whole = "", fraction = ""
        var sawDecimal = false
        // Digits in each group of the whole part, when it is grouped.
        var groups = [0]
        for character in text.trimmingWhitespace() {
            if character.isASCII && character.isNumber {
                if sawDecimal { fraction.append(character) } else {
                    whole.append(character)
                    groups[groups.count - 1] += 1
                }
            } else if character == style.decimal {
                guard !sawDecimal else { throw misplaced() }
                sawDecimal = true
            } else if String(character) == style.grouping || character == " " || character == "\u{00A0}" || character == "\u{202F}"
                        || (language == "it" && character == ".") || (language == "en" && character == ",") {
                guard !sawDecimal else { throw misplaced() }
                groups.append(0)
            } else {
                throw ValidationIssue(field: field, message: "write the amount with digits only, such as \(example(currency, language))")
            }
        }
        guard !(whole.isEmpty && fraction.isEmpty) else { throw misplaced() }
        if groups.count > 1 {
            guard (1...3).contains(groups[0]), groups.dropFirst().allSatisfy({ $0 == 3 }), whole.first != "0" else { throw misplaced() }
        }
        guard fraction.count <= currency.exponent else {
            throw ValidationIssue(field: field, message: "\(currency.code) has \(currency.exponent) decimal places at most")
        }
        // 15 digits: 10^15 major units times at most 10^3 minor units stays far inside Int64.
        guard whole.count <= 15 else { throw ValidationIssue(field: field, message: "is too large") }
        let major = Int64(whole.isEmpty ? "0" : whole)!
        let minor = Int64(fraction.isEmpty ? "0" : fraction + String(repeating: "0", count: currency.exponent - fraction.count))!
        return Money(major * currency.minorPerMajor + minor, currency)
    }

    static func example(_ currency: Currency, _ language: String) -> String {
        format(Money(12 * currency.minorPerMajor + currency.minorPerMajor / 2, currency), language: language)
    }
}
