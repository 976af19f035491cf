import FluentKit
import SQLKit

struct CreateNonprofitCauses: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("nonprofit_causes")
            .field("nonprofit_id", .uuid, .required, .references("nonprofits", "id", onDelete: .cascade))
            .field("cause", .string, .required)
            .unique(on: "nonprofit_id", "cause")
            .create()
        try await (database as! any SQLDatabase).create(index: "nonprofit_causes_cause_idx")
            .on("nonprofit_causes").column("cause").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("nonprofit_causes").delete()
    }
}
