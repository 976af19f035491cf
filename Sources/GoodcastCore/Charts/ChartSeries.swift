/// One named line (or the bars) of a chart: a value per day, in the order of the chart's
/// days. Values are whole numbers: counts, or money in minor units.
public struct ChartSeries: Sendable, Hashable {
    public var name: String
    public var points: [Int64]

    public init(name: String, points: [Int64]) {
        self.name = name
        self.points = points
    }
}

/// What the values of a chart are, which decides how they are written.
public enum ChartValueKind: Sendable, Hashable {
    case count
    /// Amounts in the currency's minor units.
    case money(Currency)
}

/// The Y axis: from 0 up to `top`, with labelled ticks. `top` is the last tick, except for
/// values so large that no nice tick above them fits in an `Int64`; then it is the largest value.
public struct ChartAxis: Sendable, Equatable {
    public let ticks: [Int64]
    public let labels: [String]
    public let top: Int64

    public init(largest: Int64, kind: ChartValueKind, language: String) {
        ticks = ChartTicks.ticks(upTo: largest)
        labels = ticks.map { ChartFormat.value($0, kind: kind, language: language) }
        top = max(ticks.last ?? 1, largest)
    }
}

/// A label under the X axis: which day (by index) it names, and how.
public struct ChartDayLabel: Sendable, Equatable {
    public let index: Int
    public let text: String

    public init(index: Int, text: String) {
        self.index = index
        self.text = text
    }

    /// Every n-th day's short label, so that at most `limit` show, starting with the first day.
    public static func thinned(_ days: [String], language: String, limit: Int = 8) -> [ChartDayLabel] {
        guard !days.isEmpty else { return [] }
        let limit = max(limit, 1)
        let every = (days.count + limit - 1) / limit
        return stride(from: 0, to: days.count, by: every).map {
            ChartDayLabel(index: $0, text: ChartFormat.shortDay(days[$0], language: language))
        }
    }
}
