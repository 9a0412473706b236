import Caching

/// A per-process cache of rows kept exact by the ``ChangeFeed``: entries are dropped when a
/// change to their key is read from the feed, every entry when the feed cannot be followed, and
/// nothing is served while the feed is stale or the client has made a change not applied yet.
public final class FeedCache<Value: Sendable>: Sendable {
    /// A lookup's answer: the cached value, if any, and the generation to store a loaded one
    /// under (nil when nothing may be cached now).
    public struct Lookup: Sendable {
        public var value: Value?
        public var generation: UInt64?
    }

    let entries: BoundedCache<String, Value>
    let feed: ChangeFeed

    /// Creates a cache named `name` (in metrics) whose keys are those of `topic`'s changes.
    public init(name: String, topic: String, capacity: Int, timeToLive: Duration, feed: ChangeFeed) {
        let entries = BoundedCache<String, Value>(name: name, capacity: capacity, timeToLive: timeToLive)
        self.entries = entries
        self.feed = feed
        feed.subscribe(topic) { keys in
            if let keys { entries.remove(keys) } else { entries.removeAll() }
        }
    }

    /// Also drops the entries `matches` picks for each change to `topic` (a change that touches
    /// many keys, such as a customer's sessions).
    public func follow(_ topic: String, matches: @escaping @Sendable (_ changed: Set<String>, _ key: String, _ value: Value) -> Bool) {
        feed.subscribe(topic) { [entries] keys in
            guard let keys else { return entries.removeAll() }
            let changed = Set(keys)
            entries.remove { key, value in matches(changed, key, value) }
        }
    }

    /// What is cached under `key`, when the cache may be used for the client being answered.
    public func lookup(_ key: String) -> Lookup {
        guard feed.servesCachedReads else { return Lookup(value: nil, generation: nil) }
        let generation = entries.generation
        return Lookup(value: entries.value(for: key, generation: generation), generation: generation)
    }

    /// Stores `value`, loaded after ``lookup(_:)`` gave `generation`; ignored when a change was
    /// read since (the load may have read the row before it).
    public func store(_ value: Value, for key: String, generation: UInt64?) {
        guard let generation else { return }
        entries.store(value, for: key, generation: generation)
    }

    /// The cached value for `key`, or `load`'s.
    public func value(for key: String, load: () async throws -> Value) async throws -> Value {
        let found = lookup(key)
        if let value = found.value { return value }
        let loaded = try await load()
        store(loaded, for: key, generation: found.generation)
        return loaded
    }

    /// Drops `key` here at once (after this process changed it; the feed tells the others).
    public func remove(_ key: String) {
        entries.remove([key])
    }

    /// Drops the entries `predicate` picks here at once.
    public func remove(where predicate: (String, Value) -> Bool) {
        entries.remove(where: predicate)
    }
}
