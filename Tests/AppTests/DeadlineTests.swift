@testable import App
import Testing

/// `Deadline.run` with the process's one `DeadlineWatch`.
@Suite("Deadlines")
struct DeadlineTests {
    struct Never: Error {}

    @Test("work that answers in time gives its answer or its error, and leaves nothing watched")
    func inTime() async throws {
        let watch = DeadlineWatch(tick: .milliseconds(100))
        let answers = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<200 { group.addTask { try await Deadline.run(after: .seconds(30), watch: watch) { n * 2 } } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(answers.sorted() == (0..<200).map { $0 * 2 })
        await #expect(throws: Never.self) { try await Deadline.run(after: .seconds(30), watch: watch) { () async throws -> Int in throw Never() } }
        #expect(watch.pending == 0)
    }

    @Test("work that never answers is given up after its limit and cancelled; the caller is not held")
    func exceeded() async throws {
        let started = ContinuousClock.now
        let cancelled = AsyncStream<Bool>.makeStream()
        await #expect(throws: Deadline.Exceeded.self) {
            try await Deadline.run(after: .milliseconds(300)) { () async throws -> Int in
                // Sleeps far past the limit unless cancelled.
                do { try await Task.sleep(for: .seconds(600)) } catch { cancelled.continuation.yield(true) }
                return 1
            }
        }
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        var iterator = cancelled.stream.makeAsyncIterator()
        #expect(await iterator.next() == true)
    }

    @Test("a cancelled caller cancels its work")
    func callerCancelled() async throws {
        let task = Task {
            try await Deadline.run(after: .seconds(600)) { () async throws -> Int in
                try await Task.sleep(for: .seconds(600))
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
