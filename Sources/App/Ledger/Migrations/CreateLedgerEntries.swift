import FluentKit
import SQLKit

/// Append-only lines of ledger transactions; `amount` is debit-positive minor units.
struct CreateLedgerEntries: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("ledger_entries")
            .field("id", .uuid, .identifier(auto: false))
            .field("transaction_id", .uuid, .required, .references("ledger_transactions", "id"))
            .field("account", .string, .required)
            .field("currency", .string, .required)
            .field("amount", .int64, .required)
            .field("fundraiser_id", .uuid)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "ledger_entries_account_idx").on("ledger_entries").column("account").column("currency").run()
        try await sql.create(index: "ledger_entries_fundraiser_idx").on("ledger_entries").column("fundraiser_id").run()
        try await sql.create(index: "ledger_entries_transaction_idx").on("ledger_entries").column("transaction_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("ledger_entries").delete()
    }
}
