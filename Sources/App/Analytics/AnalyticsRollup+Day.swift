import Foundation
import GoodcastCore
import SQLKit

extension AnalyticsRollup {
    /// One day's figures, keyed by scope, metric and currency, with each scope's nonprofit.
    struct DayFigures {
        let day: UTCDay
        var values: [Key: Int64] = [:]
        var owners: [UUID: UUID] = [:]

        struct Key: Hashable {
            let scope: AnalyticsScopeKind
            let id: UUID
            let metric: AnalyticsMetric
            let currency: String
        }

        mutating func add(_ scope: AnalyticsScopeKind, _ id: UUID, _ metric: AnalyticsMetric, _ value: Int64, currency: String = "", nonprofit: UUID?) {
            guard value != 0 else { return }
            values[Key(scope: scope, id: id, metric: metric, currency: currency), default: 0] += value
            if let nonprofit { owners[id] = nonprofit }
        }
    }

    /// Recomputes `day` from the raw rows and replaces its stored figures in one transaction.
    func rollUp(_ day: UTCDay, owners: ScopeOwners) async throws -> Int {
        let figures = try await compute(day, owners: owners)
        let rows: [[any SQLExpression]] = figures.values.map { key, value in
            let nonprofit: UUID? = key.scope == .nonprofit ? key.id : figures.owners[key.id]
            return [SQLBind(key.scope.rawValue), SQLBind(key.id), SQLBind(nonprofit), SQLBind(day.number),
                    SQLBind(key.metric.rawValue), SQLBind(key.currency), SQLBind(value)]
        }
        let isPostgres = db.isPostgres
        try await db.transaction { sql in
            // Two nodes rolling up the same day take turns instead of colliding on the key.
            if isPostgres { try await sql.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: "analytics:day:\(day.number)")))").run() }
            try await sql.delete(from: "analytics_daily").where("day", .equal, SQLBind(day.number)).run()
            for start in stride(from: 0, to: rows.count, by: 500) {
                try await sql.insert(into: "analytics_daily")
                    .columns("scope", "scope_id", "nonprofit_id", "day", "metric", "currency", "value")
                    .rows(Array(rows[start..<min(rows.count, start + 500)])).run()
            }
        }
        return rows.count
    }

    func compute(_ day: UTCDay, owners: ScopeOwners) async throws -> DayFigures {
        var figures = DayFigures(day: day)
        try await addDonations(day, owners, &figures)
        try await addNet(day, owners, &figures)
        try await addFollows(day, &figures)
        try await addVideos(day, owners, &figures)
        try await addViews(day, owners, &figures)
        return figures
    }

    private func addDonations(_ day: UTCDay, _ owners: ScopeOwners, _ figures: inout DayFigures) async throws {
        struct Gift: Decodable, Hashable { let fundraiser_id: UUID; let nonprofit_id: UUID; let donor_id: UUID }
        // Nonprofit by nonprofit: the day's gifts are found through the (nonprofit, created) index.
        let gifts = try await db.sql.select().column("fundraiser_id").column("nonprofit_id").column("donor_id").from("donations")
            .where("nonprofit_id", .in, SQLRaw("(SELECT id FROM nonprofits)"))
            .where("status", .equal, SQLBind(DonationStatus.succeeded.rawValue))
            .where("created_at", .greaterThanOrEqual, SQLBind(day.start)).where("created_at", .lessThan, SQLBind(day.end))
            .all(decoding: Gift.self)
        guard !gifts.isEmpty else { return }
        var earlier = Set<Gift>()
        let donors = Array(Set(gifts.map(\.donor_id)))
        for start in stride(from: 0, to: donors.count, by: 500) {
            let chunk = Array(donors[start..<min(donors.count, start + 500)])
            earlier.formUnion(try await db.sql.select().distinct().column("fundraiser_id").column("nonprofit_id").column("donor_id").from("donations")
                .where("status", .equal, SQLBind(DonationStatus.succeeded.rawValue)).where("created_at", .lessThan, SQLBind(day.start))
                .where("donor_id", .in, SQLBind.group(chunk)).all(decoding: Gift.self))
        }
        // Per scope: the day's gifts, its distinct donors, and the donors it had before.
        struct Scope: Hashable { let kind: AnalyticsScopeKind; let id: UUID }
        func scopes(_ gift: Gift) -> [Scope] {
            [Scope(kind: .fundraiser, id: gift.fundraiser_id), Scope(kind: .nonprofit, id: gift.nonprofit_id)]
                + (owners.fundraiserLives[gift.fundraiser_id] ?? []).map { Scope(kind: .live, id: $0) }
        }
        var count: [Scope: Int64] = [:]
        var donorsOfDay: [Scope: Set<String>] = [:]
        var donorsBefore: [Scope: Set<String>] = [:]
        for gift in gifts {
            for scope in scopes(gift) {
                count[scope, default: 0] += 1
                donorsOfDay[scope, default: []].insert(gift.donor_id.uuidString)
            }
        }
        for gift in earlier {
            for scope in scopes(gift) { donorsBefore[scope, default: []].insert(gift.donor_id.uuidString) }
        }
        for (scope, n) in count {
            let nonprofit = scope.kind == .nonprofit ? scope.id : owners.nonprofit(of: scope.kind, scope.id)
            var history = DonorHistory(earlier: donorsBefore[scope] ?? [])
            let (new, returning) = history.classify(day: donorsOfDay[scope] ?? [])
            figures.add(scope.kind, scope.id, .donations, n, nonprofit: nonprofit)
            figures.add(scope.kind, scope.id, .donorsNew, new, nonprofit: nonprofit)
            figures.add(scope.kind, scope.id, .donorsReturning, returning, nonprofit: nonprofit)
        }
    }

    private func addNet(_ day: UTCDay, _ owners: ScopeOwners, _ figures: inout DayFigures) async throws {
        struct Row: Decodable { let fundraiser_id: UUID; let currency: String; let total: Int64 }
        let rows = try await db.sql.raw("""
            SELECT e.fundraiser_id AS fundraiser_id, e.currency AS currency, CAST(SUM(e.amount) AS BIGINT) AS total
            FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
            WHERE e.fundraiser_id IS NOT NULL AND t.created_at >= \(bind: day.start) AND t.created_at < \(bind: day.end)
            GROUP BY e.fundraiser_id, e.currency
            """).all(decoding: Row.self)
        for row in rows {
            // Entries are debit-positive and money raised is credited: the sum is negated.
            let nonprofit = owners.fundraiserNonprofit[row.fundraiser_id]
            figures.add(.fundraiser, row.fundraiser_id, .net, -row.total, currency: row.currency, nonprofit: nonprofit)
            if let nonprofit { figures.add(.nonprofit, nonprofit, .net, -row.total, currency: row.currency, nonprofit: nonprofit) }
            for live in owners.fundraiserLives[row.fundraiser_id] ?? [] {
                figures.add(.live, live, .net, -row.total, currency: row.currency, nonprofit: nonprofit)
            }
        }
    }

    private func addFollows(_ day: UTCDay, _ figures: inout DayFigures) async throws {
        struct Row: Decodable { let nonprofit_id: UUID; let n: Int64 }
        let rows = try await db.sql.select().column("nonprofit_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("nonprofit_follow_events").where("change", .greaterThan, SQLBind(0))
            .where("at", .greaterThanOrEqual, SQLBind(day.start)).where("at", .lessThan, SQLBind(day.end))
            .groupBy("nonprofit_id").all(decoding: Row.self)
        for row in rows { figures.add(.nonprofit, row.nonprofit_id, .followersGained, row.n, nonprofit: row.nonprofit_id) }
    }

    private func addVideos(_ day: UTCDay, _ owners: ScopeOwners, _ figures: inout DayFigures) async throws {
        struct Entry: Decodable { let challenge_id: UUID; let video_id: UUID; let creator_id: UUID }
        let entries = try await db.sql.select().column("challenge_id").column("video_id").column("creator_id").from("challenge_videos")
            .where("removed_at", .is, SQLLiteral.null)
            .where("posted_at", .greaterThanOrEqual, SQLBind(day.start)).where("posted_at", .lessThan, SQLBind(day.end))
            .all(decoding: Entry.self)
        // A video with two hashtags of the same nonprofit counts once for the nonprofit.
        var videos: [UUID: Set<UUID>] = [:], creators: [UUID: Set<UUID>] = [:]
        var nonprofitVideos: [UUID: Set<UUID>] = [:], nonprofitCreators: [UUID: Set<UUID>] = [:]
        for entry in entries {
            videos[entry.challenge_id, default: []].insert(entry.video_id)
            creators[entry.challenge_id, default: []].insert(entry.creator_id)
            if let nonprofit = owners.challengeNonprofit[entry.challenge_id] {
                nonprofitVideos[nonprofit, default: []].insert(entry.video_id)
                nonprofitCreators[nonprofit, default: []].insert(entry.creator_id)
            }
        }
        for (challenge, set) in videos {
            let nonprofit = owners.challengeNonprofit[challenge]
            figures.add(.challenge, challenge, .videos, Int64(set.count), nonprofit: nonprofit)
            figures.add(.challenge, challenge, .participants, Int64(creators[challenge]?.count ?? 0), nonprofit: nonprofit)
        }
        for (nonprofit, set) in nonprofitVideos {
            figures.add(.nonprofit, nonprofit, .videos, Int64(set.count), nonprofit: nonprofit)
            figures.add(.nonprofit, nonprofit, .participants, Int64(nonprofitCreators[nonprofit]?.count ?? 0), nonprofit: nonprofit)
        }
    }

    private func addViews(_ day: UTCDay, _ owners: ScopeOwners, _ figures: inout DayFigures) async throws {
        struct Row: Decodable { let scope_id: UUID; let n: Int64 }
        let perChallenge = try await db.sql.raw("""
            SELECT cv.challenge_id AS scope_id, COUNT(*) AS n
            FROM video_views v JOIN challenge_videos cv ON cv.video_id = v.video_id
            WHERE cv.removed_at IS NULL AND v.hour >= \(bind: day.firstHour) AND v.hour < \(bind: day.firstHour + 24)
            GROUP BY cv.challenge_id
            """).all(decoding: Row.self)
        for row in perChallenge {
            figures.add(.challenge, row.scope_id, .views, row.n, nonprofit: owners.challengeNonprofit[row.scope_id])
        }
        let perNonprofit = try await db.sql.raw("""
            SELECT nv.nonprofit_id AS scope_id, COUNT(*) AS n
            FROM video_views v JOIN (
              SELECT DISTINCT c.nonprofit_id AS nonprofit_id, cv.video_id AS video_id
              FROM challenge_videos cv JOIN challenges c ON c.id = cv.challenge_id
              WHERE cv.removed_at IS NULL AND c.nonprofit_id IS NOT NULL
            ) nv ON nv.video_id = v.video_id
            WHERE v.hour >= \(bind: day.firstHour) AND v.hour < \(bind: day.firstHour + 24)
            GROUP BY nv.nonprofit_id
            """).all(decoding: Row.self)
        for row in perNonprofit { figures.add(.nonprofit, row.scope_id, .views, row.n, nonprofit: row.scope_id) }
    }
}

extension ScopeOwners {
    func nonprofit(of kind: AnalyticsScopeKind, _ id: UUID) -> UUID? {
        switch kind {
        case .nonprofit: id
        case .fundraiser: fundraiserNonprofit[id]
        case .live: liveFundraiser[id].flatMap { fundraiserNonprofit[$0] }
        case .challenge: challengeNonprofit[id]
        }
    }
}
