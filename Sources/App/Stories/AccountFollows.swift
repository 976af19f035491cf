import Foundation
import GoodcastCore
import SQLKit

/// Accounts following accounts, for stories. Following twice or unfollowing a stranger changes nothing.
struct AccountFollows: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let accounts: AccountStore

    func account(handle raw: String) async throws -> AccountRecord {
        let handle = (raw.removingPercentEncoding ?? raw).trimmingCharacters(in: .whitespaces).lowercased()
        let bare = handle.hasPrefix("@") ? String(handle.dropFirst()) : handle
        guard !bare.isEmpty, bare.count <= 30, let account = try await accounts.find(handle: bare) else { throw Problem.notFound("account @\(bare.prefix(30))") }
        return account
    }

    func setFollowing(_ following: Bool, follower: AccountRecord, followee: AccountRecord) async throws -> FollowOutput {
        guard follower.id != followee.id else { throw Problem.conflict("you cannot follow yourself") }
        if following {
            do {
                try await db.sql.insert(into: "account_follows").columns("follower_id", "followee_id", "created_at")
                    .values(SQLBind(follower.id), SQLBind(followee.id), SQLBind(clock.now())).run()
            } catch where error.isConstraintViolation {
                // Already following: the same answer as the first time.
            }
        } else {
            try await db.sql.delete(from: "account_follows").where("follower_id", .equal, SQLBind(follower.id))
                .where("followee_id", .equal, SQLBind(followee.id)).run()
        }
        struct Count: Decodable { let n: Int }
        let followers = try await db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("account_follows")
            .where("followee_id", .equal, SQLBind(followee.id)).first(decoding: Count.self)?.n ?? 0
        return FollowOutput(following: following, followers: followers)
    }
}
