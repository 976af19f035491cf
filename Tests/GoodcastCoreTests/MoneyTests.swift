import GoodcastCore
import PropertyBased
import Testing

@Suite("Money")
struct MoneyTests {
    @Test("currencies have their ISO 4217 exponents")
    func exponents() throws {
        #expect(try Currency.parse("jpy").exponent == 0)
        #expect(try Currency.parse("USD").exponent == 2)
        #expect(try Currency.parse("EUR").exponent == 2)
        #expect(try Currency.parse("gbp").exponent == 2)
        #expect(try Currency.parse("KWD").exponent == 3)
        #expect(try Currency.parse("BHD").exponent == 3)
        #expect(throws: ValidationIssue.self) { try Currency.parse("XYZ") }
    }

    @Test("formatting per language", arguments: [
        (Money(123_456, .usd), "en", "$1,234.56"), (Money(123_456, .eur), "fr", "1\u{202F}234,56\u{00A0}€"),
        (Money(123_456, .eur), "it", "1.234,56\u{00A0}€"), (Money(500, .jpy), "en", "¥500"),
        (Money(1_500, .kwd), "en", "KD1.500"), (Money(-5, .gbp), "en", "-£0.05"), (Money(0, .usd), "it", "0,00\u{00A0}$"),
    ])
    func format(_ money: Money, _ language: String, _ expected: String) {
        #expect(MoneyFormat.format(money, language: language) == expected)
    }

    @Test("parsing per language is exact", arguments: [
        ("12.50", Currency.usd, "en", Int64(1250)), ("1,234.5", .usd, "en", 123_450), ("12,50", .eur, "fr", 1250),
        ("1 234,56", .eur, "fr", 123_456), ("1.234,56", .eur, "it", 123_456), ("500", .jpy, "en", 500),
        ("1.5", .kwd, "en", 1500), (",5", .eur, "it", 50), ("7", .gbp, "en", 700),
    ])
    func parse(_ text: String, _ currency: Currency, _ language: String, _ minor: Int64) throws {
        #expect(try MoneyFormat.parse(text, currency: currency, language: language) == Money(minor, currency))
    }

    @Test("parsing refuses signs, letters, extra decimals and empty input")
    func parseErrors() {
        for (text, currency) in [("-5", Currency.usd), ("5e3", .usd), ("1.234", .usd), ("1.5", .jpy), ("", .usd), (".", .usd), ("1.2.3", .usd), ("9999999999999999", .usd)] {
            #expect(throws: ValidationIssue.self, "\(text)") { try MoneyFormat.parse(text, currency: currency, language: "en") }
        }
    }

    @Test("format then parse gives back the same amount, in every language")
    func roundTrip() async {
        let currencies = Array(Currency.supported.values)
        await propertyCheck(input: Gen.int64(in: 0...999_999_999_999), Gen.int(in: 0...(currencies.count - 1)), Gen.int(in: 0...2)) { amount, index, lang in
            let language = ["en", "fr", "it"][lang]
            let money = Money(amount, currencies[index])
            let text = MoneyFormat.format(money, language: language)
                .replacingOccurrences(of: currencies[index].symbol, with: "")
                .replacingOccurrences(of: "\u{00A0}", with: "")
            let parsed = try? MoneyFormat.parse(text, currency: money.currency, language: language)
            #expect(parsed == money, "\(text)")
        }
    }

    @Test("arithmetic refuses mixed currencies and overflow")
    func arithmetic() throws {
        #expect(try Money(5, .usd).adding(Money(7, .usd)) == Money(12, .usd))
        #expect(throws: Money.ArithmeticError.currencyMismatch("USD", "EUR")) { try Money(5, .usd).adding(Money(7, .eur)) }
        #expect(throws: Money.ArithmeticError.overflow) { try Money(.max, .usd).adding(Money(1, .usd)) }
        #expect(try Money(1_000, .usd).scaled(by: 290, over: 10_000) == Money(29, .usd))
        #expect(try Money(1_050, .usd).scaled(by: 1, over: 100) == Money(11, .usd))
    }

    @Test("donation limits per currency")
    func limits() throws {
        try DonationLimits.standard.check(Money(100, .usd))
        try DonationLimits.standard.check(Money(1_000_000, .usd))
        #expect(throws: ValidationIssue.self) { try DonationLimits.standard.check(Money(99, .usd)) }
        #expect(throws: ValidationIssue.self) { try DonationLimits.standard.check(Money(1_000_001, .usd)) }
        try DonationLimits.standard.check(Money(100, .jpy))
    }
}

@Suite("Fees")
struct FeeTests {
    @Test("2.9% + 0.30, rounded half up, scaled to the currency")
    func standardFee() throws {
        #expect(try FeeSchedule.standard.fee(for: Money(1_000, .usd)) == Money(59, .usd))
        #expect(try FeeSchedule.standard.fee(for: Money(10_000, .usd)) == Money(320, .usd))
        #expect(try FeeSchedule.standard.fee(for: Money(1_000, .jpy)) == Money(29, .jpy))
        #expect(try FeeSchedule.standard.fee(for: Money(10_000, .kwd)) == Money(590, .kwd))
    }

    @Test("covering the fees: the smallest gross whose net is at least the gift")
    func covering() async {
        await propertyCheck(input: Gen.int64(in: 100...10_000_000)) { net in
            let schedule = FeeSchedule.standard
            let gross = try schedule.grossCovering(Money(net, .usd))
            let left = try gross.subtracting(schedule.fee(for: gross))
            #expect(left.amount >= net)
            let less = Money(gross.amount - 1, .usd)
            #expect(try less.subtracting(schedule.fee(for: less)).amount < net)
        }
    }
}
