import Foundation
import GoodcastCore
import SQLKit

/// How videos join challenges and accrue pledges, always inside the transaction that stores or
/// removes the video. Each pledge's row is locked while its budget is read and spent, so
/// concurrent videos can never accrue past the budget (SQLite has one writer; PostgreSQL locks
/// the rows, in id order so that two videos never deadlock).
enum ChallengeEntries {
    static func join(video: UUID, creator: AccountRecord, tagKeys: [String], at now: Date, rules: PledgeRules, on sql: any SQLDatabase) async throws {
        guard !tagKeys.isEmpty else { return }
        let challenges = try await sql.select().columns(ChallengeRecord.columns.map { SQLColumn($0) }).from("challenges")
            .where("tag_key", .in, SQLBind.group(tagKeys))
            .where("starts_at", .lessThanOrEqual, SQLBind(now)).where("ends_at", .greaterThanOrEqual, SQLBind(now))
            .all(decoding: ChallengeRecord.self)
        guard !challenges.isEmpty else { return }
        try await sql.insert(into: "challenge_videos").columns("challenge_id", "video_id", "creator_id", "posted_at", "removed_at")
            .rows(challenges.map { [SQLBind($0.id), SQLBind(video), SQLBind(creator.id), SQLBind(now), SQLBind(Date?.none)] }).run()
        let byID = Dictionary(uniqueKeysWithValues: challenges.map { ($0.id, $0) })
        let pledges = try await lockedPledges(challenges: challenges.filter { $0.nonprofitId != nil }.map(\.id), on: sql)
        let day = PledgeRules.day(of: now)
        var transactions: [LedgerTransaction] = []
        for pledge in pledges where pledge.status == "active" {
            guard let challenge = byID[pledge.challengeId], let nonprofit = challenge.nonprofitId else { continue }
            struct Count: Decodable { let n: Int }
            let counted = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("pledge_accruals")
                .where("pledge_id", .equal, SQLBind(pledge.id)).where("creator_id", .equal, SQLBind(creator.id))
                .where("day", .equal, SQLBind(day)).where("status", .equal, SQLBind("accrued"))
                .first(decoding: Count.self)?.n ?? 0
            let verdict = rules.verdict(postedAt: now, window: challenge.startsAt...challenge.endsAt, accountCreatedAt: creator.createdAt,
                                        countedSameDay: counted, remaining: pledge.remaining)
            guard verdict == .counts else { continue }
            let amount = PledgeRules.accrual(perVideo: pledge.perVideoMoney, remaining: pledge.remaining)
            guard amount.isPositive else { continue }
            let accrualID = UUID()
            try await sql.insert(into: "pledge_accruals")
                .columns("id", "pledge_id", "video_id", "creator_id", "day", "amount", "status", "created_at", "reversed_at")
                .values(SQLBind(accrualID), SQLBind(pledge.id), SQLBind(video), SQLBind(creator.id), SQLBind(day), SQLBind(amount.amount),
                        SQLBind("accrued"), SQLBind(now), SQLBind(Date?.none))
                .run()
            try await sql.update("pledges").set("accrued", to: SQLBinaryExpression(SQLColumn("accrued"), .add, SQLBind(amount.amount)))
                .where("id", .equal, SQLBind(pledge.id)).run()
            transactions.append(try PostingRules.pledgeAccrual(
                reference: "pledge-accrual:\(accrualID.lowercasedString)", amount: amount,
                pledge: pledge.id.lowercasedString, nonprofit: nonprofit.lowercasedString
            ))
        }
        try await LedgerStore.write(transactions, on: sql, at: now)
    }

