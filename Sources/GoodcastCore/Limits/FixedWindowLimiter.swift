import Foundation

/// Counts attempts per key in fixed windows; the maths of a rate limit, without the clock or the lock.
/// The server wraps it in an actor and passes the time in.
public struct FixedWindowLimiter: Sendable {
    public struct Decision: Equatable, Sendable {
        public let allowed: Bool
        /// Whole seconds until the window resets, for `Retry-After`.
        public let retryAfterSeconds: Int
        /// The window the attempt was counted in, to refund it to that window only.
        public var window: Date? = nil
    }

    public let limit: Int
    public let window: TimeInterval
    private var windows: [String: (start: Date, count: Int)] = [:]
    private let maxKeys: Int

    public init(limit: Int, window: TimeInterval, maxKeys: Int = 100_000) {
        precondition(limit > 0 && window > 0)
        self.limit = limit
        self.window = window
        self.maxKeys = maxKeys
    }

    /// Records one attempt and says whether it may go ahead.
    public mutating func attempt(_ key: String, at now: Date) -> Decision {
        if windows.count >= maxKeys { evictExpired(now: now) }
        var entry = windows[key] ?? (start: now, count: 0)
        if now.timeIntervalSince(entry.start) >= window || now < entry.start {
            entry = (start: now, count: 0)
        }
        let retry = max(1, Int((entry.start.addingTimeInterval(window).timeIntervalSince(now)).rounded(.up)))
        if entry.count >= limit {
            windows[key] = entry
            return Decision(allowed: false, retryAfterSeconds: retry)
        }
        entry.count += 1
        windows[key] = entry
        return Decision(allowed: true, retryAfterSeconds: 0, window: entry.start)
    }

    /// Takes back an attempt that turned out not to count, if the window it was counted in
    /// (`Decision.window`) is still the current one; an earlier window's attempt is gone with it.
    public mutating func refund(_ key: String, window counted: Date) {
        guard var entry = windows[key], entry.start == counted, entry.count > 0 else { return }
        entry.count -= 1
        windows[key] = entry
    }

    /// Forgets a key, as after a successful sign-in.
    public mutating func reset(_ key: String) {
        windows[key] = nil
    }

    private mutating func evictExpired(now: Date) {
        windows = windows.filter { now.timeIntervalSince($0.value.start) < window }
        // Still full of live keys: drop the oldest half rather than grow without bound.
        if windows.count >= maxKeys {
            let keep = windows.sorted { $0.value.start > $1.value.start }.prefix(maxKeys / 2)
            windows = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }
}
