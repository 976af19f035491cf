import FluentKit

/// A paid-entry live's ticket revenue goes to the host or, when set, to a verified nonprofit.
struct AddLiveTicketPayee: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("lives").field("ticket_nonprofit_id", .uuid).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("lives").deleteField("ticket_nonprofit_id").update()
    }
}
