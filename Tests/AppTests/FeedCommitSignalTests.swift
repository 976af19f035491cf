@testable import App
import Foundation
import NIOConcurrencyHelpers
import Testing

@Suite("Telling the feeds about a commit")
struct FeedCommitSignalTests {
    @Test("the listener is reached through the same depth of calls at the thousandth commit as at the first")
    func listenerDoesNotGrowWithCommits() {
        // Until 2026-11-26 the stored closure was wrapped in two more thunks at each commit, so
        // the stack under the listener grew by two frames per call.
        let signal = FeedCommitSignal()
        let depths = NIOLockedValueBox<[Int]>([])
        signal.listen { _ in depths.withLockedValue { $0.append(Thread.callStackReturnAddresses.count) } }
        let feeds: Set<UUID> = [UUID()]
        for _ in 0..<1000 { signal.committed(feeds) }
        let seen = depths.withLockedValue { $0 }
        #expect(seen.count == 1000)
        #expect(seen.first == seen.last, "stack depth at the first call \(seen.first ?? -1), at the last \(seen.last ?? -1)")
        signal.committed([])
        #expect(depths.withLockedValue { $0.count } == 1000, "a commit that wrote no feed event tells no one")
    }
}
