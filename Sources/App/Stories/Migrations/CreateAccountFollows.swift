import FluentKit
import SQLKit

/// Who follows whom: followers see an account's stories.
struct CreateAccountFollows: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("account_follows")
            .field("follower_id", .uuid, .required, .references("accounts", "id"))
            .field("followee_id", .uuid, .required, .references("accounts", "id"))
            .field("created_at", .datetime, .required)
            .compositeIdentifier(over: "follower_id", "followee_id")
            .create()
        try await (database as! any SQLDatabase).create(index: "account_follows_followee_idx").on("account_follows").column("followee_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("account_follows").delete()
    }
}
