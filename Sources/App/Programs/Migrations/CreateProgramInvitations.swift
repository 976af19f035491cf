import FluentKit
import SQLKit

/// A creator's share of a program, to give to a verified nonprofit of their choice before the
/// deadline. `status`: invited, given (a grant was made), returned or defaulted (at closing).
struct CreateProgramInvitations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("program_invitations")
            .field("id", .uuid, .identifier(auto: false))
            .field("program_id", .uuid, .required, .references("programs", "id"))
            .field("creator_id", .uuid, .required, .references("accounts", "id"))
            .field("amount", .int64, .required)
            .field("status", .string, .required)
            .field("grant_id", .uuid)
            .field("created_at", .datetime, .required)
            .field("settled_at", .datetime)
            .unique(on: "program_id", "creator_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("program_invitations").delete()
    }
}
