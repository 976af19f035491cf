import FluentKit
import SQLKit

/// One row per viewer per video per UTC hour: the key makes a repeated view count once,
/// across batches, restarts and nodes. No foreign key: rows are written in large batches
/// and a view of an unknown video is filtered out before it gets here.
struct CreateVideoViews: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("video_views")
            .field("video_id", .uuid, .required)
            .field("viewer", .string, .required)
            .field("hour", .int64, .required)
            .compositeIdentifier(over: "video_id", "viewer", "hour")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("video_views").delete()
    }
}
