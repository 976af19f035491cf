import Foundation

/// A calendar day in UTC, as the number of days since 1970-01-01. Analytics are kept per UTC
/// day so that every node and database agrees on which day an event belongs to.
public struct UTCDay: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let number: Int64

    public init(number: Int64) { self.number = number }

    /// The day `date` falls on in UTC.
    public init(_ date: Date) {
        number = Int64((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }

    /// The day of an hour counted since 1970 (as `video_views.hour` is).
    public init(hour: Int64) {
        number = hour >= 0 ? hour / 24 : (hour - 23) / 24
    }

    /// Reads `2026-11-25`; nil for anything else, including days that do not exist (2026-02-30).
    public init?(iso text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int64(parts[0]), let month = Int64(parts[1]), let day = Int64(parts[2]),
              (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year)
        else { return nil }
        number = Self.daysFromCivil(year: year, month: month, day: day)
    }

    public var start: Date { Date(timeIntervalSince1970: TimeInterval(number) * 86_400) }
    public var end: Date { advanced(by: 1).start }
    /// The first hour of the day, counted like `video_views.hour` (hours since 1970).
    public var firstHour: Int64 { number * 24 }

    public func advanced(by days: Int64) -> UTCDay { UTCDay(number: number + days) }

    public var civil: (year: Int64, month: Int64, day: Int64) { Self.civil(fromDays: number) }

    public var iso: String {
        let (year, month, day) = civil
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-" + two(month) + "-" + two(day)
    }

    public var description: String { iso }

    public static func < (lhs: UTCDay, rhs: UTCDay) -> Bool { lhs.number < rhs.number }

    static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days_from_civil and civil_from_days: exact integer calendar maths.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
