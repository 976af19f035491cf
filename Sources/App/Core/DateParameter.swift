import Foundation
import GoodcastCore

/// A date in a query: a full ISO 8601 time (`2026-11-30T19:00:00Z`) or a day (`2026-11-30`, UTC).
///
/// Read strictly (RFC 3339): Foundation's ISO 8601 parsing took `2026-02-30` for March 2nd,
/// `T25:00:00Z` for the next day, ignored what followed a valid prefix (`2026-11-30T19:00:00Zjunk`,
/// `2026-11-30 19:00`, `2026-11-30T19:00:00` without a zone were all taken, the last two as
/// midnight), and accepted `2026-1-3` and `02026-11-30`.
enum DateParameter {
    static func parse(_ text: String, field: String) throws(ValidationIssue) -> Date {
        guard let date = read(Array(text.utf8)) else {
            throw ValidationIssue(field: field, message: "must be a date such as 2026-11-30 or 2026-11-30T19:00:00Z")
        }
        return date
    }

    /// `YYYY-MM-DD`, or `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`; nil for anything else.
    private static func read(_ bytes: [UInt8]) -> Date? {
        guard bytes.count >= 10, let day = UTCDay(iso: String(decoding: bytes[0..<10], as: UTF8.self)) else { return nil }
        if bytes.count == 10 { return day.start }
        guard bytes.count >= 20, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let hour = number(bytes[11..<13]), let minute = number(bytes[14..<16]), let second = number(bytes[17..<19]),
              hour <= 23, minute <= 59, second <= 59 else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            let start = index + 1
            index = start
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard (1...9).contains(index - start), let digits = number(bytes[start..<index]) else { return nil }
            fraction = Double(digits) / pow(10, Double(index - start))
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let hours = number(bytes[(index + 1)..<(index + 3)]), let minutes = number(bytes[(index + 4)..<(index + 6)]),
                  hours <= 23, minutes <= 59 else { return nil }
            offset = (hours * 60 + minutes) * 60 * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        let seconds = (hour * 60 + minute) * 60 + second - offset
        return day.start.addingTimeInterval(TimeInterval(seconds) + fraction)
    }

    /// ASCII digits only (no sign, no other script's digits).
    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return digits.isEmpty ? nil : value
    }
}
