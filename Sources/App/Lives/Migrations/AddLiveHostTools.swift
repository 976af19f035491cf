import FluentKit

/// What the host controls during a live: the key of the stream overlay and its settings, and
/// donor messages the host hid.
struct AddLiveHostTools: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("lives").field("overlay_key", .string).update()
        try await database.schema("lives").field("overlay_min_amount", .int64).update()
        try await database.schema("lives").field("overlay_show_amounts", .bool).update()
        try await database.schema("donations").field("message_hidden", .bool).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("lives").deleteField("overlay_key").update()
        try await database.schema("lives").deleteField("overlay_min_amount").update()
        try await database.schema("lives").deleteField("overlay_show_amounts").update()
        try await database.schema("donations").deleteField("message_hidden").update()
    }
}
