import FluentKit

/// One payout per nonprofit, currency and period: the unique key makes a second run of the
/// same period a no-op.
struct CreatePayouts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("payouts")
            .field("id", .uuid, .identifier(auto: false))
            .field("nonprofit_id", .uuid, .required, .references("nonprofits", "id"))
            .field("currency", .string, .required)
            .field("amount", .int64, .required)
            .field("period", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "nonprofit_id", "currency", "period")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("payouts").delete()
    }
}
