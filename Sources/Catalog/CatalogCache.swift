import Foundation
import GoMartModels
import Synchronization

/// A bounded, in-process, read-through cache for catalogue reads, with a time-to-live.
///
/// Every catalogue write calls ``invalidate()``, which empties the cache and bumps a generation
/// number; a load that started before the invalidation does not store its (possibly stale) result.
public final class CatalogCache: Sendable {
    /// What can be cached.
    public enum Key: Hashable, Sendable {
        case aisles
        case featured(limit: Int)
        case brands(aisle: String)
        case products(ProductQuery)
        case productBySlug(String)
        case productByID(ProductID)
        case productsByIDs([ProductID])
    }

    private struct Entry {
        var value: any Sendable
        var expiresAt: ContinuousClock.Instant
        var lastUsed: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var knownVersion: Int64?
        var lastVersionCheck: ContinuousClock.Instant?
        var checkingVersion = false
        var generation: UInt64 = 0
        var tick: UInt64 = 0
        var hits: UInt64 = 0
        var misses: UInt64 = 0
    }

    /// How long an entry may be served before it is reloaded.
    public let timeToLive: Duration
    /// The most entries held at once.
    public let capacity: Int
    private let state = Mutex(State())
    private let clock = ContinuousClock()

    /// Creates a cache; a zero `timeToLive` disables caching.
    public init(timeToLive: Duration = .seconds(300), capacity: Int = 2_000) {
        self.timeToLive = timeToLive
        self.capacity = max(capacity, 1)
    }

    /// Returns the cached value for `key`, or loads, stores and returns it.
    public func value<Value: Sendable>(for key: Key, load: () async throws -> Value) async throws -> Value {
        let now = clock.now
        let lookup: (Value?, UInt64) = state.withLock { state in
            state.tick += 1
            if var entry = state.entries[key], entry.expiresAt > now, let value = entry.value as? Value {
                entry.lastUsed = state.tick
                state.entries[key] = entry
                state.hits += 1
                return (value, state.generation)
            }
            state.misses += 1
            return (nil, state.generation)
        }
        if let cached = lookup.0 { return cached }
        let value = try await load()
        guard timeToLive > .zero else { return value }
        let expiresAt = clock.now.advanced(by: timeToLive)
        state.withLock { state in
            guard state.generation == lookup.1 else { return }
            if state.entries.count >= capacity && state.entries[key] == nil {
                evict(&state, now: now)
            }
            state.tick += 1
            state.entries[key] = Entry(value: value, expiresAt: expiresAt, lastUsed: state.tick)
        }
        return value
    }

    /// Empties the cache if the database's catalogue version moved since the last look, looking
    /// at most once per `interval` (and by one caller at a time). This is how a write on one
    /// instance reaches the caches of all the others within about a second.
    public func synchronise(interval: Duration = .seconds(1), version: () async throws -> Int64) async throws {
        let now = clock.now
        let due = state.withLock { state -> Bool in
            guard !state.checkingVersion else { return false }
            if let last = state.lastVersionCheck, now - last < interval { return false }
            state.checkingVersion = true
            return true
        }
        guard due else { return }
        let current: Int64
        do {
            current = try await version()
        } catch {
            state.withLock { $0.checkingVersion = false }
            throw error
        }
        state.withLock { state in
            if let known = state.knownVersion, known != current {
                state.entries.removeAll(keepingCapacity: true)
                state.generation += 1
            }
            state.knownVersion = current
            state.lastVersionCheck = now
            state.checkingVersion = false
        }
    }

    /// Drops every entry; called after any catalogue write.
    public func invalidate() {
        state.withLock { state in
            state.entries.removeAll(keepingCapacity: true)
            state.generation += 1
        }
    }

    /// Moves on every time the cache is emptied.
    public var generation: UInt64 {
        state.withLock { $0.generation }
    }

    /// How many entries are held, and the hit and miss counts so far.
    public var statistics: (entries: Int, hits: UInt64, misses: UInt64) {
        state.withLock { ($0.entries.count, $0.hits, $0.misses) }
    }

    /// Removes expired entries, then the least recently used tenth if still full.
    private func evict(_ state: inout State, now: ContinuousClock.Instant) {
        state.entries = state.entries.filter { $0.value.expiresAt > now }
        guard state.entries.count >= capacity else { return }
        let victims = state.entries.sorted { $0.value.lastUsed < $1.value.lastUsed }.prefix(max(1, capacity / 10))
        for victim in victims { state.entries[victim.key] = nil }
    }
}
