import Foundation
import GoodcastCore
import SQLKit

/// Writes ledger transactions (always inside the caller's database transaction, beside the
/// change they record) and reads balances back.
struct LedgerStore: Sendable {
    let db: AppDatabase
    let clock: AppClock

    /// Inserts balanced transactions with `sql`, which must be the caller's open transaction.
    /// Two inserts (`SQLRowsInsert`), however many transactions.
    static func write(_ transactions: [LedgerTransaction], on sql: any SQLDatabase, at now: Date) async throws {
        guard !transactions.isEmpty else { return }
        let ids = transactions.map { _ in UUID.timeOrdered(at: now) }
        try await SQLRowsInsert(into: "ledger_transactions", columns: ["id", "kind", "reference", "created_at"],
                                rows: zip(ids, transactions).map { id, transaction in [id, transaction.kind.rawValue, transaction.reference, now] }).run(on: sql)
        var rows: [[any Encodable & Sendable]] = []
        var tagged: [(fundraiser: UUID, currency: String, amount: Int64)] = []
        for (id, transaction) in zip(ids, transactions) {
            for entry in transaction.entries {
                let fundraiser = entry.fundraiser.flatMap(UUID.parse)
                rows.append([UUID.timeOrdered(at: now), id, entry.account.name, entry.amount.currency.code, entry.amount.amount, fundraiser])
                if let fundraiser { tagged.append((fundraiser, entry.amount.currency.code, entry.amount.amount)) }
            }
        }
        try await SQLRowsInsert(into: "ledger_entries", columns: ["id", "transaction_id", "account", "currency", "amount", "fundraiser_id"], rows: rows)
            .run(on: sql)
        // Every entry is written here, so the running totals cannot miss one.
        try await FundraiserTotals.add(entries: tagged, on: sql)
    }

    struct Total: Decodable, Sendable { let currency: String; let total: Int64 }

    /// A fundraiser's net raised per currency, from its tagged entries (credits are negative).
    func raised(fundraiser: UUID, on sql: (any SQLDatabase)? = nil) async throws -> [String: Int64] {
        try await FundraiserTotals.raised(fundraisers: [fundraiser], on: sql ?? db.reader)[fundraiser] ?? [:]
    }

    /// Net raised per fundraiser and currency, for several fundraisers at once.
    static func raised(fundraisers: [UUID], on sql: any SQLDatabase) async throws -> [UUID: [String: Int64]] {
        try await FundraiserTotals.raised(fundraisers: fundraisers, on: sql)
    }

}
