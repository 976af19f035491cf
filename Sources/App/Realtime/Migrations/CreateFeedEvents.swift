import FluentKit
import SQLKit

/// The event log becomes one per feed: a fundraiser's (its donations, totals, refunds and the
/// events of the live that raises it) or, for a live without a fundraiser, the live's own.
/// Events already written move across unchanged.
struct CreateFeedEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("feed_events")
            .field("feed_id", .uuid, .required)
            .field("seq", .int64, .required)
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "feed_id", "seq")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("INSERT INTO feed_events (feed_id, seq, kind, payload, created_at) SELECT fundraiser_id, seq, kind, payload, created_at FROM fundraiser_events").run()
        try await database.schema("fundraiser_events").delete()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("feed_events").delete()
    }
}
