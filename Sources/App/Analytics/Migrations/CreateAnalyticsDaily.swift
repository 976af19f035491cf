import FluentKit
import SQLKit

/// Precomputed daily figures per scope (a nonprofit, or one of its challenges, lives or
/// fundraisers), so that a dashboard reads a few hundred rows instead of the raw events.
/// `day` counts days since 1970-01-01 (UTC); `currency` is "" for counts.
struct CreateAnalyticsDaily: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("analytics_daily")
            .field("scope", .string, .required)
            .field("scope_id", .uuid, .required)
            .field("nonprofit_id", .uuid)
            .field("day", .int64, .required)
            .field("metric", .string, .required)
            .field("currency", .string, .required)
            .field("value", .int64, .required)
            .compositeIdentifier(over: "scope", "scope_id", "day", "metric", "currency")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "analytics_daily_nonprofit_idx").on("analytics_daily").column("nonprofit_id").column("day").run()
        try await sql.create(index: "analytics_daily_day_idx").on("analytics_daily").column("day").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("analytics_daily").delete()
    }
}
