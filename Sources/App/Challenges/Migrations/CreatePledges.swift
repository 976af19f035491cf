import FluentKit
import SQLKit

/// Per-video pledges. `accrued` is the running total under the pledge's row lock: the one
/// place that decides whether the budget has room, so concurrent videos cannot overspend it.
/// The ledger's `pledge:<id>:budget` account is checked against it by `ledger verify`.
struct CreatePledges: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("pledges")
            .field("id", .uuid, .identifier(auto: false))
            .field("challenge_id", .uuid, .required, .references("challenges", "id"))
            .field("sponsor_id", .uuid, .required, .references("accounts", "id"))
            .field("currency", .string, .required)
            .field("per_video", .int64, .required)
            .field("budget", .int64, .required)
            .field("accrued", .int64, .required)
            .field("released", .int64, .required)
            .field("status", .string, .required)
            .field("processor", .string, .required)
            .field("payment_token", .string, .required)
            .field("charge_id", .string)
            .field("failure_code", .string)
            .field("created_at", .datetime, .required)
            .field("completed_at", .datetime)
            .field("settled_at", .datetime)
            .create()
        try await (database as! any SQLDatabase).create(index: "pledges_challenge_idx").on("pledges").column("challenge_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("pledges").delete()
    }
}
