import FluentKit
import SQLKit

/// A donation is written `pending` before the card is charged, so that a crash between the
/// charge and the ledger write leaves a row to reconcile, never a charge without a donation.
struct CreateDonations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("donations")
            .field("id", .uuid, .identifier(auto: false))
            .field("fundraiser_id", .uuid, .required, .references("fundraisers", "id"))
            .field("nonprofit_id", .uuid, .required, .references("nonprofits", "id"))
            .field("donor_id", .uuid, .required, .references("accounts", "id"))
            .field("amount", .int64, .required)
            .field("gift_amount", .int64, .required)
            .field("fee", .int64, .required)
            .field("currency", .string, .required)
            .field("cover_fees", .bool, .required)
            .field("message", .string)
            .field("visibility", .string, .required)
            .field("status", .string, .required)
            .field("failure_code", .string)
            .field("failure_message", .string)
            .field("processor", .string, .required)
            .field("charge_id", .string)
            .field("payment_token", .string, .required)
            .field("refunded", .int64, .required)
            .field("dispute", .string, .required)
            .field("receipt_number", .string)
            .field("created_at", .datetime, .required)
            .field("completed_at", .datetime)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "donations_fundraiser_idx").on("donations").column("fundraiser_id").column("status").run()
        try await sql.create(index: "donations_donor_idx").on("donations").column("donor_id").run()
        try await sql.create(index: "donations_status_idx").on("donations").column("status").column("created_at").run()
        try await sql.create(index: "donations_charge_idx").on("donations").column("charge_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("donations").delete()
    }
}
