import FluentKit

/// Tickets to paid-entry lives: one per account and live, paid through the same processor as
/// donations, and posted to the ledger when paid.
struct CreateLiveTickets: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("live_tickets")
            .field("id", .uuid, .identifier(auto: false))
            .field("live_id", .uuid, .required, .references("lives", "id"))
            .field("account_id", .uuid, .required, .references("accounts", "id"))
            .field("amount", .int64, .required)
            .field("currency", .string, .required)
            .field("status", .string, .required)
            .field("processor", .string, .required)
            .field("charge_id", .string)
            .field("failure_code", .string)
            .field("created_at", .datetime, .required)
            .field("completed_at", .datetime)
            .unique(on: "live_id", "account_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("live_tickets").delete()
    }
}
