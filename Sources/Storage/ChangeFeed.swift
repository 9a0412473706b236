import Foundation
import Logging
import SQLKit
import ServiceLifecycle
import Synchronization

/// The changes that per-process caches must hear about, in a table every instance reads.
///
/// A module that caches rows in memory (cart counts, sessions) records a change with
/// ``record(_:key:in:)`` in the same transaction that makes it, so the change and its notice
/// commit together. Every process polls the feed (``poll()``, every 250 ms from
/// ``ChangeFeedService``) and hands the keys to the subscribers of their topic, which drop those
/// entries. A change made on one instance reaches the caches of all the others within a poll.
///
/// Its own changes a client must see at once, whichever instance it asks next. A page response
/// after a change carries the feed id of the change (``Visit/written``, sent back by the browser
/// in a cookie as ``Visit/seen``), and a process serves cached entries to that client only once
/// it has applied every change up to that id (``servesCachedReads``).
///
/// Ids come from the database in the order transactions *start* inserting, not the order they
/// commit: on PostgreSQL id 7 may commit after id 8. An id below the highest seen that has not
/// appeared yet is a gap; gaps are asked for again on every poll (a gap is usually a transaction
/// still committing, or one rolled back). The watermark, up to which everything has been
/// applied, stops below the oldest gap younger than ``gapPatience``.
public final class ChangeFeed: Sendable {
    /// What one request's client has seen and written, bound by the web layer around a request
    /// (``current``).
    public final class Visit: Sendable {
        /// The newest change this client made, from its cookie; nil if none lately.
        public let seen: Int64?
        private let newest = Mutex<Int64?>(nil)

        /// Creates a visit for a client whose last change had id `seen`.
        public init(seen: Int64?) { self.seen = seen }

        /// The newest change made while answering this request, for the cookie.
        public var written: Int64? { newest.withLock { $0 } }

        func noteWritten(_ id: Int64) {
            newest.withLock { $0 = max($0 ?? id, id) }
        }
    }

    /// The visit being answered, if the web layer bound one.
    @TaskLocal public static var current: Visit?

