@testable import App
import Foundation
import Logging
import SQLKit
import FluentSQLiteDriver
import Testing

/// The SQLite writer (`SQLiteWriter`): SQLite's C API on a thread of its own, one holder at a
/// time. These check what callers rely on besides the SQL itself, on a real SQLite file.
@Suite("SQLite writer")
struct SQLiteWriterTests {
    struct Row: Decodable, Equatable { let id: Int; let note: String? }

    /// A database with one table, `notes`, and its writer; removed afterwards.
    static func withWriter(_ body: (AppDatabase) async throws -> Void) async throws {
        try await withWriter { db, _ in try await body(db) }
    }

    /// The same, with the database file's path.
    static func withWriter(_ body: (AppDatabase, String) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("goodcast-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("w.sqlite").path
        var logger = Logger(label: "writer-test")
        logger.logLevel = .error
        let databases = try DatabaseSetup.makeDatabases(.sqlite(path: path), logger: logger)
        let db = try AppDatabase(databases: databases, readDatabases: nil, sqliteFile: path, logger: logger)
        do {
            try await db.sql.raw("CREATE TABLE notes (id INTEGER PRIMARY KEY, note TEXT)").run()
            try await body(db, path)
        } catch {
            await db.shutdown()
            throw error
        }
        await db.shutdown()
    }

    static func notes(_ db: AppDatabase) async throws -> [Row] {
        try await db.sql.select().columns("id", "note").from("notes").orderBy("id").all(decoding: Row.self)
    }

    @Test("values come back as written, a constraint failure is a constraint violation")
    func values() async throws {
        try await Self.withWriter { db in
            let text = "Zoë 🎉 'quoted' \\ back"
            try await db.sql.insert(into: "notes").columns("id", "note").values(SQLBind(1), SQLBind(text)).run()
            try await db.sql.insert(into: "notes").columns("id", "note").values(SQLBind(2), SQLBind(String?.none)).run()
            #expect(try await Self.notes(db) == [Row(id: 1, note: text), Row(id: 2, note: nil)])
            await #expect(throws: (any Error).self) {
                try await db.sql.insert(into: "notes").columns("id", "note").values(SQLBind(1), SQLBind("again")).run()
            }
            do {
                try await db.sql.insert(into: "notes").columns("id", "note").values(SQLBind(1), SQLBind("again")).run()
                Issue.record("a duplicate key was accepted")
            } catch {
                #expect(error.isConstraintViolation, "\(error)")
                #expect(!error.isDatabaseOutage)
            }
        }
    }

    @Test("a statement kept for reuse starts clean after a failure, after a read cut short and after the cache starts over; a long one is not kept")
    func reusedStatements() async throws {
        try await Self.withWriter { db in
            let insert = { (id: Int, note: String) in
                try await db.sql.insert(into: "notes").columns("id", "note").values(SQLBind(id), SQLBind(note)).run()
            }
            try await insert(1, "first")
            // The same SQL fails on a duplicate key, then runs again with other values.
            await #expect(throws: (any Error).self) { try await insert(1, "duplicate") }
            try await insert(2, "second")
            #expect(try await Self.notes(db) == [Row(id: 1, note: "first"), Row(id: 2, note: "second")])
            // A read that failed while decoding its first row leaves no read open behind it.
            struct Wrong: Decodable { let id: String; let missing: Int }
            await #expect(throws: (any Error).self) {
                _ = try await db.sql.select().columns("id", "note").from("notes").orderBy("id").first(decoding: Wrong.self)
            }
            // More distinct statements than are kept: the cache starts over and every one still answers.
            struct Sum: Decodable { let n: Int }
            for value in 0..<600 {
                let row = try await db.sql.raw("SELECT \(unsafeRaw: String(value)) + 1 AS n").first(decoding: Sum.self)
                #expect(row?.n == value + 1)
            }
            // A statement too long to keep is compiled for each use, and answers each time.
            let long = "SELECT 7 AS n /* \(String(repeating: "x", count: 3000)) */"
            for _ in 0..<2 { #expect(try await db.sql.raw("\(unsafeRaw: long)").first(decoding: Sum.self)?.n == 7) }
            try await insert(3, "third")
            #expect(try await Self.notes(db).map(\.id) == [1, 2, 3])
        }
    }

