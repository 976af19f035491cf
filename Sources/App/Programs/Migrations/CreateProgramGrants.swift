import FluentKit
import SQLKit

/// Where a program's money went: each grant is one ledger transaction from the program's
/// budget to a nonprofit, made directly or on behalf of an invited creator.
struct CreateProgramGrants: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("program_grants")
            .field("id", .uuid, .identifier(auto: false))
            .field("program_id", .uuid, .required, .references("programs", "id"))
            .field("nonprofit_id", .uuid, .required, .references("nonprofits", "id"))
            .field("amount", .int64, .required)
            .field("on_behalf_of", .uuid, .references("accounts", "id"))
            .field("created_at", .datetime, .required)
            .create()
        try await (database as! any SQLDatabase).create(index: "program_grants_program_idx").on("program_grants").column("program_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("program_grants").delete()
    }
}
