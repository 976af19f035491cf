import FluentKit
import SQLKit

/// Platform giving programs: a budget of direct donations (funded from the platform's funds
/// when created), given as grants to chosen nonprofits and as shares that invited creators
/// give to a nonprofit of their choice. `unassigned` is what is neither granted nor offered:
/// every grant and invitation takes from it with a conditional UPDATE, so it never goes below zero.
struct CreatePrograms: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("programs")
            .field("id", .uuid, .identifier(auto: false))
            .field("slug", .string, .required)
            .field("title", .string, .required)
            .field("description", .string)
            .field("currency", .string, .required)
            .field("budget", .int64, .required)
            .field("unassigned", .int64, .required)
            .field("creator_deadline", .datetime, .required)
            .field("unchosen", .string, .required)
            .field("default_nonprofit_id", .uuid, .references("nonprofits", "id"))
            .field("status", .string, .required)
            .field("created_by", .uuid, .required, .references("accounts", "id"))
            .field("created_at", .datetime, .required)
            .field("closed_at", .datetime)
            .unique(on: "slug")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("programs").delete()
    }
}
