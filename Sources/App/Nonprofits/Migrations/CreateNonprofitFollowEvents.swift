import FluentKit
import SQLKit

/// Every follow and unfollow with its time, so that "followers gained" over any period can be
/// computed later (analytics, challenge stats) without trusting a running counter.
struct CreateNonprofitFollowEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("nonprofit_follow_events")
            .field("id", .uuid, .identifier(auto: false))
            .field("nonprofit_id", .uuid, .required, .references("nonprofits", "id", onDelete: .cascade))
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("change", .int64, .required)
            .field("at", .datetime, .required)
            .create()
        try await (database as! any SQLDatabase).create(index: "nonprofit_follow_events_time_idx")
            .on("nonprofit_follow_events").column("nonprofit_id").column("at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("nonprofit_follow_events").delete()
    }
}
