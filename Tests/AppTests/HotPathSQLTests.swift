@testable import App
import FluentSQLiteDriver
import Foundation
import PostgresKit
import SQLKit
import Testing

/// The group commit's own SQL (`SQLRowsInsert`) and SQLite's inline point reads (`SQLiteLookups`).
@Suite("Hot-path SQL")
struct HotPathSQLTests {
    /// A database that serializes only, in a given dialect.
    struct Serializing: SQLDatabase {
        let dialect: any SQLDialect
        var logger: Logger { Logger(label: "serializing") }
        var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
        var version: (any SQLDatabaseReportedVersion)? { nil }
        func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
            eventLoop.makeSucceededVoidFuture()
        }
    }

    @Test("a multi-row insert is written out as each engine expects, with one bind per value")
    func insertText() {
        let insert = SQLRowsInsert(into: "idempotency_keys", columns: ["scope", "key", "n"], rows: [["a", "k1", 1], ["b", "k2", String?.none]],
                                   onConflict: .doNothing(keys: ["scope", "key"]), returning: ["resource_id"])
        let (sqlite, sqliteBinds) = Serializing(dialect: SQLiteDialect()).serialize(insert)
        #expect(sqlite == #"INSERT INTO "idempotency_keys" ("scope", "key", "n") VALUES (?1, ?2, ?3), (?4, ?5, ?6) ON CONFLICT ("scope", "key") DO NOTHING RETURNING "resource_id""#)
        #expect(sqliteBinds.count == 6)
        let (postgres, _) = Serializing(dialect: PostgresDialect()).serialize(
            SQLRowsInsert(into: "fundraiser_donors", columns: ["fundraiser_id"], rows: [[1], [2]], onConflict: .doNothing(keys: [])))
        #expect(postgres == #"INSERT INTO "fundraiser_donors" ("fundraiser_id") VALUES ($1), ($2) ON CONFLICT DO NOTHING"#)
        let (sum, _) = Serializing(dialect: PostgresDialect()).serialize(
            SQLRowsInsert(into: "fundraiser_donor_counts", columns: ["fundraiser_id", "donors"], rows: [[1, 2]], onConflict: .add(keys: ["fundraiser_id"], column: "donors")))
        #expect(sum == #"INSERT INTO "fundraiser_donor_counts" ("fundraiser_id", "donors") VALUES ($1, $2) ON CONFLICT ("fundraiser_id") DO UPDATE SET "donors" = "fundraiser_donor_counts"."donors" + EXCLUDED."donors""#)
    }

    @Test("a multi-row insert stores every value, skips a taken key, returns what it inserted and keeps a running sum")
    func insertRuns() async throws {
        try await SQLiteWriterTests.withWriter { db in
            try await db.sql.raw("CREATE TABLE pairs (a TEXT NOT NULL, b INTEGER, PRIMARY KEY (a))").run()
            struct Made: Decodable, Equatable { let a: String }
            let first = try await SQLRowsInsert(into: "pairs", columns: ["a", "b"], rows: [["x", 1], ["y", Int?.none]], onConflict: .doNothing(keys: ["a"]), returning: ["a"])
                .all(decoding: Made.self, on: db.sql)
            #expect(first == [Made(a: "x"), Made(a: "y")])
            let second = try await SQLRowsInsert(into: "pairs", columns: ["a", "b"], rows: [["y", 5], ["z", 3]], onConflict: .doNothing(keys: ["a"]), returning: ["a"])
                .all(decoding: Made.self, on: db.sql)
            #expect(second == [Made(a: "z")])
            struct Pair: Decodable, Equatable { let a: String; let b: Int? }
            let all = try await db.sql.select().columns("a", "b").from("pairs").orderBy("a").all(decoding: Pair.self)
            #expect(all == [Pair(a: "x", b: 1), Pair(a: "y", b: nil), Pair(a: "z", b: 3)])
            try await SQLRowsInsert(into: "pairs", columns: ["a", "b"], rows: []).run(on: db.sql)
            // A running sum: a new key is inserted, a known one adds to what it has.
            try await SQLRowsInsert(into: "pairs", columns: ["a", "b"], rows: [["x", 10], ["w", 4]], onConflict: .add(keys: ["a"], column: "b")).run(on: db.sql)
            let summed = try await db.sql.select().columns("a", "b").from("pairs").orderBy("a").all(decoding: Pair.self)
            #expect(summed == [Pair(a: "w", b: 4), Pair(a: "x", b: 11), Pair(a: "y", b: nil), Pair(a: "z", b: 3)])
        }
    }

    @Test("a lookup sees every commit, does not wait for a write in progress, and is an outage after shutdown", .timeLimit(.minutes(1)))
    func lookups() async throws {
        try await SQLiteWriterTests.withWriter { db in
            // Without lookups these reads would queue behind the open transaction below.
            try #require(db.sqliteLookups != nil)
            try await db.sql.insert(into: "notes").columns("id", "note").values(SQLBind(1), SQLBind("first")).run()
            #expect(try await db.lookup.select().columns("id", "note").from("notes").all(decoding: SQLiteWriterTests.Row.self)
                == [.init(id: 1, note: "first")])
            // A write transaction holds the writer while lookups run: they see the last commit.
            let (inside, entered) = AsyncStream<Void>.makeStream()
            let (released, release) = AsyncStream<Void>.makeStream()
            let writing = Task {
                try await db.transaction { sql in
                    try await sql.insert(into: "notes").columns("id", "note").values(SQLBind(2), SQLBind("second")).run()
                    entered.yield()
                    for await _ in released { break }
                }
            }
            for await _ in inside { break }
            let during = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await db.lookup.select().columns("id", "note").from("notes").all(decoding: SQLiteWriterTests.Row.self).count }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(during == Array(repeating: 1, count: 8))
            release.yield()
            try await writing.value
            #expect(try await db.lookup.select().columns("id").from("notes").all(decoding: SQLiteWriterTests.Row.self).map(\.id) == [1, 2])
            db.sqliteLookups?.close()
            do {
                _ = try await db.lookup.select().columns("id").from("notes").all()
                Issue.record("closed lookups answered")
            } catch {
                #expect(error.isDatabaseOutage, "\(error)")
            }
        }
    }
}
