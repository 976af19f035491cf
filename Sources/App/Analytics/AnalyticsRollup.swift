import Foundation
import GoodcastCore
import Logging
import SQLKit

/// Computes the daily figures from the raw rows (donations, ledger entries, follows, challenge
/// videos, views) and stores them, a day per transaction. Incremental: a run recomputes the
/// days from the day before the last run's start, plus older days touched since by a late
/// change (a donation recorded by reconciliation, a video taken out of a challenge).
struct AnalyticsRollup: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let logger: Logger

    struct Outcome: Sendable, Equatable {
        let days: Int
        let figures: Int
    }

    static let name = "daily"

    /// `rebuild`: recompute every day from the first raw row, as on a first run.
    @discardableResult
    func run(rebuild: Bool = false) async throws -> Outcome {
        let started = clock.now()
        let last = rebuild ? nil : try await lastStart()
        let days = try await daysToCompute(since: last, now: started)
        let owners = try await ScopeOwners.load(db.sql)
        var figures = 0
        for day in days.sorted() {
            figures += try await rollUp(day, owners: owners)
        }
        try await db.sql.delete(from: "analytics_rollups").where("name", .equal, SQLBind(Self.name)).run()
        try await db.sql.insert(into: "analytics_rollups").columns("name", "started_at", "finished_at", "days")
            .values(SQLBind(Self.name), SQLBind(started), SQLBind(clock.now()), SQLBind(Int64(days.count))).run()
        return Outcome(days: days.count, figures: figures)
    }

    func lastStart() async throws -> Date? {
        struct Row: Decodable { let started_at: Date }
        return try await db.sql.select().column("started_at").from("analytics_rollups")
            .where("name", .equal, SQLBind(Self.name)).first(decoding: Row.self)?.started_at
    }

    func lastFinish() async throws -> Date? {
        struct Row: Decodable { let finished_at: Date }
        return try await db.sql.select().column("finished_at").from("analytics_rollups")
            .where("name", .equal, SQLBind(Self.name)).first(decoding: Row.self)?.finished_at
    }

    func daysToCompute(since last: Date?, now: Date) async throws -> Set<UTCDay> {
        let sql = db.sql
        let today = UTCDay(now)
        guard let last else {
            guard let first = try await firstDay() else { return [] }
            return Set((first.number...max(first.number, today.number)).map(UTCDay.init(number:)))
        }
        // Views may be reported up to a day late, hence the day before the last run too.
        let windowStart = min(UTCDay(last).advanced(by: -1), today)
        var days = Set((windowStart.number...today.number).map(UTCDay.init(number:)))
        struct At: Decodable { let at: Date }
        let lateDonations = try await sql.select().column("created_at", as: "at").from("donations")
            .where("completed_at", .greaterThanOrEqual, SQLBind(last)).where("created_at", .lessThan, SQLBind(windowStart.start))
            .all(decoding: At.self)
        let removed = try await sql.select().column("posted_at", as: "at").from("challenge_videos")
            .where("removed_at", .greaterThanOrEqual, SQLBind(last)).where("posted_at", .lessThan, SQLBind(windowStart.start))
            .all(decoding: At.self)
        days.formUnion((lateDonations + removed).map { UTCDay($0.at) })
        struct Hour: Decodable { let hour: Int64 }
        let viewHours = try await sql.raw("""
            SELECT DISTINCT v.hour AS hour FROM video_views v
            WHERE v.hour < \(bind: windowStart.firstHour) AND v.video_id IN
              (SELECT video_id FROM challenge_videos WHERE removed_at >= \(bind: last))
            """).all(decoding: Hour.self)
        days.formUnion(viewHours.map { UTCDay(hour: $0.hour) })
        return days
    }

    /// The first day any raw row was recorded, nil when there is none yet.
    func firstDay() async throws -> UTCDay? {
        struct First: Decodable { let first: Date? }
        var days: [UTCDay] = []
        for (table, column) in [("donations", "created_at"), ("ledger_transactions", "created_at"),
                                ("nonprofit_follow_events", "at"), ("challenge_videos", "posted_at")] {
            if let first = try await db.sql.select().column(SQLFunction("MIN", args: SQLColumn(column)), as: "first")
                .from(table).first(decoding: First.self)?.first {
                days.append(UTCDay(first))
            }
        }
        struct FirstHour: Decodable { let first: Int64? }
        if let hour = try await db.sql.select().column(SQLFunction("MIN", args: SQLColumn("hour")), as: "first")
            .from("video_views").first(decoding: FirstHour.self)?.first {
            days.append(UTCDay(hour: hour))
        }
        return days.min()
    }
}

/// Which nonprofit each fundraiser, live and challenge belongs to, and the lives of each
/// fundraiser: loaded once per run.
struct ScopeOwners: Sendable {
    var fundraiserNonprofit: [UUID: UUID] = [:]
    var fundraiserLives: [UUID: [UUID]] = [:]
    var liveFundraiser: [UUID: UUID] = [:]
    var challengeNonprofit: [UUID: UUID] = [:]

    static func load(_ sql: any SQLDatabase) async throws -> ScopeOwners {
        var owners = ScopeOwners()
        struct Fundraiser: Decodable { let id: UUID; let nonprofit_id: UUID }
        for row in try await sql.select().column("id").column("nonprofit_id").from("fundraisers").all(decoding: Fundraiser.self) {
            owners.fundraiserNonprofit[row.id] = row.nonprofit_id
        }
        struct Live: Decodable { let id: UUID; let fundraiser_id: UUID }
        for row in try await sql.select().column("id").column("fundraiser_id").from("lives")
            .where("fundraiser_id", .isNot, SQLLiteral.null).all(decoding: Live.self) {
            owners.fundraiserLives[row.fundraiser_id, default: []].append(row.id)
            owners.liveFundraiser[row.id] = row.fundraiser_id
        }
        struct Challenge: Decodable { let id: UUID; let nonprofit_id: UUID }
        for row in try await sql.select().column("id").column("nonprofit_id").from("challenges")
            .where("nonprofit_id", .isNot, SQLLiteral.null).all(decoding: Challenge.self) {
            owners.challengeNonprofit[row.id] = row.nonprofit_id
        }
        return owners
    }
}
