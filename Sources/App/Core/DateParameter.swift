import Foundation
import GoodcastCore

/// A date in a query: a full ISO 8601 time (`2026-11-30T19:00:00Z`) or a day (`2026-11-30`, UTC).
enum DateParameter {
    static func parse(_ text: String, field: String) throws(ValidationIssue) -> Date {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        let day = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()
        if let date = try? Date(text, strategy: day) { return date }
        throw ValidationIssue(field: field, message: "must be a date such as 2026-11-30 or 2026-11-30T19:00:00Z")
    }
}
