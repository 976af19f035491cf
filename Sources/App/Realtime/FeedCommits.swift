import Foundation
import NIOConcurrencyHelpers

/// The feeds a transaction appended to, noted by `FeedLog.append` while `AppDatabase.transaction`
/// runs, so that this node's broadcasters read them the moment the transaction commits instead
/// of at their next poll. Other nodes find them by polling.
final class FeedCommitNotes: Sendable {
    @TaskLocal static var current: FeedCommitNotes?

    private let feeds = NIOLockedValueBox<Set<UUID>>([])

    func note(_ ids: [UUID]) {
        feeds.withLockedValue { $0.formUnion(ids) }
    }

    var noted: Set<UUID> { feeds.withLockedValue { $0 } }
}

/// Who to tell after a commit that wrote feed events: the node's `FeedHub`, once it exists.
public final class FeedCommitSignal: Sendable {
    private let listener = NIOLockedValueBox<(@Sendable (Set<UUID>) -> Void)?>(nil)

    public init() {}

    func listen(_ body: @escaping @Sendable (Set<UUID>) -> Void) {
        listener.withLockedValue { $0 = body }
    }

    func committed(_ feeds: Set<UUID>) {
        guard !feeds.isEmpty, let body = listener.withLockedValue({ $0 }) else { return }
        body(feeds)
    }
}
