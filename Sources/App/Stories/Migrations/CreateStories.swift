import FluentKit
import SQLKit

/// Stories: a picture or a short video, seen for a day unless kept as a highlight. `shared`
/// is the owner's choice to let stories with a donation sticker join the shared donors' story.
struct CreateStories: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("stories")
            .field("id", .uuid, .identifier(auto: false))
            .field("owner_id", .uuid, .required, .references("accounts", "id"))
            .field("media_key", .string, .required)
            .field("kind", .string, .required)
            .field("media_type", .string, .required)
            .field("bytes", .int64, .required)
            .field("duration_ms", .int64)
            .field("highlight", .bool, .required)
            .field("shared", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("deleted_at", .datetime)
            .create()
        try await (database as! any SQLDatabase).create(index: "stories_owner_idx").on("stories").column("owner_id").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("stories").delete()
    }
}
