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
    /// the currency has, letters, or a sign are refused.
    public static func parse(_ text: String, currency: Currency, language: String, field: String = "amount") throws(ValidationIssue) -> Money {
        let style = style(language)
        var cleaned = ""
        for character in text.trimmingWhitespace() {
            if character == style.decimal || character.isASCII && character.isNumber {
                cleaned.append(character)
            } else if String(character) == style.grouping || character == " " || character == "\u{00A0}" || character == "\u{202F}"
                        || (language == "it" && character == ".") || (language == "en" && character == ",") {
                continue
            } else {
                throw ValidationIssue(field: field, message: "write the amount with digits only, such as \(example(currency, language))")
            }
        }
        let parts = cleaned.split(separator: style.decimal, omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !(whole.isEmpty && (parts.count == 1 || parts[1].isEmpty)) else {
            throw ValidationIssue(field: field, message: "write the amount such as \(example(currency, language))")
        }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.count <= currency.exponent else {
            throw ValidationIssue(field: field, message: "\(currency.code) has \(currency.exponent) decimal places at most")
        }
        guard whole.count <= 15 else { throw ValidationIssue(field: field, message: "is too large") }
        let major = Int64(whole.isEmpty ? "0" : String(whole))!
        let minor = Int64(fraction.isEmpty ? "0" : fraction + String(repeating: "0", count: currency.exponent - fraction.count))!
        return Money(major * currency.minorPerMajor + minor, currency)
    }

    static func example(_ currency: Currency, _ language: String) -> String {
        format(Money(12 * currency.minorPerMajor + currency.minorPerMajor / 2, currency), language: language)
    }
}
