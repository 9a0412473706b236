import Foundation
import Synchronization
import SQLKit
import Storage
import TestSupport
import Testing

/// A clock the feed's tests move by hand.
final class FeedClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { instant.withLock { $0 } }
    func advance(by duration: Duration) { instant.withLock { $0 = $0.advanced(by: duration) } }
}

/// Collects what a subscriber was handed.
final class Heard: Sendable {
    private let batches = Mutex<[[String]?]>([])
    func append(_ keys: [String]?) { batches.withLock { $0.append(keys) } }
    var all: [[String]?] { batches.withLock { $0 } }
}

@Suite struct ChangeFeedTests {
    func record(_ key: String, id: Int64? = nil, in database: Database) async throws -> Int64 {
        try await database.transaction { sql in
            if let id {
                try await sql.raw("INSERT INTO change_feed (id, topic, key, created_at) VALUES (\(bind: id), 'cart', \(bind: key), 0)").run()
                return id
            }
            return try await ChangeFeed.record("cart", key: key, in: sql)
        }
    }

    @Test func subscribersHearEachCommittedChangeOnceAndOnlyTheirTopics() async throws {
        let database = try await TestDatabase.migrated()
        let feed = TestFeed.make(database)
        let carts = Heard(), sessions = Heard()
        feed.subscribe("cart") { carts.append($0) }
        feed.subscribe("session") { sessions.append($0) }
        _ = try await record("before", in: database)
        try await feed.poll() // learns where the feed stands: what came before is not news
        #expect(carts.all.isEmpty)
        #expect(feed.servesCachedReads)

        let first = try await record("visitor-a", in: database)
        let second = try await record("visitor-b", in: database)
        try await feed.poll()
        try await feed.poll()

        #expect(carts.all == [["visitor-a", "visitor-b"]])
        #expect(sessions.all.isEmpty)
        #expect(second > first)
        #expect(feed.watermark == second)
        await database.close()
    }

    @Test func anIdThatCommitsLateIsAGapThatHoldsTheWatermarkBackUntilItComesOrOutwaitsItsPatience() async throws {
        let database = try await TestDatabase.migrated()
        let clock = FeedClock()
        let feed = ChangeFeed(database: database, now: { clock.now })
        let heard = Heard()
        feed.subscribe("cart") { heard.append($0) }
        try await feed.poll()
        let base = feed.watermark ?? 0

        // Ids base+1 and base+3 commit; base+2 is still in flight.
        _ = try await record("a", id: base + 1, in: database)
        _ = try await record("c", id: base + 3, in: database)
        try await feed.poll()
        #expect(feed.watermark == base + 1)
        #expect(ChangeFeed.$current.withValue(ChangeFeed.Visit(seen: base + 3)) { feed.servesCachedReads } == false)
        #expect(ChangeFeed.$current.withValue(ChangeFeed.Visit(seen: base + 1)) { feed.servesCachedReads } == true)

        _ = try await record("b", id: base + 2, in: database)
        try await feed.poll()
        #expect(feed.watermark == base + 3)
        #expect(heard.all == [["a", "c"], ["b"]])

        // A gap that never fills (a rolled-back transaction) stops holding the watermark back.
        _ = try await record("e", id: base + 5, in: database)
        try await feed.poll()
        #expect(feed.watermark == base + 3)
        clock.advance(by: ChangeFeed.gapPatience)
        #expect(feed.watermark == base + 5)
        await database.close()
    }

    @Test func nothingIsServedFromCachesWhileTheFeedIsStale() async throws {
        let database = try await TestDatabase.migrated()
        let clock = FeedClock()
        let feed = ChangeFeed(database: database, now: { clock.now })
        #expect(!feed.servesCachedReads) // never read yet
        try await feed.poll()
        #expect(feed.servesCachedReads)
        clock.advance(by: ChangeFeed.staleAfter + .milliseconds(1))
        #expect(!feed.servesCachedReads)
        try await feed.poll()
        #expect(feed.servesCachedReads)
        await database.close()
    }

    @Test func aJumpWiderThanTheGapsKeptEmptiesEveryCache() async throws {
        let database = try await TestDatabase.migrated()
        let feed = TestFeed.make(database)
        let heard = Heard()
        feed.subscribe("cart") { heard.append($0) }
        try await feed.poll()
        let base = feed.watermark ?? 0
        _ = try await record("far", id: base + 10_000, in: database)
        try await feed.poll()
        #expect(heard.all.count == 1)
        #expect(heard.all.first == .some(nil))
        #expect(feed.watermark == base + 10_000)
        await database.close()
    }

    @Test func oldNoticesArePurged() async throws {
        let database = try await TestDatabase.migrated()
        let feed = ChangeFeed(database: database)
        _ = try await record("new", in: database)
        _ = try await record("old", id: 1_000_000, in: database) // created_at 0
        #expect(try await feed.purge() == 1)
        #expect(try await feed.purge() == 0)
        await database.close()
    }
}
