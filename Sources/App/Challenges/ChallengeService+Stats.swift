import Foundation
import GoodcastCore
import SQLKit

extension ChallengeService {
    func stats(_ challenge: ChallengeRecord) async throws -> ChallengeStatsOutput {
        let sql = db.reader
        struct Videos: Decodable { let videos: Int; let participants: Int; let views: Int64? }
        let videos = try await sql.select()
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "videos")
            .column(SQLFunction("COUNT", args: SQLDistinct(SQLColumn("creator_id", table: "challenge_videos"))), as: "participants")
            .column(sqlSum("views"), as: "views")
            .from("challenge_videos").join("videos", on: SQLColumn("id", table: "videos"), .equal, SQLColumn("video_id", table: "challenge_videos"))
            .where(SQLColumn("challenge_id", table: "challenge_videos"), .equal, SQLBind(challenge.id))
            .where(SQLColumn("removed_at", table: "challenge_videos"), .is, SQLLiteral.null)
            .first(decoding: Videos.self)
        var followers = 0
        // An unbranded challenge names no nonprofit, so it claims none of its followers either.
        if challenge.branded, let nonprofit = challenge.nonprofitId {
            let end = min(clock.now(), challenge.endsAt)
            if end > challenge.startsAt {
                followers = try await nonprofits.followerChange(of: nonprofit, from: challenge.startsAt, to: end).gained
            }
        }
        struct Sums: Decodable { let currency: String; let budget: Int64; let accrued: Int64 }
        let sums = try await sql.select().column("currency").column(sqlSum("budget"), as: "budget").column(sqlSum("accrued"), as: "accrued")
            .from("pledges").where("challenge_id", .equal, SQLBind(challenge.id)).where("status", .in, SQLBind.group(["active", "settled"]))
            .groupBy("currency").orderBy("currency").all(decoding: Sums.self)
        func money(_ amount: Int64, _ code: String) -> MoneyOutput { MoneyOutput(Money(amount, Currency.supported[code] ?? .usd)) }
        return ChallengeStatsOutput(
            videos: videos?.videos ?? 0, views: videos?.views ?? 0, participants: videos?.participants ?? 0, followersGained: followers,
            pledged: sums.map { money($0.budget, $0.currency) }, accrued: sums.map { money($0.accrued, $0.currency) }
        )
    }

    /// The pledges that are funded (active or settled), oldest first, with their sponsors' handles.
    func pledges(of challenge: ChallengeRecord) async throws -> [ChallengePledgeOutput] {
        let pledges = try await db.reader.select().columns(PledgeRecord.columns.map { SQLColumn($0) }).from("pledges")
            .where("challenge_id", .equal, SQLBind(challenge.id)).where("status", .in, SQLBind.group(["active", "settled"]))
            .orderBy("created_at").all(decoding: PledgeRecord.self)
        let handles = try await accounts.handles(Array(Set(pledges.map(\.sponsorId))))
        return pledges.map {
            ChallengePledgeOutput(id: $0.id, sponsor: handles[$0.sponsorId] ?? "", perVideo: MoneyOutput($0.perVideoMoney),
                                  budget: MoneyOutput($0.budgetMoney), accrued: MoneyOutput($0.accruedMoney), status: $0.status)
        }
    }

    func output(_ challenge: ChallengeRecord, withPledges: Bool = true) async throws -> ChallengeOutput {
        let now = clock.now()
        var nonprofit: ChallengeOutput.NonprofitRef?
        // An unbranded challenge shows no nonprofit, even when one receives its pledges.
        if challenge.branded, let id = challenge.nonprofitId, let record = try await nonprofits.find(id: id) {
            nonprofit = .init(id: record.id, name: record.name)
        }
        return ChallengeOutput(
            id: challenge.id, hashtag: challenge.hashtag, title: challenge.title, description: challenge.description, rules: challenge.rules,
            branded: challenge.branded, nonprofit: nonprofit, effect: challenge.effect, startsAt: challenge.startsAt, endsAt: challenge.endsAt,
            status: challenge.status(at: now).rawValue, promoted: try await !promotions(showing: [challenge.id]).isEmpty, stats: try await stats(challenge),
            pledges: withPledges ? try await pledges(of: challenge) : nil
        )
    }

    enum VideoOrder: String { case newest, top }

    /// A challenge's videos (not removed), newest first or most viewed first.
    func videos(of challenge: ChallengeRecord, order: VideoOrder, page: Int, perPage: Int) async throws -> Page<VideoRecord> {
        let sql = db.reader
        struct Count: Decodable { let n: Int }
        func joined(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
            select.from("challenge_videos").join("videos", on: SQLColumn("id", table: "videos"), .equal, SQLColumn("video_id", table: "challenge_videos"))
                .where(SQLColumn("challenge_id", table: "challenge_videos"), .equal, SQLBind(challenge.id))
                .where(SQLColumn("removed_at", table: "challenge_videos"), .is, SQLLiteral.null)
        }
        let total = try await joined(sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")).first(decoding: Count.self)?.n ?? 0
        var select = joined(sql.select().columns(VideoRecord.columns.map { SQLColumn($0, table: "videos") }))
        if order == .top { select = select.orderBy(SQLOrderBy(expression: SQLColumn("views", table: "videos"), direction: SQLDirection.descending)) }
        let items = try await select.orderBy(SQLOrderBy(expression: SQLColumn("created_at", table: "videos"), direction: SQLDirection.descending)).orderBy(SQLColumn("id", table: "videos"))
            .limit(perPage).offset((page - 1) * perPage).all(decoding: VideoRecord.self)
        return Page(items: items, page: page, perPage: perPage, total: total)
    }
}