    /// The feed's table, owned by the storage module.
    public static let migrations: [Migration] = [
        Migration(id: "0041_storage_change_feed") { sql, _ in
            try await sql.create(table: "change_feed")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("topic", type: .text, .notNull)
                .column("key", type: .text, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
            try await sql.create(index: "change_feed_created_idx").on("change_feed").column("created_at").run()
        },
    ]

    /// How often every process reads the feed.
    public static let pollInterval = Duration.milliseconds(250)
    /// How long a gap holds the watermark back before it is taken for a rolled-back transaction
    /// (it is still asked for until ``retention``).
    public static let gapPatience = Duration.seconds(5)
    /// How long notices stay in the table.
    public static let retention: Int64 = 600
    /// How stale the last successful poll may be before caches stop serving (a database that
    /// cannot be read must not leave them serving forever).
    public static let staleAfter = Duration.seconds(2)
    /// The most gaps tracked; beyond it every cache is emptied and the oldest are forgotten.
    static let gapLimit = 512
    /// The most notices read in one poll; more wait for the next.
    static let pageSize = 2_000

    private struct State {
        var applied: Int64?
        var gaps: [Int64: ContinuousClock.Instant] = [:]
        var lastSuccess: ContinuousClock.Instant?
        var subscribers: [String: [@Sendable ([String]?) -> Void]] = [:]
    }

    let database: Database
    private let state = Mutex(State())
    private let now: @Sendable () -> ContinuousClock.Instant

    /// Creates the feed reader over `database`; `now` is for tests.
    public init(database: Database, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.database = database
        self.now = now
    }

    /// Calls `handler` with the keys of every change to `topic` read from the feed, or with nil
    /// when everything must be dropped (the feed could not be followed exactly).
    public func subscribe(_ topic: String, _ handler: @escaping @Sendable (_ keys: [String]?) -> Void) {
        state.withLock { $0.subscribers[topic, default: []].append(handler) }
    }

    /// Records a change of `key` under `topic` inside the caller's transaction `sql`; returns its id.
    /// Call it last in the transaction, so the id is held uncommitted as briefly as possible.
    @discardableResult
    public static func record(_ topic: String, key: String, in sql: any SQLDatabase) async throws -> Int64 {
        try await record(topic, keys: [key], in: sql)
    }

    /// Records changes of several keys under `topic`; returns the last id. Notices are dated by
    /// the wall clock (whatever time the change itself is about): the date only decides the purge.
    @discardableResult
    public static func record(_ topic: String, keys: [String], in sql: any SQLDatabase) async throws -> Int64 {
        let now = Int64(Date().timeIntervalSince1970)
        var last: Int64 = 0
        for key in keys {
            // Written as one string: it runs inside every cart change.
            last = try await sql.raw("""
                INSERT INTO change_feed (topic, key, created_at) VALUES (\(bind: topic), \(bind: key), \(bind: now)) RETURNING id
                """).first()?.decode(column: "id", as: Int64.self) ?? last
        }
        return last
    }

    /// Notes, for the client being answered, that its change `id` has committed (call it after
    /// the transaction, in the request's task).
    public static func committed(_ id: Int64) {
        current?.noteWritten(id)
    }

    /// True when cached entries may be served to the client being answered: the feed has been
    /// read lately and every change up to the client's own last one has been applied.
    public var servesCachedReads: Bool {
        let seen = Self.current?.seen
        let instant = now()
        return state.withLock { state in
            guard let last = state.lastSuccess, instant - last <= Self.staleAfter, let watermark = Self.watermark(state, now: instant) else {
                return false
            }
            return seen.map { $0 <= watermark } ?? true
        }
    }

    /// Every id up to this one has been applied.
    public var watermark: Int64? {
        let instant = now()
        return state.withLock { Self.watermark($0, now: instant) }
    }

    private static func watermark(_ state: State, now instant: ContinuousClock.Instant) -> Int64? {
        guard let applied = state.applied else { return nil }
        // Runs on every cached read: a loop, not a filtered copy of the gaps.
        var blocking: Int64?
        for (id, since) in state.gaps where instant - since < gapPatience { blocking = min(blocking ?? id, id) }
        return blocking.map { $0 - 1 } ?? applied
    }

    /// Reads the notices this process has not seen yet and hands them to the subscribers. The
    /// first poll only learns where the feed stands (the caches start empty).
    public func poll() async throws {
        let (applied, gaps, lastSuccess) = state.withLock { ($0.applied, Array($0.gaps.keys), $0.lastSuccess) }
        let instant = now()
        guard let applied else {
            let newest = try await database.read { sql in
                try await sql.raw("SELECT COALESCE(MAX(id), 0) AS newest FROM change_feed").first()?.decode(column: "newest", as: Int64.self) ?? 0
            }
            state.withLock { state in
                state.applied = newest
                state.lastSuccess = instant
            }
            return
        }
        let rows = try await database.read { sql in
            let query: SQLQueryString = gaps.isEmpty
                ? "SELECT id, topic, key FROM change_feed WHERE id > \(bind: applied) ORDER BY id LIMIT \(literal: Self.pageSize)"
                : "SELECT id, topic, key FROM change_feed WHERE id > \(bind: applied) OR id IN (\(binds: gaps)) ORDER BY id LIMIT \(literal: Self.pageSize)"
            return try await sql.raw(query).all().map { row in
                (id: try row.decode(column: "id", as: Int64.self), topic: try row.decode(column: "topic", as: String.self),
                 key: try row.decode(column: "key", as: String.self))
            }
        }
        // Down long enough for notices to have been purged unseen: nothing cached can be trusted.
        let lostTrack = lastSuccess.map { instant - $0 > .seconds(Self.retention / 2) } ?? false
        var keysByTopic: [String: [String]] = [:]
        for row in rows { keysByTopic[row.topic, default: []].append(row.key) }
        let handlers = state.withLock { state -> [(handler: @Sendable ([String]?) -> Void, keys: [String]?)] in
            var highest = state.applied ?? applied
            var flush = lostTrack
            for row in rows {
                if row.id > highest {
                    // A jump wider than the gaps kept cannot be followed one id at a time.
                    if row.id - highest > Int64(Self.gapLimit) { flush = true } else {
                        for missing in (highest + 1)..<row.id { state.gaps[missing] = instant }
                    }
                    highest = row.id
                } else {
                    state.gaps[row.id] = nil
                }
            }
            state.applied = highest
            // A gap older than the retention is a transaction that rolled back; forget it.
            state.gaps = state.gaps.filter { instant - $0.value < .seconds(Self.retention) }
            if state.gaps.count > Self.gapLimit {
                flush = true
                for id in state.gaps.keys.sorted().prefix(state.gaps.count - Self.gapLimit) { state.gaps[id] = nil }
            }
            state.lastSuccess = instant
            var handlers: [(handler: @Sendable ([String]?) -> Void, keys: [String]?)] = []
            for (topic, subscribers) in state.subscribers {
                let keys: [String]? = flush ? nil : keysByTopic[topic]
                guard flush || keys != nil else { continue }
                for subscriber in subscribers { handlers.append((subscriber, keys)) }
            }
            return handlers
        }
        for (handler, keys) in handlers { handler(keys) }
    }

    /// Deletes notices older than the retention; returns how many.
    @discardableResult
    public func purge(now: Date = Date()) async throws -> Int {
        let cutoff = Int64(now.timeIntervalSince1970) - Self.retention
        return try await database.transaction { sql in
            try await sql.raw("DELETE FROM change_feed WHERE created_at < \(bind: cutoff) RETURNING id").all().count
        }
    }
}

/// Follows the change feed for as long as the process runs: where pages are served (and read
/// from the caches), a poll every ``ChangeFeed/pollInterval``; where background jobs run, a purge
/// of old notices every minute. A process that does neither waits for shutdown.
public struct ChangeFeedService: Service {
    let feed: ChangeFeed
    let polls: Bool
    let purges: Bool
    let logger: Logger

    /// Creates the service; `polls` where requests are answered, `purges` where background jobs run.
    public init(feed: ChangeFeed, polls: Bool, purges: Bool, logger: Logger) {
        self.feed = feed
        self.polls = polls
        self.purges = purges
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var failing = false
            var lastPurge = ContinuousClock.now
            while !Task.isCancelled {
                do {
                    if polls { try await feed.poll() }
                    if failing { logger.notice("reading the change feed again; cached sessions and cart counts are served again") }
                    failing = false
                    if purges, ContinuousClock.now - lastPurge >= .seconds(60) {
                        lastPurge = ContinuousClock.now
                        try await feed.purge()
                    }
                } catch is CancellationError {
                    break
                } catch {
                    // Logged once per outage: caches stop serving by themselves while it lasts.
                    if !failing { logger.error("could not read the change feed; caches are bypassed until it can", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                try await Task.sleep(for: polls ? ChangeFeed.pollInterval : .seconds(60))
            }
        }
    }
}
