import FluentKit
import SQLKit

/// A nonprofit's promotion of a challenge or a live, paid in ad credits: `budget` set aside,
/// `spent` drawn by impressions at `rate` each, the rest returned when it stops or ends.
struct CreatePromotions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("promotions")
            .field("id", .uuid, .identifier(auto: false))
            .field("nonprofit_id", .uuid, .required, .references("nonprofits", "id"))
            .field("challenge_id", .uuid, .references("challenges", "id"))
            .field("live_id", .uuid, .references("lives", "id"))
            .field("budget", .int64, .required)
            .field("spent", .int64, .required)
            .field("rate", .int64, .required)
            .field("impressions", .int64, .required)
            .field("status", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("created_by", .uuid, .required, .references("accounts", "id"))
            .field("created_at", .datetime, .required)
            .field("closed_at", .datetime)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "promotions_challenge_idx").on("promotions").column("challenge_id").column("status").run()
        try await sql.create(index: "promotions_nonprofit_idx").on("promotions").column("nonprofit_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("promotions").delete()
    }
}
