import FluentKit
import SQLKit

/// Append-only: rows are inserted, never updated or deleted; a correction is a reversal.
struct CreateLedgerTransactions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("ledger_transactions")
            .field("id", .uuid, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("reference", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await (database as! any SQLDatabase).create(index: "ledger_transactions_reference_idx")
            .on("ledger_transactions").column("reference").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("ledger_transactions").delete()
    }
}
