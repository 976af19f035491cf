import FluentKit
import SQLKit

struct CreateFundraisers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("fundraisers")
            .field("id", .uuid, .identifier(auto: false))
            .field("nonprofit_id", .uuid, .required, .references("nonprofits", "id"))
            .field("owner_id", .uuid, .required, .references("accounts", "id"))
            .field("title", .string, .required)
            .field("description", .string)
            .field("goal_amount", .int64, .required)
            .field("currency", .string, .required)
            .field("ends_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        try await (database as! any SQLDatabase).create(index: "fundraisers_nonprofit_idx").on("fundraisers").column("nonprofit_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("fundraisers").delete()
    }
}
