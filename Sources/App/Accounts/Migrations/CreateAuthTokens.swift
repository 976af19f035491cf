import FluentKit
import SQLKit

/// Page sessions and API tokens share one table: both are a secret that names an account,
/// stored only as its SHA-256, with an expiry and a revocation time.
struct CreateAuthTokens: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("auth_tokens")
            .field("id", .uuid, .identifier(auto: false))
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("kind", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await (database as! any SQLDatabase).create(index: "auth_tokens_account_idx")
            .on("auth_tokens").column("account_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("auth_tokens").delete()
    }
}
