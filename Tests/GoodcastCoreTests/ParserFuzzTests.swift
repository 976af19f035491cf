import Foundation
@testable import GoodcastCore
import PropertyBased
import Testing

/// Property-based fuzzing of the parsers that read outside input (captions, typed amounts,
/// days, `Accept-Language`). The generators are biased toward what breaks parsers: sigils and
/// separators, digits in every script, combining marks, ZWJ emoji, RTL text, control
/// characters, compatibility characters that expand under NFKC, very long runs; each input
/// is random (a failure prints the `.fixedSeed` that reproduces it). Iterations are fixed so
/// that each test stays within a few seconds in a debug build.
@Suite("Parser fuzzing (GoodcastCore)")
struct ParserFuzzTests {
    // MARK: Hashtags and mentions

    @Test("captions: any text parses; tags round-trip, keys are tags of their own, limits hold")
    func captions() async {
        await propertyCheck(count: 1200, input: Fuzz.caption) { caption in
            checkTags(caption)
        }
    }

    @Test("captions: a tag planted in noise is found, with the key of its display")
    func plantedTags() async {
        await propertyCheck(count: 600, input: Fuzz.caption, Fuzz.tagBody, Fuzz.caption) { before, body, after in
            let caption = before + " #" + body + " " + after
            let tags = CaptionTags(caption: caption)
            let key = CaptionTags.matchKey(body)
            #expect(tags.hashtags.contains { $0.key == key }, "\(debug(caption))")
            checkTags(caption)
        }
    }

