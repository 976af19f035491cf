import NIOConcurrencyHelpers
import SQLKit

/// A multi-row `INSERT` for the group commit's hot statements, written out directly.
///
/// SQLKit's insert builder makes a tree of expressions (a list of groups of binds, each
/// identifier quoted with a search and replace of the quote character), and serializing it
/// was a sixth of SQLite's writer thread at 400 gifts a second. The names here are the code's
/// own constants, quoted as both engines quote them; the values are binds as everywhere else.
struct SQLRowsInsert: SQLExpression {
    let table: String
    let columns: [String]
    let rows: [[any Encodable & Sendable]]
    let onConflict: OnConflict?
    let returning: [String]

    /// What a row whose key is taken does, in the syntax both engines share.
    enum OnConflict {
        /// `ON CONFLICT [(keys)] DO NOTHING`; no keys: any constraint.
        case doNothing(keys: [String])
        /// `ON CONFLICT (keys) DO UPDATE SET column = column + the new row's column`: a running sum.
        case add(keys: [String], column: String)

        var names: [String] {
            switch self {
            case .doNothing(let keys): keys
            case .add(let keys, let column): keys + [column]
            }
        }
    }

    init(into table: String, columns: [String], rows: [[any Encodable & Sendable]], onConflict: OnConflict? = nil, returning: [String] = []) {
        precondition(([table] + columns + (onConflict?.names ?? []) + returning).allSatisfy(Self.isPlainName), "identifiers are the code's constants")
        precondition(rows.allSatisfy { $0.count == columns.count }, "every row has one value per column")
        self.table = table
        self.columns = columns
        self.rows = rows
        self.onConflict = onConflict
        self.returning = returning
    }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write("INSERT INTO \"\(table)\" (\(Self.quoted(columns))) VALUES ")
        for (index, row) in rows.enumerated() {
            serializer.write(index == 0 ? "(" : ", (")
            for (column, value) in row.enumerated() {
                if column > 0 { serializer.write(", ") }
                serializer.write(bind: value)
            }
            serializer.write(")")
        }
        serializer.write(clauses)
    }

    /// The statement for one row, in SQLite's syntax: SQLite's writer runs it once per row inside
    /// the caller's transaction (`SQLiteRawDatabase`). A statement of many rows that may fail a
    /// constraint halfway makes SQLite copy every page it touches into a statement journal first
    /// (a temporary file past 64 KiB), and its text, which differs with its number of rows, must
    /// be compiled for each size. One row's text never changes, so it stays compiled, and its
    /// journal (only with `RETURNING`, which SQLite runs as a trigger) holds one row's pages.
    /// A row that fails leaves the rows before it in the transaction: this relies on no code
    /// going on in a transaction after a database error (PostgreSQL would refuse it anyway), so
    /// the transaction's rollback undoes them.
    var sqliteOneRowSQL: String {
        "INSERT INTO \"\(table)\" (\(Self.quoted(columns))) VALUES (\(repeatElement("?", count: columns.count).joined(separator: ", ")))" + clauses
    }

    /// What follows the rows: the conflict clause and what it returns.
    private var clauses: String {
        var text = ""
        switch onConflict {
        case .doNothing(let keys)?:
            text += keys.isEmpty ? " ON CONFLICT DO NOTHING" : " ON CONFLICT (\(Self.quoted(keys))) DO NOTHING"
        case .add(let keys, let column)?:
            text += " ON CONFLICT (\(Self.quoted(keys))) DO UPDATE SET \"\(column)\" = \"\(table)\".\"\(column)\" + EXCLUDED.\"\(column)\""
        case nil:
            break
        }
        if !returning.isEmpty { text += " RETURNING \(Self.quoted(returning))" }
        return text
    }

    /// Runs it; nothing to run for no rows.
    func run(on sql: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        try await sql.execute(sql: self) { _ in }
    }

    /// Runs it and decodes what `RETURNING` gave back.
    func all<Row: Decodable & Sendable>(decoding: Row.Type, on sql: any SQLDatabase) async throws -> [Row] {
        guard !rows.isEmpty else { return [] }
        let collected = NIOLockedValueBox<[any SQLRow]>([])
        try await sql.execute(sql: self) { row in collected.withLockedValue { $0.append(row) } }
        return try collected.withLockedValue { $0 }.map { try $0.decode(model: Row.self) }
    }

    private static func quoted(_ names: [String]) -> String {
        names.map { "\"\($0)\"" }.joined(separator: ", ")
    }

    private static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
    }
}
