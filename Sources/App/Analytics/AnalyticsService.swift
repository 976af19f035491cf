import Foundation
import GoodcastCore
import SQLKit

/// Reads the rolled-up figures for a nonprofit's dashboard; never the raw events.
struct AnalyticsService: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let nonprofits: NonprofitService
    let rollup: AnalyticsRollup

    struct Scope: Sendable, Equatable {
        let kind: AnalyticsScopeKind
        let id: UUID
    }

    /// `scope`: `challenge:<id>`, `live:<id>`, `fundraiser:<id>` or nil for the whole nonprofit.
    static func parseScope(_ text: String?) throws(ValidationIssue) -> (AnalyticsScopeKind, UUID)? {
        guard let text, !text.isEmpty, text != "nonprofit" else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let kind = AnalyticsScopeKind(rawValue: String(parts[0])), kind != .nonprofit,
              let id = UUID(uuidString: String(parts[1])) else {
            throw ValidationIssue(field: "scope", message: "must be challenge:<id>, live:<id> or fundraiser:<id>")
        }
        return (kind, id)
    }

    func report(nonprofit id: UUID, scope requested: (AnalyticsScopeKind, UUID)?, period: AnalyticsPeriod, by account: AccountRecord) async throws -> AnalyticsOutput {
        let nonprofit = try await nonprofits.requireMember(id, account: account)
        let sql = db.reader
        let nonprofitRef = AnalyticsOutput.ScopeRef(kind: AnalyticsScopeKind.nonprofit.rawValue, id: id, title: nonprofit.name)
        var scopeRef = nonprofitRef
        if let (kind, scopeId) = requested {
            // Someone else's challenge answers like one that does not exist.
            guard let item = try await items(of: id).first(where: { $0.kind == kind.rawValue && $0.id == scopeId }) else {
                throw Problem.notFound("\(kind.rawValue) \(scopeId) of this nonprofit")
            }
            scopeRef = item
        }
        let kind = AnalyticsScopeKind(rawValue: scopeRef.kind)!
        let previous = period.previous
        struct Row: Decodable { let day: Int64; let metric: String; let currency: String; let value: Int64 }
        let rows = try await sql.select().column("day").column("metric").column("currency").column("value").from("analytics_daily")
            .where("scope", .equal, SQLBind(kind.rawValue)).where("scope_id", .equal, SQLBind(scopeRef.id))
            .where("day", .greaterThanOrEqual, SQLBind(previous.from.number)).where("day", .lessThanOrEqual, SQLBind(period.to.number))
            .all(decoding: Row.self)
        var currencies = Set(rows.filter { $0.metric == AnalyticsMetric.net.rawValue }.map(\.currency))
        if currencies.isEmpty { currencies = try await fundraiserCurrencies(of: id) }
        var metrics: [AnalyticsOutput.MetricOutput] = []
        for metric in AnalyticsMetric.metrics(for: kind) {
            for currency in metric.isMoney ? currencies.sorted() : [""] {
                let matching = rows.filter { $0.metric == metric.rawValue && $0.currency == currency }.map { (UTCDay(number: $0.day), $0.value) }
                let current = DailySeries(metric: metric, currency: currency, period: period, values: matching)
                let before = DailySeries(metric: metric, currency: currency, period: previous, values: matching)
                let change = PeriodChange(current: current.total, previous: before.total)
                metrics.append(.init(metric: metric.rawValue, currency: metric.isMoney ? currency : nil, series: current.values,
                                     total: current.total, previousTotal: before.total, change: change.change,
                                     changePercent: change.percent, personDays: metric.countsPeoplePerDay))
            }
        }
        return AnalyticsOutput(
            nonprofit: nonprofitRef, scope: scopeRef, from: period.from.iso, to: period.to.iso,
            previousFrom: previous.from.iso, previousTo: previous.to.iso, days: period.days.map(\.iso), metrics: metrics,
            items: requested == nil ? try await itemTotals(of: id, period: period) : nil,
            rolledUpAt: try await rollup.lastFinish()
        )
    }

    /// The nonprofit's challenges, lives (through their fundraisers) and fundraisers, newest first.
    func items(of nonprofit: UUID) async throws -> [AnalyticsOutput.ScopeRef] {
        struct Item: Decodable { let id: UUID; let title: String }
        let sql = db.reader
        let challenges = try await sql.select().column("id").column(SQLRaw("'#' || hashtag"), as: "title").from("challenges")
            .where("nonprofit_id", .equal, SQLBind(nonprofit)).orderBy("created_at", .descending).limit(200).all(decoding: Item.self)
        let lives = try await sql.select().column(SQLColumn("id", table: "lives")).column(SQLColumn("title", table: "lives"))
            .from("lives").join("fundraisers", on: SQLColumn("id", table: "fundraisers"), .equal, SQLColumn("fundraiser_id", table: "lives"))
            .where(SQLColumn("nonprofit_id", table: "fundraisers"), .equal, SQLBind(nonprofit))
            .orderBy(SQLOrderBy(expression: SQLColumn("created_at", table: "lives"), direction: SQLDirection.descending)).limit(200).all(decoding: Item.self)
        let fundraisers = try await sql.select().column("id").column("title").from("fundraisers")
            .where("nonprofit_id", .equal, SQLBind(nonprofit)).orderBy("created_at", .descending).limit(200).all(decoding: Item.self)
        return challenges.map { .init(kind: "challenge", id: $0.id, title: $0.title) }
            + lives.map { .init(kind: "live", id: $0.id, title: $0.title) }
            + fundraisers.map { .init(kind: "fundraiser", id: $0.id, title: $0.title) }
    }

    private func itemTotals(of nonprofit: UUID, period: AnalyticsPeriod) async throws -> [AnalyticsOutput.ItemOutput] {
        struct Row: Decodable { let scope: String; let scope_id: UUID; let metric: String; let currency: String; let total: Int64 }
        let rows = try await db.reader.select().column("scope").column("scope_id").column("metric").column("currency")
            .column(sqlSum("value"), as: "total").from("analytics_daily")
            .where("nonprofit_id", .equal, SQLBind(nonprofit)).where("scope", .notEqual, SQLBind(AnalyticsScopeKind.nonprofit.rawValue))
            .where("day", .greaterThanOrEqual, SQLBind(period.from.number)).where("day", .lessThanOrEqual, SQLBind(period.to.number))
            .groupBy("scope").groupBy("scope_id").groupBy("metric").groupBy("currency").all(decoding: Row.self)
        return try await items(of: nonprofit).map { item in
            let kind = AnalyticsScopeKind(rawValue: item.kind)!
            var totals: [AnalyticsOutput.TotalOutput] = []
            for metric in AnalyticsMetric.metrics(for: kind) {
                let matching = rows.filter { $0.scope == item.kind && $0.scope_id == item.id && $0.metric == metric.rawValue }
                if metric.isMoney {
                    totals += matching.sorted { $0.currency < $1.currency }.map { .init(metric: metric.rawValue, currency: $0.currency, total: $0.total) }
                } else {
                    totals.append(.init(metric: metric.rawValue, currency: nil, total: matching.reduce(0) { $0 + $1.total }))
                }
            }
            return .init(kind: item.kind, id: item.id, title: item.title, totals: totals)
        }
    }

    private func fundraiserCurrencies(of nonprofit: UUID) async throws -> Set<String> {
        struct Row: Decodable { let currency: String }
        return Set(try await db.reader.select().distinct().column("currency").from("fundraisers")
            .where("nonprofit_id", .equal, SQLBind(nonprofit)).all(decoding: Row.self).map(\.currency))
    }
}
