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
    /// The closure sits in a struct, not directly in the generic box: a function value read
    /// through `withLockedValue`'s `inout` was re-abstracted on the way out and again on the
    /// write-back, so each commit wrapped it in two more thunks. Every call went through all
    /// of them: a sixth of the server's CPU a few seconds into the feed benchmark, and in time
    /// a thread's stack would have overflowed.
    private struct Listener: Sendable { let body: @Sendable (Set<UUID>) -> Void }
    private let listener = NIOLockedValueBox<Listener?>(nil)

    public init() {}

    func listen(_ body: @escaping @Sendable (Set<UUID>) -> Void) {
        listener.withLockedValue { $0 = Listener(body: body) }
    }

    func committed(_ feeds: Set<UUID>) {
        guard !feeds.isEmpty, let listener = listener.withLockedValue({ $0 }) else { return }
        listener.body(feeds)
    }
}
