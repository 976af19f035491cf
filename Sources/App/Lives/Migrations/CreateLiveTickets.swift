import FluentKit
import SQLKit

/// Tickets to paid-entry lives, paid through the same processor as donations and posted to the
/// ledger when paid. An account holds at most one pending or active ticket per live (checked
/// when buying, under the live's lock); failed, refunded and revoked ones stay as history.
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
            .field("payment_token", .string, .required)
            .field("charge_id", .string)
            .field("failure_code", .string)
            .field("created_at", .datetime, .required)
            .field("completed_at", .datetime)
            .create()
        try await (database as! any SQLDatabase).create(index: "live_tickets_live_account_idx").on("live_tickets").column("live_id").column("account_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("live_tickets").delete()
    }
}