    @Test("the writer binds each value as SQLiteKit's encoder does")
    func bindsAsSQLiteKit() throws {
        let encoder = SQLiteDataEncoder()
        let values: [any Encodable & Sendable] = [
            UUID(), UUID.timeOrdered(), "text", "", 42, -7, Int64.max, Int64.min, true, false, Date(timeIntervalSince1970: 1_764_000_000.25),
            Date(timeIntervalSince1970: 0), 1.5, String?.none, String?.some("some"), UUID?.none, UUID?.some(UUID()), Int?.none, Date?.none,
            Data([1, 2, 3]), ["a": 1],
        ]
        for value in values {
            #expect(try SQLiteRawDatabase.sqliteData(value, encoder) == encoder.encode(value), "\(value)")
        }
    }

    @Test("a transaction inside a transaction joins it, and a failure rolls back both")
    func nested() async throws {
        try await Self.withWriter { db in
            struct Stop: Error {}
            await #expect(throws: Stop.self) {
                try await db.transaction { sql in
                    try await sql.insert(into: "notes").columns("id").values(SQLBind(1)).run()
                    try await db.transaction { inner in try await inner.insert(into: "notes").columns("id").values(SQLBind(2)).run() }
                    try await db.sql.insert(into: "notes").columns("id").values(SQLBind(3)).run()
                    throw Stop()
                }
            }
            #expect(try await Self.notes(db).isEmpty)
            try await db.transaction { sql in try await sql.insert(into: "notes").columns("id").values(SQLBind(4)).run() }
            #expect(try await Self.notes(db).map(\.id) == [4])
        }
    }

    @Test("a waiter cancelled while another holds the connection never runs")
    func cancelledWaiter() async throws {
        try await Self.withWriter { db in
            let holding = AsyncStream.makeStream(of: Void.self)
            let finish = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await db.transaction { sql in
                    try await sql.insert(into: "notes").columns("id").values(SQLBind(1)).run()
                    holding.continuation.yield()
                    for await _ in finish.stream { break }
                }
            }
            for await _ in holding.stream { break }
            let waiter = Task { try await db.sql.insert(into: "notes").columns("id").values(SQLBind(2)).run() }
            try await Task.sleep(for: .milliseconds(100))
            waiter.cancel()
            // It leaves the queue at once: its error comes while the holder still holds.
            let early = await withTaskGroup(of: Bool.self) { group in
                group.addTask { (try? await waiter.value) == nil }
                group.addTask {
                    // Not withdrawn: let the holder finish, so the waiter (and this test) ends.
                    try? await Task.sleep(for: .seconds(10))
                    if !Task.isCancelled { finish.continuation.yield() }
                    return false
                }
                let first = await group.next()!
                group.cancelAll()
                return first
            }
            #expect(early, "the cancelled waiter was still queued behind the holder")
            finish.continuation.yield()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            try await holder.value
            #expect(try await Self.notes(db).map(\.id) == [1])
        }
    }

    @Test("after shutdown a statement is an outage (503), not a crash")
    func closed() async throws {
        try await Self.withWriter { db in
            await db.sqliteWriter?.close()
            do {
                try await db.sql.insert(into: "notes").columns("id").values(SQLBind(1)).run()
                Issue.record("a closed writer accepted a statement")
            } catch {
                #expect(error.isDatabaseOutage, "\(error)")
            }
        }
    }

    @Test("checkpoints run beside the writer, and the WAL starts over instead of growing while the writes keep coming")
    func checkpoints() async throws {
        try await Self.withWriter { db, path in
            // About two WAL pages a commit: past the writer's own fallback more than twice over.
            let note = String(repeating: "n", count: 3000)
            for id in 1...5000 {
                try await db.sql.insert(into: "notes").columns("id", "note").values(SQLBind(id), SQLBind(note)).run()
            }
            let writer = try #require(db.sqliteWriter)
            #expect(writer.checkpointPasses > 0, "no checkpoint ran beside the writer")
            // The WAL file keeps its largest size; SQLite writes a page as 24 bytes of header and 4,096 of page.
            let wal = try #require(try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int)
            let bound = Int(SQLiteCheckpointer.inlineFrames + 16) * (4096 + 24) + 32
            #expect(wal <= bound, "the WAL grew to \(wal) bytes, past \(bound)")
            #expect(try await db.sql.raw("SELECT count(*) AS n FROM notes").first(decoding: Count.self)?.n == 5000)
        }
    }

    struct Count: Decodable { let n: Int }
}
