import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SQLKit

/// The one reader of a feed on this node: it reads new events from the log (woken by this
/// node's commits, or every poll interval for other nodes' commits), encodes each once and
/// offers the same frames to every viewer, and shares the node's viewer count.
final class FeedBroadcaster: Sendable {
    struct Settings: Sendable {
        var pollInterval: Duration = .milliseconds(250)
        var viewersInterval: Duration = .seconds(5)
        var maxPending = 2048
        /// The shortest time between two reads of the log (GOODCAST_FEED_BATCH_MS).
        var readGap: Duration = .milliseconds(20)
        /// Events read and offered at once: a quarter of what a viewer may have waiting, so a
        /// viewer that keeps up never overflows because of one burst.
        var readBatch: Int { max(1, min(500, maxPending / 4)) }
    }

    let feed: UUID
    private let db: AppDatabase
    private let settings: Settings
    private let nodeID: UUID
    private let logger: Logger

    private struct State {
        var subscribers: [ObjectIdentifier: FeedSubscriber] = [:]
        /// The last seq offered to viewers; nil until the log's end has been read.
        var last: Int64?
        var stopped = false
        var lastViewers: Int64 = -1
    }

    private let state = NIOLockedValueBox(State())
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let ready = NIOLockedValueBox<[CheckedContinuation<Void, Never>]?>([])

