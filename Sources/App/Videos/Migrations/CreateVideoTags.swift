import FluentKit
import SQLKit

/// Each hashtag of a video's caption by its match key, to find a tag's videos.
struct CreateVideoTags: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("video_tags")
            .field("video_id", .uuid, .required, .references("videos", "id"))
            .field("tag_key", .string, .required)
            .compositeIdentifier(over: "video_id", "tag_key")
            .create()
        try await (database as! any SQLDatabase).create(index: "video_tags_key_idx").on("video_tags").column("tag_key").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("video_tags").delete()
    }
}
