import FluentKit
import SQLKit

struct CreateNonprofits: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("nonprofits")
            .field("id", .uuid, .identifier(auto: false))
            .field("name", .string, .required)
            .field("name_key", .string, .required)
            .field("country", .string, .required)
            .field("registration_number", .string, .required)
            .field("website", .string, .required)
            .field("description", .string)
            .field("status", .string, .required)
            .field("rejection_reason", .string)
            .field("applicant_id", .uuid, .required, .references("accounts", "id"))
            .field("created_at", .datetime, .required)
            .field("reviewed_at", .datetime)
            .field("reviewed_by", .uuid, .references("accounts", "id"))
            .field("follower_count", .int64, .required)
            .unique(on: "country", "registration_number")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "nonprofits_status_name_idx").on("nonprofits").column("status").column("name_key").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("nonprofits").delete()
    }
}
