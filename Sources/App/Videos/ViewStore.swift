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
        struct Row: Decodable { let video_id: UUID }
        var added: [UUID: Int64] = [:]
        var start = 0
        while start < events.count {
            let slice = events[start..<min(start + chunk, events.count)]
            let rows: [Row] = try await sql.insert(into: "video_views").columns("video_id", "viewer", "hour")
                .rows(slice.map { [SQLBind($0.videoID), SQLBind($0.viewer), SQLBind($0.hour)] })
                .ignoringConflicts()
                .returning("video_id")
                .all(decoding: Row.self)
            for row in rows { added[row.video_id, default: 0] += 1 }
            start += chunk
        }
        for (video, count) in added.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            try await sql.update("videos").set("views", to: SQLBinaryExpression(SQLColumn("views"), .add, SQLBind(count)))
                .where("id", .equal, SQLBind(video)).run()
        }
        return added.values.reduce(0) { $0 + Int($1) }
    }
}