    @Test("captions: every character that continues a tag keeps its key a tag (all of Unicode)")
    func everyScalar() {
        // Exhaustive where it is cheap: one scalar after a letter, for every scalar there is.
        var offenders: [String] = []
        for value in UInt32(0x80)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value), CaptionTags.continuesTag(scalar) else { continue }
            let key = CaptionTags.matchKey("a" + String(scalar))
            if !key.unicodeScalars.allSatisfy(CaptionTags.continuesTag) { offenders.append(String(value, radix: 16)) }
        }
        #expect(offenders.isEmpty, "\(offenders.prefix(20))")
    }

    @Test("captions: regressions found by fuzzing")
    func captionRegressions() {
        // ﷺ is one letter whose compatibility form is three words: its key held spaces, so a
        // challenge's key could not be typed as a tag. It now ends a tag like punctuation.
        #expect(CaptionTags(caption: "#salam\u{FDFA}").hashtags.map(\.key) == ["salam"])
        #expect(CaptionTags(caption: "#\u{FDFA}").hashtags.isEmpty)
        // Parenthesised and dotted numbers, vulgar fractions, Arabic isolated harakat, ypogegrammeni.
        #expect(CaptionTags(caption: "#win\u{2474}").hashtags.map(\.key) == ["win"])
        #expect(CaptionTags(caption: "#cup\u{00BD}").hashtags.map(\.key) == ["cup"])
        #expect(CaptionTags(caption: "#x\u{037A}y").hashtags.map(\.key) == ["x"])
        #expect(CaptionTags(caption: "#ab\u{FE70}").hashtags.map(\.key) == ["ab"])
        // Digits alone are judged on the key: circled, superscript and mathematical digits too.
        #expect(CaptionTags(caption: "#\u{2460} #\u{00B2}\u{2070}\u{00B2}\u{2076} #\u{1D7CF}").hashtags.isEmpty)
        #expect(CaptionTags(caption: "#\u{2460}st").hashtags.map(\.key) == ["1st"])
        // A tag may start with a combining mark, which makes one character with the sign: the
        // key kept the sign ("#̈a"), so the tag typed with its sign matched nothing.
        #expect(CaptionTags.matchKey("#\u{308}a") == "\u{308}a")
        #expect(CaptionTags.matchKey("＃\u{345}Ⅻ") == CaptionTags(caption: "#\u{345}Ⅻ").hashtags.first?.key)
        // Letters whose forms are letters still make tags: full-width, ligatures, Roman numerals.
        #expect(CaptionTags(caption: "#\u{FB01}nal #\u{216B} #Ｇｏ").hashtags.map(\.key) == ["final", "xii", "go"])
    }

    private func checkTags(_ caption: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let tags = CaptionTags(caption: caption)
        let normalised = Array(caption.precomposedStringWithCanonicalMapping.unicodeScalars)
        #expect(Set(tags.hashtags.map(\.key)).count == tags.hashtags.count, "\(debug(caption))", sourceLocation: sourceLocation)
        #expect(Set(tags.mentions).count == tags.mentions.count, "\(debug(caption))", sourceLocation: sourceLocation)
        for tag in tags.hashtags {
            let display = Array(tag.display.unicodeScalars)
            let context = "tag \(debug(tag.display)) key \(debug(tag.key)) in \(debug(caption))"
            // Within the limits: 1...100 characters of the tag alphabet, and a key that fits an index entry.
            #expect((1...CaptionTags.maxHashtagLength).contains(display.count), "\(context)", sourceLocation: sourceLocation)
            #expect(display.allSatisfy(CaptionTags.continuesTag), "\(context)", sourceLocation: sourceLocation)
            #expect(tag.key.utf8.count <= 9 * CaptionTags.maxHashtagLength, "\(context)", sourceLocation: sourceLocation)
            #expect(tag.key.unicodeScalars.contains { !CaptionTags.isDigit($0) }, "\(context)", sourceLocation: sourceLocation)
            // What was typed, after a sigil.
            #expect(contains(normalised, ["#"] + display) || contains(normalised, ["＃"] + display), "\(context)", sourceLocation: sourceLocation)
            // Round trips: the display on its own, with either sign, is the same tag; the key is
            // stable and is itself a tag with the same key (a challenge's key can be typed).
            #expect(CaptionTags(caption: "#" + tag.display).hashtags == [tag], "\(context)", sourceLocation: sourceLocation)
            #expect(CaptionTags(caption: "＃" + tag.display).hashtags == [tag], "\(context)", sourceLocation: sourceLocation)
            #expect(CaptionTags.matchKey("#" + tag.display) == tag.key, "\(context)", sourceLocation: sourceLocation)
            #expect(CaptionTags.matchKey(tag.key) == tag.key, "\(context)", sourceLocation: sourceLocation)
            #expect(CaptionTags(caption: "#" + tag.key).hashtags.map(\.key) == [tag.key], "\(context)", sourceLocation: sourceLocation)
        }
        for mention in tags.mentions {
            #expect((try? AccountRules.handle(mention)) == mention, "\(mention) in \(debug(caption))", sourceLocation: sourceLocation)
            #expect(CaptionTags(caption: "@" + mention).mentions == [mention], "\(mention) in \(debug(caption))", sourceLocation: sourceLocation)
            let lowered = Array(caption.precomposedStringWithCanonicalMapping.lowercased().unicodeScalars)
            #expect(contains(lowered, Array(("@" + mention).unicodeScalars)), "\(mention) in \(debug(caption))", sourceLocation: sourceLocation)
        }
    }

    // MARK: Money

    @Test("amounts: any text in any language and currency is read exactly as the reference model reads it, or refused")
    func amountText() async {
        await propertyCheck(count: 5000, input: Fuzz.amountText, Fuzz.currency, Fuzz.language) { text, currency, language in
            let parsed = try? MoneyFormat.parse(text, currency: currency, language: language)
            let expected = ReferenceAmount.read(text, currency: currency, language: language)
            #expect(parsed?.amount == expected, "\(debug(text)) \(currency) \(language)")
            guard let parsed else { return }
            #expect(parsed.amount >= 0 && parsed.currency == currency)
            // What was accepted formats back and reads again as the same amount.
            let again = MoneyFormat.format(parsed, language: language, symbol: false)
            #expect((try? MoneyFormat.parse(again, currency: currency, language: language)) == parsed, "\(debug(text)) → \(debug(again))")
        }
    }

    @Test("amounts: every amount, Int64's extremes included, formats and reads back, or is refused without trapping")
    func amountRoundTrip() async {
        await propertyCheck(count: 5000, input: Fuzz.amount, Fuzz.currency, Fuzz.language) { amount, currency, language in
            let money = Money(amount, currency)
            let majorDigits = String(amount.magnitude / UInt64(currency.minorPerMajor)).count
            let readable = amount >= 0 && majorDigits <= 15
            for text in [MoneyFormat.format(money, language: language, symbol: false),
                         Self.stripSymbol(MoneyFormat.format(money, language: language), currency),
                         ["fr", "it"].contains(language) ? MoneyFormat.plain(money).replacingOccurrences(of: ".", with: ",") : MoneyFormat.plain(money)] {
                do throws(ValidationIssue) {
                    let parsed = try MoneyFormat.parse(text, currency: currency, language: language)
                    #expect(readable && parsed == money, "\(debug(text)) \(currency) \(language)")
                } catch {
                    #expect(!readable, "\(debug(text)) \(currency) \(language): \(error.message)")
                    if amount < 0 { #expect(error.message.contains("digits only"), "\(debug(text)) \(currency) \(language): \(error.message)") }
                    else { #expect(error.message == "is too large", "\(debug(text)) \(currency) \(language): \(error.message)") }
                }
            }
        }
    }

    @Test("amounts: regressions found by fuzzing")
    func amountRegressions() throws {
        // A grouping mark anywhere but between thousands was dropped: "12,50" on an English page
        // was read as $1,250.00 (and "12.50" on an Italian one as 1.250,00 €). Now refused.
        for (text, language) in [("12,50", "en"), ("12.50", "it"), ("1,2,3", "en"), ("1 23", "fr"), ("1.2,3", "en"),
                                 ("1,234.5,6", "en"), (",123", "en"), ("1,", "en"), ("0,001", "en"), ("1234,567", "en")] {
            #expect(throws: ValidationIssue(field: "amount", message: "write the amount such as \(MoneyFormat.example(.usd, language))"), "\(text) \(language)") {
                try MoneyFormat.parse(text, currency: .usd, language: language)
            }
        }
        #expect(try MoneyFormat.parse("1,234,567.8", currency: .usd, language: "en") == Money(123_456_780, .usd))
        #expect(try MoneyFormat.parse("1 234 567,8", currency: .eur, language: "fr") == Money(123_456_780, .eur))
        #expect(try MoneyFormat.parse("12.345.678", currency: .jpy, language: "it") == Money(12_345_678, .jpy))
        #expect(try MoneyFormat.parse("999,999,999,999,999.999", currency: .kwd, language: "en") == Money(999_999_999_999_999_999, .kwd))
        #expect(throws: ValidationIssue(field: "amount", message: "is too large")) {
            try MoneyFormat.parse(MoneyFormat.format(Money(.max, .kwd), language: "en", symbol: false), currency: .kwd, language: "en")
        }
    }

    private static func stripSymbol(_ text: String, _ currency: Currency) -> String {
        text.replacingOccurrences(of: currency.symbol, with: "").replacingOccurrences(of: "\u{00A0}", with: "")
    }

    // MARK: Days and periods

    @Test("days: any text is refused or is exactly the canonical form of the day it names")
    func dayText() async {
        await propertyCheck(count: 5000, input: Fuzz.dayText) { text in
            guard let day = UTCDay(iso: text) else {
                #expect(!ReferenceDay.isValid(text), "\(debug(text)) refused")
                return
            }
            #expect(ReferenceDay.isValid(text), "\(debug(text)) accepted")
            #expect(day.iso == text, "\(debug(text))")
            #expect(UTCDay(iso: day.iso) == day)
            // The day after is one more, and the next calendar date's name reads as it.
            let next = day.advanced(by: 1)
            #expect(UTCDay(iso: next.iso) == next && next.iso > day.iso || day.iso == "9999-12-31")
        }
    }

    @Test("days: every day of years 0000 to 9999 reads back; numbering agrees with Foundation's calendar since 1583")
    func dayRoundTrip() async {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let lower = UTCDay(iso: "0000-01-01")!.number, upper = UTCDay(iso: "9999-12-31")!.number
        await propertyCheck(count: 3000, input: Gen.int64(in: lower...upper)) { number in
            let day = UTCDay(number: number)
            #expect(UTCDay(iso: day.iso) == day, "\(day.iso)")
            #expect(day.iso.count == 10)
            let (year, month, dayOfMonth) = day.civil
            if year >= 1583 {
                let date = calendar.date(from: DateComponents(year: Int(year), month: Int(month), day: Int(dayOfMonth)))
                #expect(date == day.start, "\(day.iso)")
                #expect(UTCDay(day.start) == day)
            }
        }
    }

    @Test("periods: any pair of texts gives a valid period or names the field at fault")
    func periods() async {
        let today = UTCDay(iso: "2026-11-25")!
        await propertyCheck(count: 3000, input: Fuzz.periodText, Fuzz.periodText) { from, to in
            let fromDay = from.map { UTCDay(iso: $0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            let toDay = to.map { UTCDay(iso: $0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            do throws(ValidationIssues) {
                let period = try AnalyticsPeriod(from: from, to: to, today: today)
                #expect(fromDay != .some(nil) && toDay != .some(nil), "\(String(describing: from)) \(String(describing: to))")
                #expect(period.from <= period.to && (1...AnalyticsPeriod.maximumDays).contains(period.length))
                if let fromDay = fromDay ?? nil { #expect(period.from == fromDay) }
                if let toDay = toDay ?? nil { #expect(period.to == toDay) }
                if from == nil, to == nil { #expect(period.to == today && period.length == AnalyticsPeriod.defaultDays) }
                if from == nil, to != nil { #expect(period.length == AnalyticsPeriod.defaultDays) }
                if let fromDay = fromDay ?? nil, to == nil { #expect(period.to == min(today, fromDay.advanced(by: AnalyticsPeriod.defaultDays - 1))) }
                let previous = period.previous
                #expect(previous.length == period.length && previous.to.advanced(by: 1) == period.from)
                #expect(period.days.count == Int(period.length) && period.days.first == period.from && period.days.last == period.to)
            } catch {
                let fields = Set(error.issues.map(\.field))
                #expect(!fields.isEmpty && fields.isSubset(of: ["from", "to"]))
                if fromDay == .some(nil) { #expect(fields.contains("from")) }
                if toDay == .some(nil) { #expect(fields.contains("to")) }
            }
        }
    }

    // MARK: Accept-Language

    @Test("Accept-Language: any header picks the supported language of highest weight, the first on ties")
    func acceptLanguage() async {
        await propertyCheck(count: 2000, input: Fuzz.acceptLanguage) { header in
            let picked = LanguageNegotiation.pick(choice: nil, acceptLanguage: header)
            #expect(picked == ReferenceLanguage.pick(header), "\(debug(String(header.prefix(300))))")
            #expect(LanguageNegotiation.supported.contains(picked))
        }
    }

    @Test("Accept-Language: regressions found by fuzzing")
    func acceptLanguageRegressions() {
        // Weights that are not RFC 9110 qvalues (above 1, infinite, exponents) outranked real ones.
        #expect(LanguageNegotiation.pick(choice: nil, acceptLanguage: "fr;q=2, it") == "it")
        #expect(LanguageNegotiation.pick(choice: nil, acceptLanguage: "fr;q=inf, it;q=0.5") == "it")
        #expect(LanguageNegotiation.pick(choice: nil, acceptLanguage: "fr;q=1e0, it;q=0.5") == "it")
        #expect(LanguageNegotiation.pick(choice: nil, acceptLanguage: "fr;Q=0.9, it;q=0.5") == "fr")
        // The order was a weight of 1e-6 an entry: past 1000 entries it beat a real preference.
        let long = "en;q=0.001," + String(repeating: "de,", count: 1200) + "fr;q=0.002"
        #expect(LanguageNegotiation.pick(choice: nil, acceptLanguage: long) == "fr")
        #expect(LanguageNegotiation.pick(choice: nil, acceptLanguage: "fr;q=0.5, it;q=0.500") == "fr")
    }
}

// MARK: - Generators

/// Random inputs biased toward the characters parsers trip on.
enum Fuzz {
    typealias RNG = any SeededRandomNumberGenerator

    static func pick<T>(_ items: [T], _ rng: inout RNG) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }
    static func chance(_ probability: Double, _ rng: inout RNG) -> Bool { Double.random(in: 0..<1, using: &rng) < probability }
    static func int(_ range: ClosedRange<Int>, _ rng: inout RNG) -> Int { Int.random(in: range, using: &rng) }

    /// Any Unicode scalar (surrogates are not scalars).
    static func anyScalar(_ rng: inout RNG) -> Unicode.Scalar {
        while true {
            // Mostly the BMP, where the scripts are; sometimes the astral planes.
            let value = chance(0.8, &rng) ? UInt32.random(in: 0...0xFFFF, using: &rng) : UInt32.random(in: 0x10000...0x10FFFF, using: &rng)
            if let scalar = Unicode.Scalar(value) { return scalar }
        }
    }

    /// Blocks full of compatibility and case mapping surprises.
    static let trickyRanges: [ClosedRange<UInt32>] = [
        0x00A0...0x024F, 0x0300...0x036F, 0x0370...0x03FF, 0x0590...0x06FF, 0x0900...0x097F, 0x0E00...0x0E7F, 0x0F00...0x0FFF,
        0x1E00...0x1FFF, 0x2000...0x24FF, 0x3000...0x33FF, 0xFB00...0xFFEF, 0x1D400...0x1D7FF, 0x1F100...0x1F1FF,
    ]

    static func trickyScalar(_ rng: inout RNG) -> Unicode.Scalar {
        Unicode.Scalar(UInt32.random(in: pick(trickyRanges, &rng), using: &rng)) ?? "?"
    }

    static let captionPieces: [String] = [
        "#", "#", "#", "＃", "@", "@", ".", "_", " ", " ", "\n", "\r\n", "\t", "\0", "\u{7}", "\u{1B}", "\u{7F}", "\u{85}",
        "\u{200B}", "\u{200D}", "\u{200E}", "\u{200F}", "\u{202E}", "\u{2066}", "\u{FEFF}", "\u{FE0F}", "\u{FFFD}",
        "\u{301}", "\u{300}", "\u{308}", "\u{20DD}", "\u{903}", "\u{345}", "\u{E0041}",
        "a", "Z", "dance", "Maya_", "é", "e\u{301}", "İ", "ı", "ß", "ẞ", "ǅ", "ﬁ", "Ⅻ", "ⅻ", "K", "Å", "Ω", "ſ",
        "0", "7", "2026", "١٢", "１", "²", "①", "⑴", "⒈", "½", "𝟏", "🄁",
        "日本", "한국", "ｶ", "㍿", "ﷺ", "ﷲ", "ﹰ", "ͺ", "ŀ", "שלום", "مرحبا", "ไทย", "ཷ", "क़",
        "👩‍👩‍👧", "🇫🇷", "👍🏽", "1️⃣", "&#39;", "C#", "a#b", "maya@example.org", "@maya.", "@x.y.z", "@ab", "@émile",
    ]

    /// Captions: pieces from the list, any scalars, tricky scalars, sometimes a long run.
    static let caption = Generator<String, Shrink.None<String>> { rng in
        var text = ""
        for _ in 0..<int(0...40, &rng) {
            switch int(0...9, &rng) {
            case 0: text.unicodeScalars.append(anyScalar(&rng))
            case 1: text.unicodeScalars.append(trickyScalar(&rng))
            case 2 where chance(0.1, &rng):
                // Very long runs: past the tag limit, or a whole caption of one thing.
                text += String(repeating: pick(["a", "é", "日", "_", "#", "@", "\u{301}", "1", "ﷺ"], &rng), count: int(90...3000, &rng))
            default: text += pick(captionPieces, &rng)
            }
        }
        return text
    }

    /// A well-formed tag body: starts with a letter, at most 100 scalars.
    static let tagBody = Generator<String, Shrink.None<String>> { rng in
        let letters = ["a", "Z", "é", "日本", "ß", "Ⅻ", "ﬁ", "שלום", "ไทย", "Ｇ", "İ"]
        var body = pick(letters, &rng)
        for _ in 0..<int(0...12, &rng) { body += pick(letters + ["_", "7", "\u{301}", "①", "²"], &rng) }
        while body.unicodeScalars.count > CaptionTags.maxHashtagLength { body.unicodeScalars.removeLast() }
        return body
    }

    static let currencies = Currency.supported.values.sorted { $0.code < $1.code } + [.adCredits]
    static let currency = Generator<Currency, Shrink.None<Currency>> { rng in pick(currencies, &rng) }
    static let language = Generator<String, Shrink.None<String>> { rng in pick(["en", "fr", "it", "de"], &rng) }

    static let amountPieces: [String] = [
        "0", "1", "5", "9", "12", "50", "123", "234", "999", "1000", "0000", "99999999", "9999999999999999999999",
        ".", ".", ",", ",", " ", "\u{00A0}", "\u{202F}", "'", "-", "+", "e", "E", "x", "$", "€", "\u{2009}", "٫", "٣", "１",
        "5\u{301}", "\t", "\n", "\r\n", "\0", "NaN", "∞",
    ]

    /// Amount-like text: digit groups and separators, sometimes a real formatted amount.
    static let amountText = Generator<String, Shrink.None<String>> { rng in
        if chance(0.3, &rng) {
            // Grouped like a person would type, correctly or nearly.
            let separators = [",", ".", " ", "\u{00A0}", "\u{202F}"]
            var text = String(int(1...999, &rng))
            for _ in 0..<int(0...5, &rng) { text += pick(separators, &rng) + String(format: "%03d", int(0...999, &rng)) }
            if chance(0.2, &rng) { text += String(int(0...9, &rng)) }
            if chance(0.6, &rng) { text += pick([".", ","], &rng) + String(int(0...999, &rng)) }
            return chance(0.2, &rng) ? " " + text + "\n" : text
        }
        var text = ""
        for _ in 0..<int(0...8, &rng) {
            text += chance(0.05, &rng) ? String(anyScalar(&rng)) : pick(amountPieces, &rng)
        }
        return text
    }

    /// Amounts over the whole Int64 range, with the extremes and the edges of the readable range.
    static let amount = Generator<Int64, Shrink.None<Int64>> { rng in
        switch int(0...5, &rng) {
        case 0: pick([Int64.min, .min + 1, -1, 0, 1, .max - 1, .max, 999_999_999_999_999, 1_000_000_000_000_000, 99_999_999_999_999_999,
                      100_000_000_000_000_000, 999_999_999_999_999_999, 1_000_000_000_000_000_000], &rng)
        case 1: Int64.random(in: .min ... .max, using: &rng)
        case 2: Int64.random(in: -1_000_000...1_000_000, using: &rng)
        case 3: Int64.random(in: 0...1_000_000_000_000_000_000, using: &rng)
        default: Int64.random(in: 0...(Int64(1) << Int64(int(1...62, &rng))), using: &rng)
        }
    }

    /// Day-like text: a real day, a mangled day, or day-ish pieces.
    static let dayText = Generator<String, Shrink.None<String>> { rng in
        if chance(0.5, &rng) {
            let year = chance(0.8, &rng) ? int(0...9999, &rng) : int(-20000...99999, &rng)
            let month = chance(0.8, &rng) ? int(1...12, &rng) : int(-1...99, &rng)
            let day = chance(0.7, &rng) ? int(1...28, &rng) : int(-1...99, &rng)
            let text = String(format: "%04d-%02d-%02d", year, month, day)
            return chance(0.8, &rng) ? text : String(text.dropLast(int(0...3, &rng))) + pick(["", " ", "Z", "T00:00", "\n", "٣", "\u{301}"], &rng)
        }
        let pieces = ["2026", "0000", "9999", "02", "29", "30", "31", "00", "13", "-", "-", "--", "+", " ", "１", "٢", "2\u{301}", "\0", "1", "12345"]
        return (0..<int(0...6, &rng)).map { _ in pick(pieces, &rng) }.joined()
    }

    static let periodText = Generator<String?, Shrink.None<String?>> { rng in
        switch int(0...5, &rng) {
        case 0: return nil
        case 1: return String(format: "%04d-%02d-%02d", int(2024...2027, &rng), int(1...12, &rng), int(1...28, &rng))
        case 2: return " " + String(format: "%04d-%02d-%02d", int(2026...2026, &rng), int(10...12, &rng), int(1...30, &rng)) + "\n"
        case 3: return pick(["", "today", "2026-02-30", "2026-13-01", "9999-12-31", "0000-01-01", "2026-11-25T00:00:00Z", "20261125"], &rng)
        default: return String(format: "%04d-%02d-%02d", int(0...9999, &rng), int(1...12, &rng), int(1...28, &rng))
        }
    }

    /// `Accept-Language` headers: real-looking lists with valid and broken weights, sometimes very long.
    static let acceptLanguage = Generator<String, Shrink.None<String>> { rng in
        let tags = ["en", "fr", "it", "de", "EN-us", "fr-CA", "It-ch", "*", "", " ", "-fr", "fr_FR", "zh-Hant-TW", "é", "en\u{0}", "ＦＲ"]
        let weights = ["", "", ";q=1", ";q=0", ";q=0.5", ";q=0.50", ";q=0.500", ";q=0.001", ";q=0.002", ";q=0.8", ";q=1.000", ";q=0.",
                       ";Q=0.7", "; q=0.3", ";q=2", ";q=1.5", ";q=-1", ";q=inf", ";q=nan", ";q=1e0", ";q=0x1p-1", ";q=0.0001", ";q=", ";level=1", ";q=0.9;q=0.1"]
        let count = chance(0.05, &rng) ? int(900...1500, &rng) : int(0...8, &rng)
        var entries: [String] = []
        for _ in 0..<count {
            entries.append(chance(0.03, &rng) ? String(anyScalar(&rng)) : pick(tags, &rng) + pick(weights, &rng))
        }
        return entries.joined(separator: pick([",", ", ", " ,", ",,"], &rng))
    }
}

// MARK: - Reference models

/// What `MoneyFormat.parse` must accept, written independently of it: optional whitespace,
/// whole digits grouped by threes (with the language's marks and spaces) or not at all, an
/// optional decimal part within the currency's places; at most 15 whole digits.
enum ReferenceAmount {
    static func read(_ text: String, currency: Currency, language: String) -> Int64? {
        let decimal: Character = language == "fr" || language == "it" ? "," : "."
        let grouping: Set<Character> = switch language {
        case "fr": [" ", "\u{00A0}", "\u{202F}"]
        case "it": [".", " ", "\u{00A0}", "\u{202F}"]
        default: [",", " ", "\u{00A0}", "\u{202F}"]
        }
        let trimmed = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        let halves = trimmed.split(separator: decimal, maxSplits: 1, omittingEmptySubsequences: false)
        let wholeText = halves[0], fraction = halves.count == 2 ? halves[1] : ""
        guard fraction.allSatisfy({ $0.isASCII && $0.isWholeNumber }), fraction.count <= currency.exponent else { return nil }
        var groups: [Substring] = []
        var current = wholeText.startIndex
        for index in wholeText.indices where grouping.contains(wholeText[index]) {
            groups.append(wholeText[current..<index])
            current = wholeText.index(after: index)
        }
        groups.append(wholeText[current...])
        guard groups.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isWholeNumber } }) else { return nil }
        if groups.count > 1 {
            guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }), groups[0].first != "0" else { return nil }
        }
        let digits = groups.joined()
        guard !(digits.isEmpty && fraction.isEmpty), digits.count <= 15 else { return nil }
        var value: Int64 = 0
        for digit in digits { value = value * 10 + Int64(digit.wholeNumberValue!) }
        var minor: Int64 = 0
        for place in 0..<currency.exponent {
            let digit = place < fraction.count ? Int64(fraction[fraction.index(fraction.startIndex, offsetBy: place)].wholeNumberValue!) : 0
            minor = minor * 10 + digit
        }
        return value * currency.minorPerMajor + minor
    }
}

/// `YYYY-MM-DD` with a real month and day, by the Gregorian rules, written independently.
enum ReferenceDay {
    static func isValid(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count == 10, scalars[4] == "-", scalars[7] == "-" else { return false }
        let digitPositions = [0, 1, 2, 3, 5, 6, 8, 9]
        guard digitPositions.allSatisfy({ ("0"..."9").contains(scalars[$0]) }) else { return false }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(scalars[$1].value - 48) } }
        let year = number(0..<4), month = number(5..<7), day = number(8..<10)
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...12).contains(month) && (1...lengths[month - 1]).contains(day)
    }
}

/// RFC 9110 language negotiation over en/fr/it: the highest qvalue wins, the first on ties;
/// an entry whose weight is not a qvalue counts as weight 0.
enum ReferenceLanguage {
    static func pick(_ header: String) -> String {
        var best: (String, Int)?
        for entry in header.split(separator: ",") {
            let fields = entry.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            guard let range = fields.first?.split(separator: "-").first?.lowercased().trimmingCharacters(in: .whitespacesAndNewlines),
                  ["en", "fr", "it"].contains(range) else { continue }
            var weight = 1000
            for field in fields.dropFirst() where field.lowercased().hasPrefix("q=") {
                weight = qvalue(String(field.dropFirst(2))) ?? 0
            }
            if weight > 0, weight > (best?.1 ?? 0) { best = (range, weight) }
        }
        return best?.0 ?? "en"
    }

    /// Every qvalue RFC 9110 allows, spelled out, in thousandths.
    static let qvalues: [String: Int] = {
        var table = ["0": 0, "0.": 0, "1": 1000, "1.": 1000, "1.0": 1000, "1.00": 1000, "1.000": 1000]
        for n in 0..<1000 {
            let three = String(format: "%03d", n)
            table["0." + three] = n
            if n % 10 == 0 { table["0." + three.prefix(2)] = n }
            if n % 100 == 0 { table["0." + three.prefix(1)] = n }
        }
        return table
    }()

    static func qvalue(_ text: String) -> Int? { qvalues[text] }
}

/// Scalars spelled out, for failure messages about invisible characters.
func debug(_ text: String) -> String {
    let shown = text.unicodeScalars.prefix(200).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()
    return "\"" + shown + (text.unicodeScalars.count > 200 ? "…(\(text.unicodeScalars.count) scalars)" : "") + "\""
}

private func contains(_ haystack: [Unicode.Scalar], _ needle: [Unicode.Scalar]) -> Bool {
    guard needle.count <= haystack.count else { return false }
    for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
        if Array(haystack[start..<(start + needle.count)]) == needle { return true }
    }
    return false
}
