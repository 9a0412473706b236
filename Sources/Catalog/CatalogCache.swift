import Caching
import Foundation
import GoMartModels
import Synchronization

/// A bounded, in-process, read-through cache for catalogue reads, with a time-to-live
/// (a ``Caching/BoundedCache`` named `catalogue`).
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
        case suggestions(String)
    }

    private struct VersionCheck {
        var knownVersion: Int64?
        var lastCheck: ContinuousClock.Instant?
        var checking = false
    }

    /// How long an entry may be served before it is reloaded.
    public let timeToLive: Duration
    /// The most entries held at once.
    public var capacity: Int { entries.capacity }
    private let entries: BoundedCache<Key, any Sendable>
    private let versionCheck = Mutex(VersionCheck())
    private let now: @Sendable () -> ContinuousClock.Instant

    /// Creates a cache; a zero `timeToLive` disables caching. `now` is for tests.
    public init(timeToLive: Duration = .seconds(300), capacity: Int = 2_000,
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.timeToLive = timeToLive
        self.now = now
        entries = BoundedCache(name: "catalogue", capacity: capacity, timeToLive: timeToLive, now: now)
    }

    /// Returns the cached value for `key`, or loads, stores and returns it. A load that started
    /// before an invalidation does not store its (possibly stale) result.
    public func value<Value: Sendable>(for key: Key, load: () async throws -> Value) async throws -> Value {
        guard timeToLive > .zero else { return try await load() }
        let generation = entries.generation
        // Unwrapped before the cast: a miss (nil) would otherwise pass as a cached nil when
        // Value is itself optional.
        if let found = entries.value(for: key, generation: generation), let cached = found as? Value { return cached }
        let value = try await load()
        entries.store(value, for: key, generation: generation)
        return value
    }

    /// Empties the cache if the database's catalogue version moved since the last look, looking
    /// at most once per `interval` (and by one caller at a time). This is how a write on one
    /// instance reaches the caches of all the others within about a second.
    public func synchronise(interval: Duration = .seconds(1), version: () async throws -> Int64) async throws {
        let instant = now()
        let due = versionCheck.withLock { check -> Bool in
            guard !check.checking else { return false }
            if let last = check.lastCheck, instant - last < interval { return false }
            check.checking = true
            return true
        }
        guard due else { return }
        let current: Int64
        do {
            current = try await version()
        } catch {
            versionCheck.withLock { $0.checking = false }
            throw error
        }
        let moved = versionCheck.withLock { check -> Bool in
            defer { (check.knownVersion, check.lastCheck, check.checking) = (current, instant, false) }
            return check.knownVersion.map { $0 != current } ?? false
        }
        if moved { entries.removeAll() }
    }

    /// Drops every entry; called after any catalogue write.
    public func invalidate() {
        entries.removeAll()
    }

    /// Moves on every time the cache is emptied.
    public var generation: UInt64 {
        entries.generation
    }

    /// How many entries are held, and the hit and miss counts so far.
    public var statistics: (entries: Int, hits: UInt64, misses: UInt64) {
        let statistics = entries.statistics
        return (statistics.entries, statistics.hits, statistics.misses)
    }
}
