import Foundation
import SQLKit

/// A fundraiser's running totals (`CreateFundraiserTotals`): net raised per currency and the
/// number of distinct donors, each one row, kept in the transactions that change them.
/// Rows are written in fundraiser order, so two transactions touching the same fundraisers
/// take their locks in the same order (PostgreSQL).
enum FundraiserTotals {
    /// Adds ledger entries tagged with fundraisers to their totals (credits are negative).
    static func add(entries: [(fundraiser: UUID, currency: String, amount: Int64)], on sql: any SQLDatabase) async throws {
        var sums: [Key: Int64] = [:]
        for entry in entries { sums[Key(fundraiser: entry.fundraiser, currency: entry.currency), default: 0] += entry.amount }
        guard !sums.isEmpty else { return }
        let rows: [[any Encodable & Sendable]] = sums.sorted(by: { $0.key < $1.key }).map { [$0.key.fundraiser, $0.key.currency, $0.value] }
        try await addOnConflict(into: "fundraiser_ledger_totals", keys: ["fundraiser_id", "currency"], adding: "amount", rows: rows, on: sql)
    }

    /// Records who gave (succeeded donations) and counts the donors new to each fundraiser.
    static func addDonors(_ gifts: [(fundraiser: UUID, donor: UUID)], on sql: any SQLDatabase) async throws {
        let pairs = Set(gifts.map { Pair(fundraiser: $0.fundraiser, donor: $0.donor) }).sorted()
        guard !pairs.isEmpty else { return }
        struct Row: Decodable { let fundraiser_id: UUID }
        let added = try await SQLRowsInsert(into: "fundraiser_donors", columns: ["fundraiser_id", "donor_id"], rows: pairs.map { [$0.fundraiser, $0.donor] },
                                            onConflict: .doNothing(keys: []), returning: ["fundraiser_id"]).all(decoding: Row.self, on: sql)
        var newDonors: [UUID: Int64] = [:]
        for row in added { newDonors[row.fundraiser_id, default: 0] += 1 }
        guard !newDonors.isEmpty else { return }
        let rows: [[any Encodable & Sendable]] = newDonors.sorted(by: { $0.key < $1.key }).map { [$0.key, $0.value] }
        try await addOnConflict(into: "fundraiser_donor_counts", keys: ["fundraiser_id"], adding: "donors", rows: rows, on: sql)
    }

    /// Net raised per fundraiser and currency (positive: money in).
    static func raised(fundraisers: [UUID], on sql: any SQLDatabase) async throws -> [UUID: [String: Int64]] {
        guard !fundraisers.isEmpty else { return [:] }
        struct Row: Decodable { let fundraiser_id: UUID; let currency: String; let amount: Int64 }
        let rows = try await sql.select().columns("fundraiser_id", "currency", "amount").from("fundraiser_ledger_totals")
            .where("fundraiser_id", .in, SQLBind.group(fundraisers)).all(decoding: Row.self)
        var result: [UUID: [String: Int64]] = [:]
        for row in rows { result[row.fundraiser_id, default: [:]][row.currency] = -row.amount }
        return result
    }

    /// Distinct donors with at least one succeeded donation, per fundraiser.
    static func donors(fundraisers: [UUID], on sql: any SQLDatabase) async throws -> [UUID: Int64] {
        guard !fundraisers.isEmpty else { return [:] }
        struct Row: Decodable { let fundraiser_id: UUID; let donors: Int64 }
        let rows = try await sql.select().columns("fundraiser_id", "donors").from("fundraiser_donor_counts")
            .where("fundraiser_id", .in, SQLBind.group(fundraisers)).all(decoding: Row.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.fundraiser_id, $0.donors) })
    }

    /// Inserts the rows (keys first, the amount last), or adds the amount to the row already there.
    private static func addOnConflict(into table: String, keys: [String], adding column: String, rows: [[any Encodable & Sendable]], on sql: any SQLDatabase) async throws {
        try await SQLRowsInsert(into: table, columns: keys + [column], rows: rows, onConflict: .add(keys: keys, column: column)).run(on: sql)
    }

    private struct Key: Hashable, Comparable {
        let fundraiser: UUID
        let currency: String
        static func < (a: Key, b: Key) -> Bool { (a.fundraiser, a.currency) < (b.fundraiser, b.currency) }
    }

    private struct Pair: Hashable, Comparable {
        let fundraiser: UUID
        let donor: UUID
        static func < (a: Pair, b: Pair) -> Bool { (a.fundraiser, a.donor) < (b.fundraiser, b.donor) }
    }
}