    /// A deleted or removed video leaves its challenges; its accruals go back to their budgets
    /// when the removal is within the grace period and the pledge has not settled.
    static func remove(video: UUID, at now: Date, rules: PledgeRules, on sql: any SQLDatabase) async throws {
        try await sql.update("challenge_videos").set("removed_at", to: SQLBind(now))
            .where("video_id", .equal, SQLBind(video)).where("removed_at", .is, SQLLiteral.null).run()
        struct Accrual: Decodable { let id: UUID; let pledge_id: UUID; let amount: Int64; let created_at: Date }
        let accruals = try await sql.select().columns("id", "pledge_id", "amount", "created_at").from("pledge_accruals")
            .where("video_id", .equal, SQLBind(video)).where("status", .equal, SQLBind("accrued")).all(decoding: Accrual.self)
        guard !accruals.isEmpty else { return }
        let pledges = Dictionary(uniqueKeysWithValues: try await lockedPledges(ids: Array(Set(accruals.map(\.pledge_id))), on: sql).map { ($0.id, $0) })
        let challengeIDs = Array(Set(pledges.values.map(\.challengeId)))
        struct Owner: Decodable { let id: UUID; let nonprofit_id: UUID? }
        let owners = try await sql.select().columns("id", "nonprofit_id").from("challenges").where("id", .in, SQLBind.group(challengeIDs)).all(decoding: Owner.self)
        let nonprofits = Dictionary(uniqueKeysWithValues: owners.map { ($0.id, $0.nonprofit_id) })
        var transactions: [LedgerTransaction] = []
        for accrual in accruals {
            guard let pledge = pledges[accrual.pledge_id], let nonprofit = nonprofits[pledge.challengeId] ?? nil,
                  rules.reversesAccrual(postedAt: accrual.created_at, removedAt: now, settled: pledge.status != "active") else { continue }
            try await sql.update("pledge_accruals").set("status", to: SQLBind("reversed")).set("reversed_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(accrual.id)).run()
            try await sql.update("pledges").set("accrued", to: SQLBinaryExpression(SQLColumn("accrued"), .subtract, SQLBind(accrual.amount)))
                .where("id", .equal, SQLBind(pledge.id)).run()
            transactions.append(try PostingRules.pledgeReversal(
                reference: "pledge-reversal:\(accrual.id.lowercasedString)", amount: Money(accrual.amount, pledge.money),
                pledge: pledge.id.lowercasedString, nonprofit: nonprofit.lowercasedString
            ))
        }
        try await LedgerStore.write(transactions, on: sql, at: now)
    }

    /// The pledges of some challenges, or some pledges by id, read after locking their rows.
    static func lockedPledges(challenges: [UUID] = [], ids: [UUID] = [], on sql: any SQLDatabase) async throws -> [PledgeRecord] {
        let column = ids.isEmpty ? "challenge_id" : "id"
        let values = ids.isEmpty ? challenges : ids
        guard !values.isEmpty else { return [] }
        if sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT \(ident: "id") FROM \(ident: "pledges") WHERE \(ident: column) IN (\(binds: values)) ORDER BY \(ident: "id") FOR UPDATE").run()
        }
        return try await sql.select().columns(PledgeRecord.columns.map { SQLColumn($0) }).from("pledges")
            .where(SQLColumn(column), .in, SQLBind.group(values)).orderBy("created_at").all(decoding: PledgeRecord.self)
    }

    /// For each video, the challenges it joined and what it accrued in each.
    static func entries(of videos: [UUID], on sql: any SQLDatabase) async throws -> [UUID: [VideoOutput.ChallengeEntry]] {
        guard !videos.isEmpty else { return [:] }
        struct Joined: Decodable { let video_id: UUID; let challenge_id: UUID; let hashtag: String }
        let joined = try await sql.select().column(SQLColumn("video_id", table: "challenge_videos")).column(SQLColumn("challenge_id", table: "challenge_videos"))
            .column(SQLColumn("hashtag", table: "challenges"))
            .from("challenge_videos").join("challenges", on: SQLColumn("id", table: "challenges"), .equal, SQLColumn("challenge_id", table: "challenge_videos"))
            .where(SQLColumn("video_id", table: "challenge_videos"), .in, SQLBind.group(videos))
            .all(decoding: Joined.self)
        struct Accrued: Decodable { let video_id: UUID; let challenge_id: UUID; let currency: String; let amount: Int64 }
        let accrued = try await sql.select().column(SQLColumn("video_id", table: "pledge_accruals")).column(SQLColumn("challenge_id", table: "pledges"))
            .column(SQLColumn("currency", table: "pledges")).column(SQLColumn("amount", table: "pledge_accruals"))
            .from("pledge_accruals").join("pledges", on: SQLColumn("id", table: "pledges"), .equal, SQLColumn("pledge_id", table: "pledge_accruals"))
            .where(SQLColumn("video_id", table: "pledge_accruals"), .in, SQLBind.group(videos))
            .where(SQLColumn("status", table: "pledge_accruals"), .equal, SQLBind("accrued"))
            .all(decoding: Accrued.self)
        var sums: [UUID: [UUID: [String: Int64]]] = [:]
        for row in accrued { sums[row.video_id, default: [:]][row.challenge_id, default: [:]][row.currency, default: 0] += row.amount }
        var result: [UUID: [VideoOutput.ChallengeEntry]] = [:]
        for row in joined {
            let amounts = (sums[row.video_id]?[row.challenge_id] ?? [:]).sorted { $0.key < $1.key }
                .map { MoneyOutput(Money($0.value, Currency.supported[$0.key] ?? .usd)) }
            result[row.video_id, default: []].append(.init(hashtag: row.hashtag, counted: !amounts.isEmpty, accrued: amounts))
        }
        return result
    }
}
