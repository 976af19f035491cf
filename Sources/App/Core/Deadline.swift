import Synchronization

/// Runs work that might never finish (a query on a connection that died without telling),
/// answering `DeadlineExceeded` after a time. The work runs in a task of its own so that the
/// caller is not held by it: structured concurrency would wait for a child that never ends.
enum Deadline {
    struct Exceeded: Error, CustomStringConvertible {
        let after: Duration
        var description: String { "no answer within \(after)" }
    }

    /// `executor`: where `work` should run (its task is unstructured, so it would not inherit the caller's preference).
    static func run<T: Sendable>(after limit: Duration, on executor: (any TaskExecutor)? = nil, watch: DeadlineWatch = .shared,
                                  _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let once = Once<T>(limit: limit, watch: watch)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                once.set(continuation)
                // Watched before the work starts: work that ends at once must find its entry to remove.
                watch.watch(once, until: .now + limit)
                once.work = Task(executorPreference: executor) {
                    do { once.finish(.success(try await work())) } catch { once.finish(.failure(error)) }
                }
            }
        } onCancel: {
            once.cancel()
        }
    }

    /// Resumes the continuation once, whichever of the work and the watch comes first.
    private final class Once<T: Sendable>: Sendable, DeadlineWatch.Watched {
        private let limit: Duration
        private let watch: DeadlineWatch
        private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, finished: Bool, work: Task<Void, Never>?, cancelled: Bool)>((nil, false, nil, false))

        init(limit: Duration, watch: DeadlineWatch) {
            self.limit = limit
            self.watch = watch
        }

        func set(_ continuation: CheckedContinuation<T, any Error>) {
            state.withLock { $0.continuation = continuation }
        }

        /// The work's task; cancelled at once if the caller was cancelled, or the deadline
        /// passed, before it existed.
        var work: Task<Void, Never>? {
            get { state.withLock { $0.work } }
            set {
                let cancel = state.withLock { state in
                    state.work = newValue
                    return state.cancelled || state.finished
                }
                if cancel { newValue?.cancel() }
            }
        }

        @discardableResult
        func finish(_ result: Result<T, any Error>) -> Bool {
            let continuation: CheckedContinuation<T, any Error>? = state.withLock { state in
                guard !state.finished, let continuation = state.continuation else { return nil }
                state.finished = true
                state.continuation = nil
                return continuation
            }
            guard let continuation else { return false }
            watch.forget(self)
            continuation.resume(with: result)
            return true
        }

        func expire() {
            if finish(.failure(Exceeded(after: limit))) { work?.cancel() }
        }

        func cancel() {
            let work = state.withLock { state in
                state.cancelled = true
                return state.work
            }
            work?.cancel()
        }
    }
}

/// One watch for every deadline in the process, ticking while any is pending. A timer per
/// call (a sleeping task each) cost a dispatch timer to arm and another to disarm for every
/// donation the sandbox's webhook delivered; a deadline here fires up to a tick late.
final class DeadlineWatch: Sendable {
    protocol Watched: AnyObject, Sendable {
        func expire()
    }

    static let shared = DeadlineWatch(tick: .milliseconds(100))

    private struct Entry {
        let due: ContinuousClock.Instant
        let watched: any Watched
    }

    private let tick: Duration
    private let state = Mutex<(entries: [ObjectIdentifier: Entry], ticking: Bool)>(([:], false))

    init(tick: Duration) { self.tick = tick }

    func watch(_ watched: any Watched, until due: ContinuousClock.Instant) {
        let start = state.withLock { state in
            state.entries[ObjectIdentifier(watched)] = Entry(due: due, watched: watched)
            defer { state.ticking = true }
            return !state.ticking
        }
        if start { Task.detached { await self.run() } }
    }

    func forget(_ watched: any Watched) {
        _ = state.withLock { $0.entries.removeValue(forKey: ObjectIdentifier(watched)) }
    }

    /// How many deadlines are pending.
    var pending: Int { state.withLock { $0.entries.count } }

    private func run() async {
        while true {
            // Not cancellable: nobody holds this task, and it ends once nothing is pending.
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            let (expired, more) = state.withLock { state in
                let expired = state.entries.filter { $0.value.due <= now }
                for key in expired.keys { state.entries.removeValue(forKey: key) }
                state.ticking = !state.entries.isEmpty
                return (expired.values.map(\.watched), state.ticking)
            }
            for watched in expired { watched.expire() }
            if !more { return }
        }
    }
}
