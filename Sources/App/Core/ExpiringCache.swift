import Foundation
import NIOConcurrencyHelpers

/// A small per-node cache whose entries live `ttl` seconds: for lookups that every request on
/// the hot path repeats (a token's account, a fundraiser and its nonprofit, the donations
/// recorded lately). Bounded: when full, it starts afresh rather than grow.
///
/// A lock, not an actor: every request and every webhook visits it, and on two busy cores a
/// visit to a busy actor meant a suspension and a hop between threads for a dictionary lookup.
/// Loading a missing value runs outside the lock; two callers that miss at the same moment
/// may both load it, and the later one's value is kept.
final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entries {
        var values: [Key: (value: Value, expires: Date)] = [:]
    }

    private let entries = NIOLockedValueBox(Entries())
    private let ttl: TimeInterval
    private let capacity: Int

    init(ttl: TimeInterval, capacity: Int = 50_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    func value(for key: Key, now: Date = Date(), load: @Sendable () async throws -> Value?) async rethrows -> Value? {
        if let value = cached(key, now: now) { return value }
        guard let value = try await load() else {
            entries.withLockedValue { $0.values[key] = nil }
            return nil
        }
        set(key, value, now: now)
        return value
    }

    private func cached(_ key: Key, now: Date) -> Value? {
        entries.withLockedValue { entries in
            guard let entry = entries.values[key], entry.expires > now else { return nil }
            return entry.value
        }
    }

    func set(_ key: Key, _ value: Value, now: Date = Date()) {
        set([key], value, now: now)
    }

    /// Several keys at once: one taking of the lock.
    func set(_ keys: some Sequence<Key>, _ value: Value, now: Date = Date()) {
        let expires = now.addingTimeInterval(ttl)
        entries.withLockedValue { entries in
            for key in keys {
                if entries.values.count >= capacity { entries.values.removeAll(keepingCapacity: true) }
                entries.values[key] = (value, expires)
            }
        }
    }

    func contains(_ key: Key, now: Date = Date()) -> Bool {
        cached(key, now: now) != nil
    }

    func remove(_ key: Key) {
        entries.withLockedValue { $0.values[key] = nil }
    }

    func removeAll(where predicate: (Value) -> Bool) {
        entries.withLockedValue { entries in entries.values = entries.values.filter { !predicate($0.value.value) } }
    }
}
