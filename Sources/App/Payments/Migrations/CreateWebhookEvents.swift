import FluentKit

/// Processed webhook events by id: a duplicate delivery finds its row and does nothing.
struct CreateWebhookEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("webhook_events")
            .field("event_id", .string, .required)
            .field("processor", .string, .required)
            .field("type", .string, .required)
            .field("received_at", .datetime, .required)
            .unique(on: "processor", "event_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("webhook_events").delete()
    }
}
