import Foundation
import GoodcastCore
import SQLKit

extension AppCommands {
    /// Videos for `GoodcastBench views`: one account and `videos` active videos, inserted
    /// directly (no upload, no media). Returns the videos' ids.
    public func viewBenchmarkFixture(videos count: Int) async throws -> [UUID] {
        // A suffix, so that a second run against the same PostgreSQL database finds the handle free.
        let suffix = UUID().lowercasedString.prefix(8)
        let owner = try await services.accountService.signUp(
            handle: "viewbench_\(suffix)", email: "viewbench_\(suffix)@example.org", password: "benchmark password", displayName: nil
        )
        let ownerID = owner.id
        let ids = (0..<max(0, count)).map { _ in UUID() }
        let now = Date()
        // 15 binds a row: 50 rows stay under even SQLite's oldest bind limit (999).
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + 50, ids.count)])
            let first = start
            try await services.db.transaction { sql in
                var rows: [[any SQLExpression]] = []
                rows.reserveCapacity(chunk.count)
                for (offset, id) in chunk.enumerated() {
                    rows.append([
                        SQLBind(id), SQLBind(ownerID), SQLBind("bench video \(first + offset)"), SQLBind("[]"), SQLBind("[]"),
                        SQLBind("mp4"), SQLBind(Int64(1_000_000)), SQLLiteral.null, SQLLiteral.null, SQLLiteral.null,
                        SQLBind(false), SQLBind(Int64(0)), SQLBind("active"), SQLBind(now), SQLLiteral.null,
                    ])
                }
                try await sql.insert(into: "videos")
                    .columns("id", "owner_id", "caption", "hashtags", "mentions", "container", "bytes", "duration_ms", "width", "height",
                             "has_poster", "views", "status", "created_at", "deleted_at")
                    .rows(rows).run()
            }
            start += 50
        }
        return ids
    }

    /// The database work of one `POST /api/v1/views` batch, without HTTP and without the
    /// recorder: `count` events, event `i` a view of `videos[(firstVideo + i) % videos.count]`
    /// by viewer `"<viewerPrefix>-<i>"` in the UTC hour of `at`, written with `ViewStore.write`
    /// in one transaction. `GoodcastBench views` runs it as the bare database baseline.
    /// Returns how many views were newly counted.
    public func writeViewRows(videos: [UUID], viewerPrefix: String, count: Int, firstVideo: Int = 0, at: Date = Date()) async throws -> Int {
        guard !videos.isEmpty, count > 0 else { return 0 }
        let hour = ViewEvent.hour(of: at)
        var events: [ViewEvent] = []
        events.reserveCapacity(count)
        for index in 0..<count {
            events.append(ViewEvent(videoID: videos[(firstVideo + index) % videos.count], viewer: "\(viewerPrefix)-\(index)", hour: hour))
        }
        let batch = events
        // The bare database: the same rows in one multi-row INSERT per batch and one transaction,
        // with none of the counting (no views added to videos).
        try await services.db.transaction { sql in
            try await sql.insert(into: "video_views").columns("video_id", "viewer", "hour")
                .rows(batch.map { [SQLBind($0.videoID), SQLBind($0.viewer), SQLBind($0.hour)] })
                .ignoringConflicts().run()
        }
        return batch.count
    }

    /// `SUM(views)` over the given videos, as the database has it now.
    public func countedViews(videos: [UUID]) async throws -> Int64 {
        struct Row: Decodable { let total: Int64? }
        var total: Int64 = 0
        var start = 0
        while start < videos.count {
            let chunk = Array(videos[start..<min(start + 500, videos.count)])
            let row = try await services.db.sql.select().column(sqlSum("views"), as: "total").from("videos")
                .where("id", .in, SQLBind.group(chunk)).first(decoding: Row.self)
            total += row?.total ?? 0
            start += 500
        }
        return total
    }
}
