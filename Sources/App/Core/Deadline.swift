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
    static func run<T: Sendable>(after limit: Duration, on executor: (any TaskExecutor)? = nil, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let once = Once<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                once.set(continuation)
                let task = Task(executorPreference: executor) {
                    do { once.finish(.success(try await work())) } catch { once.finish(.failure(error)) }
                }
                once.onTimeout = task
                Task {
                    try? await Task.sleep(for: limit)
                    if once.finish(.failure(Exceeded(after: limit))) { task.cancel() }
                }
            }
        } onCancel: {
            once.cancel()
        }
    }

    /// Resumes the continuation once, whichever of the work and the timer comes first.
    private final class Once<T: Sendable>: Sendable {
        private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, finished: Bool, task: Task<Void, Never>?)>((nil, false, nil))

        func set(_ continuation: CheckedContinuation<T, any Error>) {
            state.withLock { $0.continuation = continuation }
        }

        var onTimeout: Task<Void, Never>? {
            get { state.withLock { $0.task } }
            set { state.withLock { $0.task = newValue } }
        }

        @discardableResult
        func finish(_ result: Result<T, any Error>) -> Bool {
            let continuation: CheckedContinuation<T, any Error>? = state.withLock { state in
                guard !state.finished, let continuation = state.continuation else { return nil }
                state.finished = true
                state.continuation = nil
                return continuation
            }
            continuation?.resume(with: result)
            return continuation != nil
        }

        func cancel() {
            onTimeout?.cancel()
        }
    }
}
