import FluentKit
import SQLKit

/// Short videos. The bytes live in the media store under the video's id; the row keeps what
/// the upload was checked to be. A deleted video keeps its row (`status`), so that accruals
/// and stats that refer to it stay explainable.
struct CreateVideos: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("videos")
            .field("id", .uuid, .identifier(auto: false))
            .field("owner_id", .uuid, .required, .references("accounts", "id"))
            .field("caption", .string, .required)
            .field("hashtags", .string, .required)
            .field("mentions", .string, .required)
            .field("container", .string, .required)
            .field("bytes", .int64, .required)
            .field("duration_ms", .int64)
            .field("width", .int64)
            .field("height", .int64)
            .field("has_poster", .bool, .required)
            .field("views", .int64, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("deleted_at", .datetime)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "videos_owner_idx").on("videos").column("owner_id").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("videos").delete()
    }
}
