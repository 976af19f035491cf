import FluentKit
import SQLKit

/// Each nonprofit's ad credit balance: one row changed only by conditional updates
/// (`balance >= spend`), so that no concurrency can take it below zero. The ledger's
/// `ad-credits:<nonprofit>` account is checked against it by `ledger verify`.
struct CreateAdCredits: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("nonprofit_ad_credits")
            .field("nonprofit_id", .uuid, .identifier(auto: false), .references("nonprofits", "id"))
            .field("balance", .int64, .required)
            .field("updated_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("nonprofit_ad_credits").delete()
    }
}
