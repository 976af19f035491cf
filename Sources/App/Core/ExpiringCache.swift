import Foundation

/// A small per-node cache whose entries live `ttl` seconds: for lookups that every request on
/// the hot path repeats (a token's account, a fundraiser and its nonprofit). Bounded: when
/// full, it starts afresh rather than grow.
actor ExpiringCache<Key: Hashable & Sendable, Value: Sendable> {
    private var entries: [Key: (value: Value, expires: Date)] = [:]
    private let ttl: TimeInterval
    private let capacity: Int

    init(ttl: TimeInterval, capacity: Int = 50_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    func value(for key: Key, now: Date = Date(), load: @Sendable () async throws -> Value?) async rethrows -> Value? {
        if let entry = entries[key], entry.expires > now { return entry.value }
        guard let value = try await load() else {
            entries[key] = nil
            return nil
        }
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[key] = (value, now.addingTimeInterval(ttl))
        return value
    }

    func set(_ key: Key, _ value: Value, now: Date = Date()) {
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[key] = (value, now.addingTimeInterval(ttl))
    }

    /// Several keys at once: one visit to the actor.
    func set(_ keys: some Sequence<Key> & Sendable, _ value: Value, now: Date = Date()) {
        for key in keys { set(key, value, now: now) }
    }

    func contains(_ key: Key, now: Date = Date()) -> Bool {
        guard let entry = entries[key] else { return false }
        return entry.expires > now
    }

    func remove(_ key: Key) {
        entries[key] = nil
    }

    func removeAll(where predicate: (Value) -> Bool) {
        entries = entries.filter { !predicate($0.value.value) }
    }
}
