@testable import App
import Synchronization
import Testing

@Suite("A viewer's subscription")
struct FeedSubscriberTests {
    /// Waits in a task of its own, so that a wait that never ends fails the test instead of hanging it.
    private func overflowWaitEnds(_ subscriber: FeedSubscriber, after action: () -> Void = {}) async throws -> Bool {
        let ended = Atomic(false)
        let started = Atomic(false)
        Task {
            started.store(true, ordering: .sequentiallyConsistent)
            await subscriber.overflowed()
            ended.store(true, ordering: .sequentiallyConsistent)
        }
        while !started.load(ordering: .sequentiallyConsistent) { try await Task.sleep(for: .milliseconds(1)) }
        action()
        for _ in 0..<300 where !ended.load(ordering: .sequentiallyConsistent) { try await Task.sleep(for: .milliseconds(100)) }
        return ended.load(ordering: .sequentiallyConsistent)
    }

    @Test("waiting for an overflow ends when the viewer is closed, also when the wait begins after the close")
    func overflowWaitAndClose() async throws {
        // The viewer's connection ended before the task that watches for an overflow got to run:
        // that task used to wait for good, holding the connection's handler and the server's shutdown.
        let closedFirst = FeedSubscriber(limit: 8)
        closedFirst.close()
        #expect(try await overflowWaitEnds(closedFirst))
        #expect(!closedFirst.isOverflowed)

        let closedLater = FeedSubscriber(limit: 8)
        #expect(try await overflowWaitEnds(closedLater) { closedLater.close() })
        #expect(!closedLater.isOverflowed)
    }
}
