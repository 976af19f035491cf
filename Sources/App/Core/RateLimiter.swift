import Foundation
import GoodcastCore
import Hummingbird
import Synchronization

/// One node's rate limits. Several nodes each keep their own, so a limit of N per node
/// admits at most N × nodes; that is acceptable for abuse control, not for quotas.
/// A lock, not an actor: every gift asks, and the answer is a few lines of arithmetic, where an
/// actor cost each gift two hops between executors.
final class RateLimiter: Sendable {
    private let limiter: Mutex<FixedWindowLimiter>
    private let clock: AppClock

    init(limit: Int, windowSeconds: Int, clock: AppClock) {
        self.limiter = Mutex(FixedWindowLimiter(limit: limit, window: TimeInterval(windowSeconds)))
        self.clock = clock
    }

    /// Counts one attempt; throws 429 with `Retry-After` once the limit is reached. Returns the
    /// window it was counted in, for `refund`.
    @discardableResult
    func check(_ key: String, what: String) throws -> Date? {
        // The time is read under the lock: a time older than its window's start would begin the
        // window again, losing the counts another caller made in it meanwhile.
        let decision = limiter.withLock { $0.attempt(key, at: clock.now()) }
        if !decision.allowed {
            throw Problem(
                .rateLimited,
                detail: "too many \(what); try again in \(decision.retryAfterSeconds) seconds",
                headers: [.retryAfter: String(decision.retryAfterSeconds)]
            )
        }
        return decision.window
    }

    /// Takes back an attempt that turned out not to count (a retry), from the window `check` counted it in.
    func refund(_ key: String, window: Date?) {
        guard let window else { return }
        limiter.withLock { $0.refund(key, window: window) }
    }

    func reset(_ key: String) {
        limiter.withLock { $0.reset(key) }
    }
}