    init(feed: UUID, db: AppDatabase, settings: Settings, nodeID: UUID, logger: Logger) {
        self.feed = feed
        self.db = db
        self.settings = settings
        self.nodeID = nodeID
        self.logger = logger
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func start() {
        task.withLockedValue { $0 = Task { await self.run() } }
    }

    /// Reads the feed now (a commit on this node wrote to it).
    func poke() { wake.yield() }

    /// Adds a viewer once the broadcaster knows where the log ends; returns the seq after which
    /// frames will be offered to it (the viewer reads anything before that from the log), or
    /// nil if this broadcaster has stopped and the caller must ask the hub for a new one.
    func add(_ subscriber: FeedSubscriber) async -> Int64? {
        await waitUntilReady()
        return state.withLockedValue { state in
            guard !state.stopped, let last = state.last else { return nil }
            state.subscribers[ObjectIdentifier(subscriber)] = subscriber
            return last
        }
    }

    /// Removes a viewer; true if none is left.
    func remove(_ subscriber: FeedSubscriber) -> Bool {
        state.withLockedValue { state in
            state.subscribers[ObjectIdentifier(subscriber)] = nil
            return state.subscribers.isEmpty
        }
    }

    /// Stops if still no viewer is connected; true if it stopped.
    func stopIfIdle() -> Bool {
        let stop = state.withLockedValue { state -> Bool in
            guard state.subscribers.isEmpty, !state.stopped else { return false }
            state.stopped = true
            return true
        }
        if stop {
            wake.finish()
            task.withLockedValue { $0?.cancel() }
        }
        return stop
    }

    /// Stops whether or not viewers are connected (they are told the stream ended).
    func stopNow() {
        let subscribers = state.withLockedValue { state in
            state.stopped = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.close() }
        wake.finish()
        task.withLockedValue { $0?.cancel() }
        markReady()
    }

    func stopAndWait() async {
        stopNow()
        await task.withLockedValue { $0 }?.value
    }

    var viewerCount: Int { state.withLockedValue { $0.subscribers.count } }

    private func waitUntilReady() async {
        await withCheckedContinuation { continuation in
            let now = ready.withLockedValue { waiters -> Bool in
                guard waiters != nil else { return true }
                waiters!.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func markReady() {
        let waiters = ready.withLockedValue { waiters in
            let all = waiters ?? []
            waiters = nil
            return all
        }
        for waiter in waiters { waiter.resume() }
    }

    private func run() async {
        // Where the log ends now: viewers read what came before from the log themselves.
        while !Task.isCancelled {
            do {
                let last = try await FeedLog.lastSeq(feed: feed, on: db.reader)
                state.withLockedValue { $0.last = last }
                break
            } catch {
                logger.warning("feed: reading the log's end failed; retrying", metadata: ["feed": "\(feed)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        markReady()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [wake, settings] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: settings.pollInterval)
                    wake.yield()
                }
            }
            group.addTask { [settings] in
                while !Task.isCancelled {
                    await self.shareViewers()
                    try? await Task.sleep(for: settings.viewersInterval)
                }
            }
            for await _ in wakes {
                await readNew()
                // Commits that land meanwhile are read together: under a stream of gifts a
                // viewer gets a burst every `readGap` rather than one per commit, which bounds
                // the writes and flushes per connection (a poke while sleeping is kept).
                if settings.readGap > .zero { try? await Task.sleep(for: settings.readGap) }
            }
            group.cancelAll()
        }
        await clearViewers()
    }

    private func readNew() async {
        let encoder = APIJSON.encoder()
        while !Task.isCancelled {
            guard let after = state.withLockedValue({ $0.last }) else { return }
            do {
                let events = try await FeedLog.read(feed: feed, after: after, limit: settings.readBatch, on: db.lookup)
                guard !events.isEmpty else { return }
                let frames = try events.map { try FeedFrame($0, encoder: encoder) }
                deliver(frames, last: events.last!.seq)
                if events.count < settings.readBatch { return }
                await Task.yield()
            } catch {
                logger.warning("feed: reading new events failed", metadata: ["feed": "\(feed)", "error": "\(error)"])
                return
            }
        }
    }

    /// Offers frames to every viewer under the lock that `add` takes, so that a viewer joining
    /// at `last` gets exactly the frames after it.
    private func deliver(_ frames: [FeedFrame], last: Int64?) {
        let burst = FeedBurst(frames)
        let (overflowed, pushesByLoop) = state.withLockedValue { state -> (Int, [ObjectIdentifier: [FeedSubscriber.Push]]) in
            if let last { state.last = last }
            var dropped = 0
            var pushesByLoop: [ObjectIdentifier: [FeedSubscriber.Push]] = [:]
            for (id, subscriber) in state.subscribers {
                let offered = subscriber.offer(burst)
                if !offered.open {
                    state.subscribers[id] = nil
                    dropped += 1
                }
                if let push = offered.push { pushesByLoop[ObjectIdentifier(push.loop), default: []].append(push) }
            }
            return (dropped, pushesByLoop)
        }
        if overflowed > 0 { FeedMetrics.resyncs.increment(by: overflowed) }
        for pushes in pushesByLoop.values {
            pushes[0].loop.execute { for push in pushes { push.drain() } }
        }
    }

    /// Writes this node's count, reads every node's, and tells viewers when the sum changed.
    private func shareViewers() async {
        let local = Int64(viewerCount)
        do {
            let now = Date()
            try await db.sql.insert(into: "feed_viewers").columns("feed_id", "node_id", "viewers", "updated_at")
                .values(SQLBind(feed), SQLBind(nodeID), SQLBind(local), SQLBind(now))
                .onConflict(with: ["feed_id", "node_id"]) { $0.set(excludedValueOf: "viewers").set(excludedValueOf: "updated_at") }
                .run()
            let total = try await Self.viewers(feed: feed, db: db, now: now, interval: settings.viewersInterval)
            let changed = state.withLockedValue { state -> Bool in
                defer { state.lastViewers = total }
                return state.lastViewers != total
            }
            if changed {
                deliver([try FeedFrame(ephemeral: .viewers, data: ["viewers": .number(total)], encoder: APIJSON.encoder())], last: nil)
            }
        } catch {
            logger.debug("feed: sharing the viewer count failed", metadata: ["feed": "\(feed)", "error": "\(error)"])
        }
    }

    /// Every node's viewers of a feed: the sum of the counts written recently (a node that
    /// died stops counting after a few intervals).
    static func viewers(feed: UUID, db: AppDatabase, now: Date, interval: Duration) async throws -> Int64 {
        struct Row: Decodable { let n: Int64? }
        return try await db.reader.select().column(sqlSum("viewers"), as: "n").from("feed_viewers")
            .where("feed_id", .equal, SQLBind(feed))
            .where("updated_at", .greaterThan, SQLBind(now.addingTimeInterval(-3 * Double(interval.components.seconds + 1))))
            .first(decoding: Row.self)?.n ?? 0
    }

    private func clearViewers() async {
        try? await db.sql.delete(from: "feed_viewers").where("feed_id", .equal, SQLBind(feed)).where("node_id", .equal, SQLBind(nodeID)).run()
    }
}
