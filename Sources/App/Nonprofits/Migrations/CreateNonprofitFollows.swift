import FluentKit
import SQLKit

/// Who follows a nonprofit now; `nonprofit_follow_events` keeps the history with dates.
struct CreateNonprofitFollows: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("nonprofit_follows")
            .field("nonprofit_id", .uuid, .required, .references("nonprofits", "id", onDelete: .cascade))
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("followed_at", .datetime, .required)
            .unique(on: "nonprofit_id", "account_id")
            .create()
        try await (database as! any SQLDatabase).create(index: "nonprofit_follows_account_idx")
            .on("nonprofit_follows").column("account_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("nonprofit_follows").delete()
    }
}
