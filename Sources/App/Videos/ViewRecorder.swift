import Foundation
import Logging
import ServiceLifecycle
import SQLKit

/// Counts views without a database write per request: batches from `POST /api/v1/views` are
/// deduplicated in memory and written together every `interval` (views may commit
/// asynchronously; money never). The table's key keeps a viewer to one view per video per
/// hour across batches, restarts and nodes.
actor ViewRecorder {
    private var pending: Set<ViewEvent> = []
    /// Videos known to exist, so that views of made-up ids are dropped before the insert.
    private var known: Set<UUID> = []
    private var unknown: [UUID: Date] = [:]
    private let db: AppDatabase
    private let logger: Logger
    /// Beyond this many waiting events, new batches are refused (503) until the writer catches up.
    let capacity: Int
    static let postgresWriters = 4
    /// A flush's rows per transaction. Each slice repeats its per-video statements, so slices
    /// are large: a flush of what arrived in 200 ms is one transaction; only a backlog is split
    /// (20,000 halved SQLite's sustained rate in GoodcastBench views).
    static let transactionSize = 250_000

    init(db: AppDatabase, logger: Logger, capacity: Int = 500_000) {
        self.db = db
        self.logger = logger
        self.capacity = capacity
    }

    enum Refusal: Error { case full }

    func accept(_ events: [ViewEvent]) throws {
        guard pending.count + events.count <= capacity else { throw Refusal.full }
        pending.formUnion(events)
    }

    var waiting: Int { pending.count }

    /// Writes what is waiting; returns the number of views newly counted.
    @discardableResult
    func flush() async throws -> Int {
        guard !pending.isEmpty else { return 0 }
        let batch = pending
        pending = []
        let ids = Set(batch.map(\.videoID))
        let now = Date()
        let unseen = ids.filter { !known.contains($0) && (unknown[$0].map { now.timeIntervalSince($0) > 60 } ?? true) }
        if !unseen.isEmpty {
            struct Row: Decodable { let id: UUID }
            let found = try await db.reader.select().column("id").from("videos").where("id", .in, SQLBind.group(Array(unseen)))
                .where("status", .equal, SQLBind("active")).all(decoding: Row.self)
            let present = Set(found.map(\.id))
            if known.count > 1_000_000 { known.removeAll(keepingCapacity: true) }
            if unknown.count > 100_000 { unknown.removeAll(keepingCapacity: true) }
            known.formUnion(present)
            for id in unseen where !present.contains(id) { unknown[id] = now }
        }
        let events = batch.filter { known.contains($0.videoID) }
        guard !events.isEmpty else { return 0 }
        // PostgreSQL takes concurrent inserts well: a few transactions at once, each with its own
        // videos (so no two wait on the same counter row). SQLite has one writer: one transaction.
        let parts = db.isPostgres ? Self.postgresWriters : 1
        var groups = Array(repeating: [ViewEvent](), count: parts)
        for event in events { groups[Int(event.videoID.uuid.15) % parts].append(event) }
        let db = self.db
        do {
            return try await withThrowingTaskGroup(of: Int.self) { group in
                for part in groups where !part.isEmpty {
                    group.addTask {
                        // A backlog is written a slice at a time, so that no transaction holds
                        // SQLite's one writer (and the donations behind it) for long.
                        var counted = 0
                        var start = 0
                        while start < part.count {
                            let slice = Array(part[start..<min(start + Self.transactionSize, part.count)])
                            counted += try await db.transaction { sql in try await ViewStore.write(slice, on: sql) }
                            start += Self.transactionSize
                        }
                        return counted
                    }
                }
                return try await group.reduce(0, +)
            }
        } catch {
            // Put them back: the next flush tries again, and the key makes a retry harmless (rows a
            // committed part already stored are ignored, and count nothing twice).
            pending.formUnion(events)
            throw error
        }
    }

    /// A deleted video's later views are not counted.
    func forget(_ video: UUID) {
        known.remove(video)
        unknown[video] = Date()
    }
}

/// Runs the recorder's writer until shutdown, then writes what is left.
struct ViewRecorderService: Service {
    let recorder: ViewRecorder
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                do { try await recorder.flush() } catch { logger.warning("views not written yet; will retry", metadata: ["error": "\(error)"]) }
            }
        }
        do { try await recorder.flush() } catch { logger.warning("views left unwritten at shutdown", metadata: ["error": "\(error)"]) }
    }
}
