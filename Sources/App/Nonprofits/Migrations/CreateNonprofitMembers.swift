import FluentKit
import SQLKit

struct CreateNonprofitMembers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("nonprofit_members")
            .field("nonprofit_id", .uuid, .required, .references("nonprofits", "id", onDelete: .cascade))
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("role", .string, .required)
            .field("added_at", .datetime, .required)
            .unique(on: "nonprofit_id", "account_id")
            .create()
        try await (database as! any SQLDatabase).create(index: "nonprofit_members_account_idx")
            .on("nonprofit_members").column("account_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("nonprofit_members").delete()
    }
}
