import Metrics
import Synchronization

/// An in-process cache with a bound on its size, an optional time-to-live and generations, that
/// counts its hits and misses as metrics (`gomart_cache_lookups_total{cache, outcome}`) and its
/// size (`gomart_cache_entries{cache}`, `gomart_cache_cost{cache}`).
///
/// - Size: at most `capacity` entries and `costLimit` in total cost (bytes, say); when a new entry
///   would pass either, the least recently used go, a fiftieth of the capacity at a time (or more,
///   until the cost fits); an expired entry is never served and goes in its turn.
/// - Generations: every entry belongs to the generation it was stored in. A store made for an
///   older generation than the cache's is ignored (it was read before a change); one made for a
///   newer generation empties the cache first. ``removeAll()`` moves to the next generation.
public final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var cost: Int
        var expiresAt: ContinuousClock.Instant?
        var lastUsed: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var cost = 0
        var generation: UInt64 = 0
        var tick: UInt64 = 0
        var hits: UInt64 = 0
        var misses: UInt64 = 0
        /// Each store and hit as (tick, key), oldest first from `head`: the least recently used
        /// entry is the first whose tick is still its `lastUsed` (later uses left the earlier
        /// records stale).
        var uses: [(tick: UInt64, key: Key)] = []
        var head = 0

        /// Records a use of `key` at `tick`. When stale or passed records outnumber the entries
        /// four to one (hits alone add records), the record is rebuilt from the entries, one
        /// each, oldest use first: the only sort left, about once every four times the entries'
        /// number of uses.
        mutating func used(_ key: Key) {
            uses.append((tick, key))
            if uses.count - head > 4 * entries.count + 64 || head > 4 * entries.count + 64 {
                uses = entries.map { (tick: $0.value.lastUsed, key: $0.key) }.sorted { $0.tick < $1.tick }
                head = 0
            }
        }
    }

    /// The cache's name in metrics and logs.
    public let name: String
    /// The most entries held.
    public let capacity: Int
    /// The most total cost held.
    public let costLimit: Int
    /// How long an entry may be served; nil: until evicted or replaced.
    public let timeToLive: Duration?
    private let cost: @Sendable (Value) -> Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())
    private let hitCounter: Counter
    private let missCounter: Counter
    private let entriesGauge: Gauge
    private let costGauge: Gauge

    /// Creates a cache. `cost` weighs an entry against `costLimit` (one per entry by default);
    /// `now` is for tests.
    public init(
        name: String, capacity: Int, costLimit: Int = .max, timeToLive: Duration? = nil,
        cost: @escaping @Sendable (Value) -> Int = { _ in 1 },
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.name = name
        self.capacity = max(capacity, 1)
        self.costLimit = max(costLimit, 1)
        self.timeToLive = timeToLive
        self.cost = cost
        self.now = now
        hitCounter = Counter(label: "gomart_cache_lookups_total", dimensions: [("cache", name), ("outcome", "hit")])
        missCounter = Counter(label: "gomart_cache_lookups_total", dimensions: [("cache", name), ("outcome", "miss")])
        entriesGauge = Gauge(label: "gomart_cache_entries", dimensions: [("cache", name)])
        costGauge = Gauge(label: "gomart_cache_cost", dimensions: [("cache", name)])
    }

    /// The value stored under `key`, if it is there, of `generation` (when given) and not expired.
    public func value(for key: Key, generation: UInt64? = nil) -> Value? {
        let instant = timeToLive == nil ? nil : now()
        let found = state.withLock { state -> Value? in
            state.tick += 1
            guard generation == nil || generation == state.generation, var entry = state.entries[key] else {
                state.misses += 1
                return nil
            }
            if let expiresAt = entry.expiresAt, let instant, expiresAt <= instant {
                state.misses += 1
                return nil
            }
            entry.lastUsed = state.tick
            state.entries[key] = entry
            state.used(key)
            state.hits += 1
            return entry.value
        }
        (found == nil ? missCounter : hitCounter).increment()
        return found
    }

    /// Stores `value` under `key` for `generation` (the cache's current one when nil). A value
    /// costing more than an eighth of the cost limit is not kept.
    public func store(_ value: Value, for key: Key, generation: UInt64? = nil) {
        let weight = cost(value)
        guard weight <= costLimit / 8 || costLimit == .max else { return }
        let instant = now()
        let expiresAt = timeToLive.map { instant.advanced(by: $0) }
        // What leaves the cache is handed out of the lock and freed after it: freeing hundreds of
        // entries held the lock for milliseconds, which every lookup then waited on.
        let (size, dropped) = state.withLock { state -> ((entries: Int, cost: Int)?, [Key: Entry]) in
            var dropped: [Key: Entry] = [:]
            if let generation, generation != state.generation {
                guard generation > state.generation else { return (nil, [:]) }
                swap(&dropped, &state.entries)
                state.uses = []
                state.head = 0
                state.cost = 0
                state.generation = generation
            }
            if let old = state.entries.removeValue(forKey: key) { state.cost -= old.cost }
            if state.entries.count >= capacity || state.cost + weight > costLimit {
                evict(&state, making: weight, into: &dropped)
            }
            state.tick += 1
            state.entries[key] = Entry(value: value, cost: weight, expiresAt: expiresAt, lastUsed: state.tick)
            state.used(key)
            state.cost += weight
            return ((state.entries.count, state.cost), dropped)
        }
        if let size {
            entriesGauge.record(size.entries)
            costGauge.record(size.cost)
        }
    }

    /// The value under `key`, or `load`'s, stored for the generation that was current before
    /// loading (so a load that raced a ``removeAll()`` is not kept).
    public func value(for key: Key, load: () async throws -> Value) async throws -> Value {
        let generation = self.generation
        if let cached = value(for: key, generation: generation) { return cached }
        let loaded = try await load()
        store(loaded, for: key, generation: generation)
        return loaded
    }

    /// Drops every entry and moves to the next generation.
    public func removeAll() {
        // Freed after the lock is let go.
        let dropped = state.withLock { state in
            let dropped = state.entries
            state.entries = [:]
            state.uses = []
            state.head = 0
            state.cost = 0
            state.generation += 1
            return dropped
        }
        _ = consume dropped
        entriesGauge.record(0)
        costGauge.record(0)
    }

    /// Drops the entries under `keys` and moves to the next generation, keeping the rest: a load
    /// that started before this does not store what it read.
    public func remove(_ keys: some Sequence<Key>) {
        removeEntries { state in
            for key in keys {
                if let old = state.entries.removeValue(forKey: key) { state.cost -= old.cost }
            }
        }
    }

    /// Drops the entries `predicate` picks and moves to the next generation, keeping the rest.
    public func remove(where predicate: (Key, Value) -> Bool) {
        removeEntries { state in
            for (key, entry) in state.entries where predicate(key, entry.value) {
                state.entries[key] = nil
                state.cost -= entry.cost
            }
        }
    }

    private func removeEntries(_ body: (inout State) -> Void) {
        let size = state.withLock { state -> (entries: Int, cost: Int) in
            body(&state)
            state.generation += 1
            return (state.entries.count, state.cost)
        }
        entriesGauge.record(size.entries)
        costGauge.record(size.cost)
    }

    /// The generation entries are stored in now.
    public var generation: UInt64 {
        state.withLock { $0.generation }
    }

    /// The records of use kept (for tests: hits alone must not grow them without bound).
    var recordedUses: Int { state.withLock { $0.uses.count - $0.head } }

    /// Entries and total cost held, and the hits and misses so far.
    public var statistics: (entries: Int, cost: Int, hits: UInt64, misses: UInt64) {
        state.withLock { ($0.entries.count, $0.cost, $0.hits, $0.misses) }
    }

    /// Drops the least recently used entries until there is room for a fiftieth of the capacity
    /// and a quarter of the cost limit beyond one more entry of `weight`, so that eviction is
    /// occasional work rather than work on every store. Each drop is a step along ``State/uses``,
    /// not a sort of every entry (sorting 2,000 entries on every eviction stalled requests for
    /// milliseconds).
    private func evict(_ state: inout State, making weight: Int, into dropped: inout [Key: Entry]) {
        let countTarget = capacity - max(1, capacity / 50)
        let costTarget = costLimit - costLimit / 4
        while state.entries.count + 1 > countTarget || state.cost + weight > costTarget, state.head < state.uses.count {
            let (tick, key) = state.uses[state.head]
            state.head += 1
            guard let entry = state.entries[key], entry.lastUsed == tick else { continue }
            state.entries[key] = nil
            state.cost -= entry.cost
            dropped[key] = entry
        }
    }
}
