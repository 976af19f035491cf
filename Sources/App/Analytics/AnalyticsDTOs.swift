import Foundation
import GoodcastCore
import Hummingbird

/// A dashboard's figures for one scope over a period, with the period before for comparison.
struct AnalyticsOutput: ResponseEncodable, Sendable {
    let nonprofit: ScopeRef
    let scope: ScopeRef
    let from: String
    let to: String
    let previousFrom: String
    let previousTo: String
    let days: [String]
    let metrics: [MetricOutput]
    /// The nonprofit's challenges, lives and fundraisers with their totals (nonprofit scope only).
    let items: [ItemOutput]?
    /// When the figures were last brought up to date; nil before the first roll-up.
    let rolledUpAt: Date?

    struct ScopeRef: Codable, Sendable {
        let kind: String
        let id: UUID
        let title: String
    }

    struct MetricOutput: Codable, Sendable {
        let metric: String
        /// ISO 4217 code for money (values in minor units), nil for counts.
        let currency: String?
        let series: [Int64]
        let total: Int64
        let previousTotal: Int64
        let change: Int64
        /// One decimal ("12.5"); nil when the previous total is 0.
        let changePercent: String?
        /// Whether the total sums people per day (a person on two days counts twice).
        let personDays: Bool
    }

    struct ItemOutput: Codable, Sendable {
        let kind: String
        let id: UUID
        let title: String
        let totals: [TotalOutput]
    }

    struct TotalOutput: Codable, Sendable {
        let metric: String
        let currency: String?
        let total: Int64
    }
}
