import FluentKit
import SQLKit

/// What each counted video accrued from each pledge; `day` (UTC) is for the per-creator limit.
/// A reversed accrual keeps its row with `status = reversed`.
struct CreatePledgeAccruals: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("pledge_accruals")
            .field("id", .uuid, .identifier(auto: false))
            .field("pledge_id", .uuid, .required, .references("pledges", "id"))
            .field("video_id", .uuid, .required, .references("videos", "id"))
            .field("creator_id", .uuid, .required, .references("accounts", "id"))
            .field("day", .int64, .required)
            .field("amount", .int64, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("reversed_at", .datetime)
            .unique(on: "pledge_id", "video_id")
            .create()
        try await (database as! any SQLDatabase).create(index: "pledge_accruals_creator_idx")
            .on("pledge_accruals").column("pledge_id").column("creator_id").column("day").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("pledge_accruals").delete()
    }
}
