/// The days a dashboard shows, and the period of the same length just before them that the
/// change is measured against.
public struct AnalyticsPeriod: Sendable, Equatable {
    public let from: UTCDay
    public let to: UTCDay

    public static let maximumDays: Int64 = 366
    public static let defaultDays: Int64 = 28

    public var length: Int64 { to.number - from.number + 1 }
    public var days: [UTCDay] { (from.number...to.number).map(UTCDay.init(number:)) }
    public var previous: AnalyticsPeriod {
        AnalyticsPeriod(uncheckedFrom: from.advanced(by: -length), to: from.advanced(by: -1))
    }

    init(uncheckedFrom from: UTCDay, to: UTCDay) {
        self.from = from
        self.to = to
    }

    /// Reads `from` and `to` (`2026-11-25`, both included). Either may be left out: the
    /// default is the 28 days ending `today`, and a lone `from` or `to` keeps that length.
    public init(from fromText: String?, to toText: String?, today: UTCDay) throws(ValidationIssues) {
        var issues = ValidationIssues()
        func day(_ text: String?, _ field: String) -> UTCDay? {
            guard let text else { return nil }
            guard let parsed = UTCDay(iso: text.trimmingWhitespace()) else {
                issues.add(field, "must be a day such as 2026-11-25")
                return nil
            }
            return parsed
        }
        let parsedFrom = day(fromText, "from")
        let parsedTo = day(toText, "to")
        guard issues.isEmpty else { throw issues }
        let to = parsedTo ?? (parsedFrom.map { min(today, $0.advanced(by: Self.defaultDays - 1)) } ?? today)
        let from = parsedFrom ?? to.advanced(by: -(Self.defaultDays - 1))
        if from > to { issues.add("from", "must be on or before 'to' (\(to.iso))") }
        else if to.number - from.number + 1 > Self.maximumDays { issues.add("to", "the range may span at most \(Self.maximumDays) days") }
        guard issues.isEmpty else { throw issues }
        self.from = from
        self.to = to
    }
}

/// A total against the one of the previous period: the change, and the change in percent
/// (one decimal, rounded half away from zero, integer maths) when the previous total is not 0.
public struct PeriodChange: Sendable, Equatable {
    public let current: Int64
    public let previous: Int64

    public init(current: Int64, previous: Int64) {
        self.current = current
        self.previous = previous
    }

    public var change: Int64 { current &- previous }

    /// "12.5", "-100.0"; nil when the previous total is 0 (no meaningful percentage).
    public var percent: String? {
        guard previous != 0 else { return nil }
        // Tenths of a percent: change * 1000 / previous, rounded.
        let numerator = change.multipliedReportingOverflow(by: 1_000)
        guard !numerator.overflow else { return change > 0 ? "+∞" : "-∞" }
        let divisor = previous.magnitude
        let magnitude = numerator.partialValue.magnitude
        var tenths = magnitude / divisor
        if (magnitude % divisor) * 2 >= divisor { tenths += 1 }
        let negative = (numerator.partialValue < 0) != (previous < 0) && tenths != 0
        return (negative ? "-" : "") + "\(tenths / 10).\(tenths % 10)"
    }
}
