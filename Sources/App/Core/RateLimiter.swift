import Foundation
import GoodcastCore
import Hummingbird

/// One node's rate limits. Several nodes each keep their own, so a limit of N per node
/// admits at most N × nodes; that is acceptable for abuse control, not for quotas.
actor RateLimiter {
    private var limiter: FixedWindowLimiter
    private let clock: AppClock

    init(limit: Int, windowSeconds: Int, clock: AppClock) {
        self.limiter = FixedWindowLimiter(limit: limit, window: TimeInterval(windowSeconds))
        self.clock = clock
    }

    /// Counts one attempt; throws 429 with `Retry-After` once the limit is reached. Returns the
    /// window it was counted in, for `refund`.
    @discardableResult
    func check(_ key: String, what: String) throws -> Date? {
        let decision = limiter.attempt(key, at: clock.now())
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
        limiter.refund(key, window: window)
    }

    func reset(_ key: String) {
        limiter.reset(key)
    }
}
