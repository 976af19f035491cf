import FluentKit
import SQLKit

/// Hashtag challenges. `tag_key` is the hashtag's match key; two challenges with the same key
/// may not have overlapping windows (checked when creating, under a lock). `promoted_until`
/// is where promotion with ad credits will write.
struct CreateChallenges: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("challenges")
            .field("id", .uuid, .identifier(auto: false))
            .field("hashtag", .string, .required)
            .field("tag_key", .string, .required)
            .field("title", .string, .required)
            .field("description", .string)
            .field("rules", .string)
            .field("nonprofit_id", .uuid, .references("nonprofits", "id"))
            .field("branded", .bool, .required)
            .field("effect", .string)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("created_by", .uuid, .required, .references("accounts", "id"))
            .field("created_at", .datetime, .required)
            .field("promoted_until", .datetime)
            .field("settled_at", .datetime)
            .create()
        try await (database as! any SQLDatabase).create(index: "challenges_tag_idx").on("challenges").column("tag_key").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("challenges").delete()
    }
}
