import FluentKit

/// Each fundraiser's ordered event log: `seq` goes up by one per event, and each event is
/// written in the same transaction as the change it reports.
struct CreateFundraiserEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("fundraiser_events")
            .field("fundraiser_id", .uuid, .required, .references("fundraisers", "id"))
            .field("seq", .int64, .required)
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "fundraiser_id", "seq")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("fundraiser_events").delete()
    }
}
