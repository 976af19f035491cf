import FluentKit
import SQLKit

struct CreateLives: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("lives")
            .field("id", .uuid, .identifier(auto: false))
            .field("host_id", .uuid, .required, .references("accounts", "id"))
            .field("title", .string, .required)
            .field("description", .string)
            .field("language", .string, .required)
            .field("scheduled_at", .datetime)
            .field("playback_url", .string)
            .field("status", .string, .required)
            .field("fundraiser_id", .uuid, .references("fundraisers", "id"))
            .field("ticket_amount", .int64)
            .field("ticket_currency", .string)
            .field("started_at", .datetime)
            .field("ended_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        try await (database as! any SQLDatabase).create(index: "lives_host_idx").on("lives").column("host_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("lives").delete()
    }
}
