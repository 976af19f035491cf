import Foundation

/// JSON written field by field, for the few documents made on every donation (its answer, the
/// sandbox's webhook event). `JSONEncoder` builds a tree of boxed values and sorts or hashes
/// its keys first: a tenth of a donation's CPU for three small objects. The output is what
/// `JSONEncoder` writes with `.withoutEscapingSlashes` and `.iso8601` dates, byte for byte,
/// when the fields are written in its sorted order (`JSONTextTests` checks both).
public struct JSONText: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Whether the next field needs a comma before it.
    private var afterValue = false

    public init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }
    public var data: Data { Data(bytes) }

    /// Writes `{`, the fields `body` writes, `}`.
    public mutating func object(_ body: (inout JSONText) throws -> Void) rethrows {
        bytes.append(UInt8(ascii: "{"))
        afterValue = false
        try body(&self)
        bytes.append(UInt8(ascii: "}"))
        afterValue = true
    }

    /// A field whose value is an object.
    public mutating func object(_ name: String, _ body: (inout JSONText) throws -> Void) rethrows {
        key(name)
        try object(body)
    }

    public mutating func field(_ name: String, _ value: String) {
        key(name)
        quoted(value)
        afterValue = true
    }

    /// Left out when nil, as `JSONEncoder` leaves out a nil optional.
    public mutating func field(_ name: String, _ value: String?) {
        if let value { field(name, value) }
    }

    public mutating func field(_ name: String, _ value: Int64) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
        afterValue = true
    }

    public mutating func field(_ name: String, _ value: Int) {
        field(name, Int64(value))
    }

    public mutating func field(_ name: String, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        afterValue = true
    }

    /// As `UUID` encodes itself: upper-case text.
    public mutating func field(_ name: String, _ value: UUID) {
        field(name, value.uppercasedString)
    }

    /// ISO 8601 in UTC to the second (`2026-11-27T02:00:30Z`), as `JSONEncoder`'s `.iso8601`.
    public mutating func field(_ name: String, _ value: Date) {
        field(name, Self.iso8601(value))
    }

    public mutating func field(_ name: String, _ value: Date?) {
        if let value { field(name, value) }
    }

    /// An object of string values, in the dictionary's order (`JSONEncoder` sorts them; Stripe
    /// does not, and neither does the sandbox that speaks as it does). Not generic: a generic
    /// function here runs unspecialized in the modules that call it.
    public mutating func field(_ name: String, _ values: [String: String]) {
        object(name) { json in
            for (key, value) in values { json.field(key, value) }
        }
    }

    private mutating func key(_ name: String) {
        if afterValue { bytes.append(UInt8(ascii: ",")) }
        quoted(name)
        bytes.append(UInt8(ascii: ":"))
        afterValue = false
    }

    /// A string with JSON's escapes: quote, backslash and control characters; the rest as UTF-8.
    private mutating func quoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        if text.utf8.withContiguousStorageIfAvailable({ escaped($0) }) == nil {
            var copy = String(text)
            copy.withUTF8 { escaped($0) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The runs between characters that need an escape are copied whole, not byte by byte.
    private mutating func escaped(_ text: UnsafeBufferPointer<UInt8>) {
        var start = 0
        for index in text.indices {
            let byte = text[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[start..<index]))
            start = index + 1
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            default:
                bytes.append(UInt8(ascii: "u"))
                bytes.append(UInt8(ascii: "0"))
                bytes.append(UInt8(ascii: "0"))
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[start...]))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `2026-11-27T02:00:30Z`: the second the date falls in, UTC. Years 1583 to 9999 are
    /// written here; the rest (Foundation's calendar turns Julian before 1582) by Foundation.
    public static func iso8601(_ date: Date) -> String {
        // From 2001 as Foundation counts: adding 1970's offset first can round a time a hair
        // before a whole second up to it.
        let sinceReference = date.timeIntervalSinceReferenceDate
        guard sinceReference.isFinite, sinceReference >= -13_190_860_800, sinceReference < 252_423_993_600 else { return date.formatted(.iso8601) }
        let seconds = Int64(sinceReference.rounded(.down)) + 978_307_200
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let inDay = seconds - days * 86_400
        let (year, month, day) = UTCDay(number: days).civil
        var text = [UInt8]()
        text.reserveCapacity(20)
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); text.append(UInt8(ascii: "-"))
        digits(month, 2); text.append(UInt8(ascii: "-"))
        digits(day, 2); text.append(UInt8(ascii: "T"))
        digits(inDay / 3_600, 2); text.append(UInt8(ascii: ":"))
        digits(inDay / 60 % 60, 2); text.append(UInt8(ascii: ":"))
        digits(inDay % 60, 2); text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }
}
