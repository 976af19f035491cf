import FluentKit
import SQLKit

/// Running totals per fundraiser, so that a fundraiser's net raised and donor count are read
/// in one row instead of summing its whole history: with group commit every batch of gifts
/// posts a `total` feed event, and summing a viral fundraiser's tens of thousands of entries
/// for each one made every batch slower than the last.
/// - `fundraiser_ledger_totals`: the sum of the ledger entries tagged with the fundraiser, per
///   currency, changed in the transaction that writes them (`LedgerStore.write`).
/// - `fundraiser_donors`: who has given at least once (a succeeded donation), and
///   `fundraiser_donor_counts` how many they are.
/// Filled from the existing rows; `ledger verify` checks all three against the history.
struct CreateFundraiserTotals: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("fundraiser_ledger_totals")
            .field("fundraiser_id", .uuid, .required)
            .field("currency", .string, .required)
            .field("amount", .int64, .required)
            .compositeIdentifier(over: "fundraiser_id", "currency")
            .create()
        try await database.schema("fundraiser_donors")
            .field("fundraiser_id", .uuid, .required)
            .field("donor_id", .uuid, .required)
            .compositeIdentifier(over: "fundraiser_id", "donor_id")
            .create()
        try await database.schema("fundraiser_donor_counts")
            .field("fundraiser_id", .uuid, .identifier(auto: false))
            .field("donors", .int64, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("""
            INSERT INTO fundraiser_ledger_totals (fundraiser_id, currency, amount)
            SELECT fundraiser_id, currency, SUM(amount) FROM ledger_entries WHERE fundraiser_id IS NOT NULL GROUP BY fundraiser_id, currency
            """).run()
        try await sql.raw("""
            INSERT INTO fundraiser_donors (fundraiser_id, donor_id)
            SELECT DISTINCT fundraiser_id, donor_id FROM donations WHERE status = 'succeeded'
            """).run()
        try await sql.raw("""
            INSERT INTO fundraiser_donor_counts (fundraiser_id, donors)
            SELECT fundraiser_id, COUNT(*) FROM fundraiser_donors GROUP BY fundraiser_id
            """).run()
    }

    func revert(on database: any Database) async throws {
        for table in ["fundraiser_donor_counts", "fundraiser_donors", "fundraiser_ledger_totals"] {
            try await database.schema(table).delete()
        }
    }
}
