import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers

enum FeedMetrics {
    static let viewers = Gauge(label: "goodcast_feed_viewers")
    static let resyncs = Counter(label: "goodcast_feed_resyncs_total")
}

/// This node's broadcasters, one per feed that has viewers here: created by the first viewer,
/// stopped when the last one leaves.
public final class FeedHub: Sendable {
    let db: AppDatabase
    let settings: FeedBroadcaster.Settings
    /// Identifies this process in the shared viewer counts.
    let nodeID = UUID()
    private let logger: Logger
    private let broadcasters = NIOLockedValueBox<[UUID: FeedBroadcaster]>([:])
    private let closed = NIOLockedValueBox(false)
    private let connected = NIOLockedValueBox(0)

    init(db: AppDatabase, settings: FeedBroadcaster.Settings, logger: Logger) {
        self.db = db
        self.settings = settings
        self.logger = logger
        db.feedCommits.listen { [weak self] feeds in self?.poke(feeds) }
    }

    /// A viewer's place in a feed: frames after `joinedAfter` arrive in `subscriber`.
    struct Subscription: Sendable {
        let broadcaster: FeedBroadcaster
        let subscriber: FeedSubscriber
        let joinedAfter: Int64
    }

    func subscribe(feed: UUID) async throws -> Subscription {
        let subscriber = FeedSubscriber(limit: settings.maxPending)
        while true {
            if closed.withLockedValue({ $0 }) {
                throw Problem(.unavailable, detail: "this server is shutting down; reconnect with your last seq", headers: [.retryAfter: "1"])
            }
            let broadcaster = broadcasters.withLockedValue { map -> FeedBroadcaster in
                if let existing = map[feed] { return existing }
                let created = FeedBroadcaster(feed: feed, db: db, settings: settings, nodeID: nodeID, logger: logger)
                map[feed] = created
                created.start()
                return created
            }
            if let joined = await broadcaster.add(subscriber) {
                FeedMetrics.viewers.record(connected.withLockedValue { $0 += 1; return $0 })
                return Subscription(broadcaster: broadcaster, subscriber: subscriber, joinedAfter: joined)
            }
            // It stopped between the lookup and the join: forget it and make a new one.
            broadcasters.withLockedValue { map in
                if map[feed] === broadcaster { map[feed] = nil }
            }
        }
    }

    func unsubscribe(_ subscription: Subscription) {
        subscription.subscriber.close()
        FeedMetrics.viewers.record(connected.withLockedValue { $0 -= 1; return $0 })
        guard subscription.broadcaster.remove(subscription.subscriber) else { return }
        broadcasters.withLockedValue { map in
            let broadcaster = subscription.broadcaster
            if map[broadcaster.feed] === broadcaster, broadcaster.stopIfIdle() { map[broadcaster.feed] = nil }
        }
    }

    func poke(_ feeds: Set<UUID>) {
        let found = broadcasters.withLockedValue { map in feeds.compactMap { map[$0] } }
        for broadcaster in found { broadcaster.poke() }
    }

    /// Ends every stream and stops every broadcaster, before the database closes.
    func shutdown() async {
        closed.withLockedValue { $0 = true }
        let all = broadcasters.withLockedValue { map in
            defer { map = [:] }
            return Array(map.values)
        }
        for broadcaster in all { await broadcaster.stopAndWait() }
    }

    /// Viewers connected to this node, per feed (for tests and operators).
    var viewers: [UUID: Int] {
        broadcasters.withLockedValue { map in map.mapValues(\.viewerCount) }
    }
}
