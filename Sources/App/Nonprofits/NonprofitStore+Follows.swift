import Foundation
import SQLKit

extension NonprofitStore {
    func isFollowing(_ account: UUID, _ nonprofit: UUID) async throws -> Bool {
        struct Row: Decodable { let account_id: UUID }
        return try await db.sql.select().column("account_id").from("nonprofit_follows")
            .where("nonprofit_id", .equal, SQLBind(nonprofit)).where("account_id", .equal, SQLBind(account))
            .first(decoding: Row.self) != nil
    }

    /// Follows or unfollows; a repeat is a no-op, so double clicks and retries count once.
    /// The follow row, the dated event and the counter change in one transaction.
    func setFollowing(_ following: Bool, account: UUID, nonprofit: UUID) async throws -> Int {
        let now = clock.now()
        return try await db.transaction { sql in
            struct Row: Decodable { let account_id: UUID }
            let exists = try await sql.select().column("account_id").from("nonprofit_follows")
                .where("nonprofit_id", .equal, SQLBind(nonprofit)).where("account_id", .equal, SQLBind(account))
                .first(decoding: Row.self) != nil
            if following != exists {
                if following {
                    try await sql.insert(into: "nonprofit_follows").columns("nonprofit_id", "account_id", "followed_at")
                        .values(SQLBind(nonprofit), SQLBind(account), SQLBind(now)).run()
                } else {
                    try await sql.delete(from: "nonprofit_follows")
                        .where("nonprofit_id", .equal, SQLBind(nonprofit)).where("account_id", .equal, SQLBind(account)).run()
                }
                try await sql.insert(into: "nonprofit_follow_events").columns("id", "nonprofit_id", "account_id", "change", "at")
                    .values(SQLBind(UUID()), SQLBind(nonprofit), SQLBind(account), SQLBind(following ? 1 : -1), SQLBind(now)).run()
                try await sql.update("nonprofits")
                    .set(SQLIdentifier("follower_count"), to: SQLRaw("follower_count \(following ? "+" : "-") 1"))
                    .where("id", .equal, SQLBind(nonprofit)).run()
            }
            struct Count: Decodable { let follower_count: Int }
            return try await sql.select().column("follower_count").from("nonprofits")
                .where("id", .equal, SQLBind(nonprofit)).first(decoding: Count.self)?.follower_count ?? 0
        }
    }

    struct FollowerChange: Sendable, Equatable {
        let gained: Int
        let lost: Int
        var net: Int { gained - lost }
    }

    /// Follows and unfollows in `[from, to)`, from the dated events rather than the counter.
    func followerChange(of nonprofit: UUID, from: Date, to: Date) async throws -> FollowerChange {
        struct Row: Decodable { let change: Int; let n: Int }
        let rows = try await db.sql.select()
            .column("change").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("nonprofit_follow_events")
            .where("nonprofit_id", .equal, SQLBind(nonprofit))
            .where("at", .greaterThanOrEqual, SQLBind(from)).where("at", .lessThan, SQLBind(to))
            .groupBy("change")
            .all(decoding: Row.self)
        return FollowerChange(
            gained: rows.first { $0.change > 0 }?.n ?? 0,
            lost: rows.first { $0.change < 0 }?.n ?? 0
        )
    }
}
