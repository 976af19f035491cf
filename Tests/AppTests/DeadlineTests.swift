@testable import App
import Foundation
import Testing

/// `Deadline.run` with the process's one `DeadlineWatch`.
@Suite("Deadlines", .timeLimit(.minutes(1)))
struct DeadlineTests {
    struct Refusal: Error {}

    @Test("work that answers in time gives its answer or its error, and leaves nothing watched")
    func inTime() async throws {
        let watch = DeadlineWatch(tick: .milliseconds(100))
        let answers = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<200 { group.addTask { try await Deadline.run(after: .seconds(30), watch: watch) { n * 2 } } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(answers.sorted() == (0..<200).map { $0 * 2 })
        await #expect(throws: Refusal.self) { try await Deadline.run(after: .seconds(30), watch: watch) { () async throws -> Int in throw Refusal() } }
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

    @Test("the sandbox's webhook ticker starts with the first waiting event, hands each over once when due, and stops when none waits")
    func dueEvents() throws {
        let due = DueEvents()
        let now = ContinuousClock.now
        let event = { (id: String) in SandboxEvents.Event(id: id, type: "t", payload: Data(), delay: 0) }
        #expect(due.add([(now + .seconds(1), event("late")), (now, event("first"))]))
        #expect(!due.add([(now, event("first-copy"))]), "a ticker runs already")
        var taken = due.takeDue(at: now)
        #expect(taken.ready.map(\.id) == ["first", "first-copy"])
        #expect(taken.more)
        taken = due.takeDue(at: now + .seconds(1))
        #expect(taken.ready.map(\.id) == ["late"])
        #expect(!taken.more)
        #expect(due.takeDue(at: now + .seconds(5)).ready.isEmpty)
        #expect(due.add([(now, event("again"))]), "the stopped ticker is started again")
        due.abandon()
        #expect(due.takeDue(at: now + .seconds(5)).ready.isEmpty)
        #expect(due.add([(now, event("after-shutdown"))]))
    }

    @Test("the ticker hands over every event exactly once, none before its time, earliest first, however they were added")
    func dueEventsInAnyOrder() throws {
        let due = DueEvents()
        let start = ContinuousClock.now
        var generator = SystemRandomNumberGenerator()
        var added: [(at: ContinuousClock.Instant, id: String)] = []
        for batch in 0..<20 {
            let events = (0..<Int.random(in: 0...30, using: &generator)).map { index in
                (at: start + .milliseconds(Int.random(in: 0...1000, using: &generator)), id: "\(batch)-\(index)")
            }
            added += events
            _ = due.add(events.map { ($0.at, SandboxEvents.Event(id: $0.id, type: "t", payload: Data(), delay: 0)) })
        }
        var taken: [String] = []
        for step in stride(from: 0, through: 1000, by: 37) + [1000] {
            let now = start + .milliseconds(step)
            let ready = due.takeDue(at: now).ready.map(\.id)
            let times = ready.map { id in added.first { $0.id == id }!.at }
            #expect(times.allSatisfy { $0 <= now }, "an event was handed over before its time")
            #expect(times == times.sorted(), "not earliest first")
            taken += ready
        }
        #expect(taken.sorted() == added.map(\.id).sorted(), "each event exactly once")
    }
}
