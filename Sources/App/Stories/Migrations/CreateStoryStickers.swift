import FluentKit
import SQLKit

/// "I donated" stickers placed on stories. The sticker is its donation: `fundraiser_id` is
/// copied from it so that a fundraiser's shared story is one indexed read.
struct CreateStoryStickers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("story_stickers")
            .field("story_id", .uuid, .required, .references("stories", "id"))
            .field("donation_id", .uuid, .required, .references("donations", "id"))
            .field("fundraiser_id", .uuid, .required, .references("fundraisers", "id"))
            .field("x", .double, .required)
            .field("y", .double, .required)
            .field("scale", .double, .required)
            .field("rotation", .double, .required)
            .field("reveal_name", .bool, .required)
            .field("created_at", .datetime, .required)
            .compositeIdentifier(over: "story_id", "donation_id")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "story_stickers_fundraiser_idx").on("story_stickers").column("fundraiser_id").column("created_at").run()
        try await sql.create(index: "story_stickers_donation_idx").on("story_stickers").column("donation_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("story_stickers").delete()
    }
}
