import FluentKit
import SQLKit

/// The videos that joined a challenge: posted in its window with its hashtag.
struct CreateChallengeVideos: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("challenge_videos")
            .field("challenge_id", .uuid, .required, .references("challenges", "id"))
            .field("video_id", .uuid, .required, .references("videos", "id"))
            .field("creator_id", .uuid, .required, .references("accounts", "id"))
            .field("posted_at", .datetime, .required)
            .field("removed_at", .datetime)
            .compositeIdentifier(over: "challenge_id", "video_id")
            .create()
        try await (database as! any SQLDatabase).create(index: "challenge_videos_time_idx")
            .on("challenge_videos").column("challenge_id").column("posted_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("challenge_videos").delete()
    }
}
