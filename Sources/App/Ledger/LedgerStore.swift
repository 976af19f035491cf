import Foundation
import GoodcastCore
import SQLKit

/// Writes ledger transactions (always inside the caller's database transaction, beside the
/// change they record) and reads balances back.
struct LedgerStore: Sendable {
    let db: AppDatabase
    let clock: AppClock

    /// Inserts balanced transactions with `sql`, which must be the caller's open transaction.
    /// Two multi-row INSERTs, however many transactions.
    static func write(_ transactions: [LedgerTransaction], on sql: any SQLDatabase, at now: Date) async throws {
        guard !transactions.isEmpty else { return }
        let ids = transactions.map { _ in UUID() }
        try await sql.insert(into: "ledger_transactions").columns("id", "kind", "reference", "created_at")
            .rows(zip(ids, transactions).map { id, transaction -> [any SQLExpression] in
                [SQLBind(id), SQLBind(transaction.kind.rawValue), SQLBind(transaction.reference), SQLBind(now)]
            }).run()
        var rows: [[any SQLExpression]] = []
        for (id, transaction) in zip(ids, transactions) {
            for entry in transaction.entries {
                rows.append([SQLBind(UUID()), SQLBind(id), SQLBind(entry.account.name), SQLBind(entry.amount.currency.code),
                             SQLBind(entry.amount.amount), SQLBind(entry.fundraiser.flatMap(UUID.init(uuidString:)))])
            }
        }
        try await sql.insert(into: "ledger_entries")
            .columns("id", "transaction_id", "account", "currency", "amount", "fundraiser_id")
            .rows(rows).run()
    }

    struct Total: Decodable, Sendable { let currency: String; let total: Int64 }

    /// A fundraiser's net raised per currency, from its tagged entries (credits are negative).
    func raised(fundraiser: UUID, on sql: (any SQLDatabase)? = nil) async throws -> [String: Int64] {
        let rows = try await (sql ?? db.reader).select()
            .column("currency").column(sqlSum("amount"), as: "total")
            .from("ledger_entries").where("fundraiser_id", .equal, SQLBind(fundraiser))
            .groupBy("currency").all(decoding: Total.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.currency, -$0.total) })
    }

    /// Net raised per fundraiser and currency, for several fundraisers at once.
    static func raised(fundraisers: [UUID], on sql: any SQLDatabase) async throws -> [UUID: [String: Int64]] {
        struct Row: Decodable { let fundraiser_id: UUID; let currency: String; let total: Int64 }
        let rows = try await sql.select()
            .column("fundraiser_id").column("currency").column(sqlSum("amount"), as: "total")
            .from("ledger_entries").where("fundraiser_id", .in, SQLBind.group(fundraisers))
            .groupBy("fundraiser_id").groupBy("currency").all(decoding: Row.self)
        var result: [UUID: [String: Int64]] = [:]
        for row in rows { result[row.fundraiser_id, default: [:]][row.currency] = -row.total }
        return result
    }

}
