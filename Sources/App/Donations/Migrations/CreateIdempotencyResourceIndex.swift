import FluentKit
import SQLKit

/// Group commit stores a batch's answers by the resource each key made.
struct CreateIdempotencyResourceIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await (database as! any SQLDatabase).create(index: "idempotency_keys_resource_idx").on("idempotency_keys").column("resource_id").run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).drop(index: "idempotency_keys_resource_idx").run()
    }
}
