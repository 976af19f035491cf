/// What a dashboard counts per day. Counts have no currency; `net` is kept per currency.
public enum AnalyticsMetric: String, Sendable, CaseIterable, Codable {
    /// Views of the scope's challenge videos, a viewer counted once per video per hour.
    case views
    /// Videos that joined the scope's challenges that day and are still in.
    case videos
    /// Creators who posted such a video that day.
    case participants
    /// Succeeded donations made that day (refunded ones included: they were given).
    case donations
    /// Donors whose first donation to the scope was that day.
    case donorsNew = "donors_new"
    /// Donors who gave that day and had given to the scope before.
    case donorsReturning = "donors_returning"
    /// New follows of the nonprofit that day.
    case followersGained = "followers_gained"
    /// Net raised that day in minor units: donations less refunds and lost disputes, as the
    /// ledger records them on the day they happen.
    case net

    public var isMoney: Bool { self == .net }

    /// Whether a day's figure counts distinct people, so that the sum over a range counts
    /// person-days rather than people (a creator posting on two days counts twice).
    public var countsPeoplePerDay: Bool { self == .participants || self == .donorsReturning }

    /// The metrics a scope has: challenges have no donations, fundraisers and lives no videos.
    public static func metrics(for scope: AnalyticsScopeKind) -> [AnalyticsMetric] {
        switch scope {
        case .nonprofit: allCases
        case .challenge: [.views, .videos, .participants]
        case .fundraiser, .live: [.donations, .donorsNew, .donorsReturning, .net]
        }
    }
}

public enum AnalyticsScopeKind: String, Sendable, CaseIterable, Codable {
    case nonprofit, challenge, live, fundraiser
}

/// One stored figure: a scope's metric on a day (in a currency for money, "" otherwise).
public struct AnalyticsFigure: Sendable, Hashable {
    public let scope: AnalyticsScopeKind
    public let scopeId: String
    public let day: UTCDay
    public let metric: AnalyticsMetric
    public let currency: String
    public let value: Int64

    public init(scope: AnalyticsScopeKind, scopeId: String, day: UTCDay, metric: AnalyticsMetric, currency: String = "", value: Int64) {
        self.scope = scope
        self.scopeId = scopeId
        self.day = day
        self.metric = metric
        self.currency = currency
        self.value = value
    }
}

/// A metric's daily values over a period, with zeros where nothing was stored.
public struct DailySeries: Sendable, Equatable {
    public let metric: AnalyticsMetric
    public let currency: String
    public let values: [Int64]

    public var total: Int64 { values.reduce(0, &+) }

    /// Dense series for `period` from sparse `(day, value)` pairs; days outside are ignored.
    public init(metric: AnalyticsMetric, currency: String = "", period: AnalyticsPeriod, values sparse: [(UTCDay, Int64)]) {
        var values = [Int64](repeating: 0, count: Int(period.length))
        for (day, value) in sparse where day >= period.from && day <= period.to {
            values[Int(day.number - period.from.number)] &+= value
        }
        self.metric = metric
        self.currency = currency
        self.values = values
    }
}

/// Tells new donors from returning ones: new on the day of their first donation to a scope.
public struct DonorHistory: Sendable {
    private var seen: Set<String>

    /// `earlier`: the donors who gave to the scope before the days being classified.
    public init(earlier: some Sequence<String>) { seen = Set(earlier) }

    /// Classifies one day's distinct donors, then remembers them for the days after.
    public mutating func classify(day donors: Set<String>) -> (new: Int64, returning: Int64) {
        var new: Int64 = 0
        for donor in donors where !seen.contains(donor) { new += 1 }
        seen.formUnion(donors)
        return (new, Int64(donors.count) - new)
    }
}
