import FluentKit

/// When the roll-up last ran: the next run recomputes the days from the day before that on,
/// plus the older days that late changes touched.
struct CreateAnalyticsRollups: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("analytics_rollups")
            .field("name", .string, .identifier(auto: false))
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime, .required)
            .field("days", .int64, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("analytics_rollups").delete()
    }
}
