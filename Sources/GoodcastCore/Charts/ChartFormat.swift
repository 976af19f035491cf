/// Chart labels the way people of each page language write them: grouped integers, money,
/// and UTC days given as "YYYY-MM-DD". Month names are tables here rather than ICU data,
/// which a server may not have. Unknown languages are written as English.
public enum ChartFormat {
    /// en `12,345`, fr `12 345` (U+202F), it `12.345`.
    public static func integer(_ value: Int64, language: String) -> String {
        let grouping = MoneyFormat.style(language).grouping
        var digits = Array(String(value.magnitude))
        var grouped = ""
        while digits.count > 3 {
            grouped = grouping + String(digits.suffix(3)) + grouped
            digits.removeLast(3)
        }
        return (value < 0 ? "-" : "") + String(digits) + grouped
    }

    public static func value(_ value: Int64, kind: ChartValueKind, language: String) -> String {
        switch kind {
        case .count: integer(value, language: language)
        case .money(let currency): MoneyFormat.format(Money(value, currency), language: language)
        }
    }

    /// en "Nov 25", fr "25 nov.", it "25 nov". Text that is not a valid day comes back as it is.
    public static func shortDay(_ day: String, language: String) -> String {
        guard let date = parseDay(day) else { return day }
        let name = months(language).short[date.month - 1]
        return language == "fr" || language == "it" ? "\(date.day) \(name)" : "\(name) \(date.day)"
    }

    /// en "25 November 2026", fr "25 novembre 2026", it "25 novembre 2026".
    public static func longDay(_ day: String, language: String) -> String {
        guard let date = parseDay(day) else { return day }
        return "\(date.day) \(months(language).long[date.month - 1]) \(date.year)"
    }

    /// "25 November 2026: 1,234"; French sets its colon off with a narrow no-break space.
    public static func tooltip(day: String, value: Int64, kind: ChartValueKind, language: String) -> String {
        let colon = language == "fr" ? "\u{202F}:" : ":"
        return longDay(day, language: language) + colon + " " + self.value(value, kind: kind, language: language)
    }

    /// Year, month (1-12) and day of a real calendar day written "YYYY-MM-DD".
    static func parseDay(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        return (year, month, day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func months(_ language: String) -> (short: [String], long: [String]) {
        switch language {
        case "fr": (french, frenchLong)
        case "it": (italian, italianLong)
        default: (english, englishLong)
        }
    }

    private static let english = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let englishLong = ["January", "February", "March", "April", "May", "June", "July",
                                      "August", "September", "October", "November", "December"]
    private static let french = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
    private static let frenchLong = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet",
                                     "août", "septembre", "octobre", "novembre", "décembre"]
    private static let italian = ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"]
    private static let italianLong = ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio",
                                      "agosto", "settembre", "ottobre", "novembre", "dicembre"]
}
