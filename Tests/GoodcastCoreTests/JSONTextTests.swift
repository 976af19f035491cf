import Foundation
import GoodcastCore
import PropertyBased
import Testing

@Suite("JSON text")
struct JSONTextTests {
    /// Control characters, ASCII (quote, backslash, slash), the rest of the BMP below the
    /// surrogates, and emoji outside it.
    static let anyCharacter = Gen.oneOf(
        Gen.character(in: "\u{0}"..."\u{1F}"), Gen.character(in: " "..."~"),
        Gen.character(in: "\u{A0}"..."\u{D7FF}"), Gen.character(in: "\u{1F300}"..."\u{1FAFF}")
    )

    struct Sample: Encodable {
        struct Inner: Encodable {
            let amount: Int64
            let currency: String
        }

        let a: Bool
        let b: Date
        let c: Int64
        let d: String
        let e: String?
        let f: UUID
        let g: Inner
        let h: Date?
        let i: [String: String]
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    @Test("strings, numbers, dates, absent fields and nested objects come out as JSONEncoder writes them, byte for byte")
    func matchesJSONEncoder() async {
        await propertyCheck(input: Self.anyCharacter.string(of: 0...40), Gen.int64(in: .min ... .max), Gen.int64(in: 0...4_102_444_800_000), Gen.bool) { text, number, millis, flag in
            // Milliseconds: Foundation writes the second a date falls in, whatever its fraction.
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            let id = UUID()
            let sample = Sample(a: flag, b: date, c: number, d: text, e: flag ? text : nil, f: id, g: .init(amount: number, currency: text),
                                h: flag ? nil : date, i: [text: text])
            var json = JSONText()
            json.object { json in
                json.field("a", flag)
                json.field("b", date)
                json.field("c", number)
                json.field("d", text)
                json.field("e", flag ? text : nil)
                json.field("f", id)
                json.object("g") { json in
                    json.field("amount", number)
                    json.field("currency", text)
                }
                json.field("h", flag ? nil : date)
                json.field("i", [text: text])
            }
            let expected = try! Self.encoder.encode(sample)
            #expect(json.string == String(decoding: expected, as: UTF8.self))
        }
    }

    @Test("dates before 1970, at the ends of days, months and leap years, a hair before a second, before 1583 and after 9999")
    func edges() throws {
        struct Stamp: Encodable { let at: Date }
        let seconds: [TimeInterval] = [0, -1, -0.5, -86_400, -86_401, 59.999, 86_399.9, 951_782_399, 951_782_400, 951_868_800, 4_107_542_400, -2_208_988_800,
                                       // Julian before 1582, years past 9999: Foundation's own text.
                                       -12_219_292_800, -30_000_000_000, 253_402_300_799, 253_402_300_800, 400_000_000_000]
        var dates = seconds.map { Date(timeIntervalSince1970: $0) }
        // A hair before a whole second, as Foundation counts (from 2001): still the second before.
        for whole in [816_000_000.0, 0, -1_000_000] {
            dates.append(Date(timeIntervalSinceReferenceDate: whole.nextDown))
        }
        for date in dates {
            let second = date.timeIntervalSinceReferenceDate
            var json = JSONText()
            json.object { $0.field("at", date) }
            #expect(json.string == String(decoding: try Self.encoder.encode(Stamp(at: date)), as: UTF8.self), "at \(second)")
        }
    }
}
