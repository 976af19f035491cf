import FluentKit

/// Where a nonprofit's payouts go: the account holder, the method (`iban` or `us_bank`), the
/// account (the normalised IBAN, or `routing:account`) and when they were last set. One column
/// per statement: SQLite adds a single column per ALTER TABLE.
struct AddNonprofitPayoutDetails: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("nonprofits").field("payout_account_holder", .string).update()
        try await database.schema("nonprofits").field("payout_method", .string).update()
        try await database.schema("nonprofits").field("payout_account", .string).update()
        try await database.schema("nonprofits").field("payout_updated_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("nonprofits").deleteField("payout_account_holder").update()
        try await database.schema("nonprofits").deleteField("payout_method").update()
        try await database.schema("nonprofits").deleteField("payout_account").update()
        try await database.schema("nonprofits").deleteField("payout_updated_at").update()
    }
}
