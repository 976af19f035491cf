import FluentKit
import SQLKit

/// A refund is reserved (`pending`) against its donation before the processor is asked,
/// so that two refunds at once can never return more than was given.
struct CreateRefunds: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("refunds")
            .field("id", .uuid, .identifier(auto: false))
            .field("donation_id", .uuid, .required, .references("donations", "id"))
            .field("amount", .int64, .required)
            .field("currency", .string, .required)
            .field("status", .string, .required)
            .field("processor_refund_id", .string)
            .field("requested_by", .uuid, .required, .references("accounts", "id"))
            .field("created_at", .datetime, .required)
            .field("completed_at", .datetime)
            .create()
        try await (database as! any SQLDatabase).create(index: "refunds_donation_idx").on("refunds").column("donation_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("refunds").delete()
    }
}
