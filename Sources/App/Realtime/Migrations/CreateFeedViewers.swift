import FluentKit

/// Each node's count of a feed's connected viewers; the live's count is the sum of fresh rows.
struct CreateFeedViewers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("feed_viewers")
            .field("feed_id", .uuid, .required)
            .field("node_id", .uuid, .required)
            .field("viewers", .int64, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "feed_id", "node_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("feed_viewers").delete()
    }
}
