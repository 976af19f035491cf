import Foundation
import SQLKit

/// One view: a viewer (an account id or an anonymous device id) saw a video during a UTC hour.
struct ViewEvent: Sendable, Hashable {
    let videoID: UUID
    let viewer: String
    let hour: Int64

    static func hour(of date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / 3600).rounded(.down)) }
}

/// Writes views in batches: the key of `video_views` counts a viewer once per video per hour,
/// and each video's `views` grows by the rows that were new.
enum ViewStore {
    /// Rows per INSERT: three binds each stays under both engines' bind limits.
    static let chunk = 5000

    /// Inserts the events (those already stored are ignored) and adds the newly counted views
    /// to each video's `views`; returns how many were new. Call inside a transaction.
    @discardableResult
    static func write(_ events: [ViewEvent], on sql: any SQLDatabase) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        let added = sql.dialect.name == "sqlite" ? try await insertCountingChanges(events, on: sql) : try await insertReturning(events, on: sql)
        for (video, count) in added.sorted(by: { $0.key < $1.key }) where count > 0 {
            try await sql.update("videos").set("views", to: SQLBinaryExpression(SQLColumn("views"), .add, SQLBind(count)))
                .where("id", .equal, SQLBind(video)).run()
        }
        return added.values.reduce(0) { $0 + Int($1) }
    }

    /// PostgreSQL: one statement per chunk, the new rows' videos counted by the server.
    private static func insertReturning(_ events: [ViewEvent], on sql: any SQLDatabase) async throws -> [UUID: Int64] {
        struct Row: Decodable { let video_id: UUID; let n: Int64 }
        var added: [UUID: Int64] = [:]
        var start = 0
        while start < events.count {
            let slice = events[start..<min(start + chunk, events.count)]
            let insert = sql.insert(into: "video_views").columns("video_id", "viewer", "hour")
                .rows(slice.map { [SQLBind($0.videoID), SQLBind($0.viewer), SQLBind($0.hour)] })
                .ignoringConflicts().returning("video_id")
            let rows = try await sql.raw("WITH added AS (\(insert.query)) SELECT video_id, COUNT(*) AS n FROM added GROUP BY video_id").all(decoding: Row.self)
            for row in rows { added[row.video_id, default: 0] += row.n }
            start += chunk
        }
        return added
    }

    /// SQLite: one statement per video and chunk, then `changes()`, which tells how many rows
    /// it added without sending them back (returning and decoding every row cost more than the insert).
    private static func insertCountingChanges(_ events: [ViewEvent], on sql: any SQLDatabase) async throws -> [UUID: Int64] {
        struct Changes: Decodable { let n: Int64 }
        var added: [UUID: Int64] = [:]
        for (video, group) in Dictionary(grouping: events, by: \.videoID) {
            var start = 0
            while start < group.count {
                let slice = group[start..<min(start + chunk, group.count)]
                try await sql.insert(into: "video_views").columns("video_id", "viewer", "hour")
                    .rows(slice.map { [SQLBind($0.videoID), SQLBind($0.viewer), SQLBind($0.hour)] })
                    .ignoringConflicts().run()
                added[video, default: 0] += try await sql.raw("SELECT changes() AS n").first(decoding: Changes.self)?.n ?? 0
                start += chunk
            }
        }
        return added
    }
}
