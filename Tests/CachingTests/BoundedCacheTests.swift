@testable import Caching
import Synchronization
import Testing

/// A clock that moves only when told to.
final class TestClock: Sendable {
    let start = ContinuousClock.now
    private let offset = Mutex(Duration.zero)
    func advance(by duration: Duration) { offset.withLock { $0 += duration } }
    var now: ContinuousClock.Instant { start.advanced(by: offset.withLock { $0 }) }
}

@Suite struct BoundedCacheTests {
    @Test func storesAndCountsHitsAndMisses() {
        let cache = BoundedCache<String, Int>(name: "test", capacity: 10)
        #expect(cache.value(for: "a") == nil)
        cache.store(1, for: "a")
        #expect(cache.value(for: "a") == 1)
        #expect(cache.value(for: "a") == 1)
        let statistics = cache.statistics
        #expect(statistics.entries == 1)
        #expect(statistics.hits == 2)
        #expect(statistics.misses == 1)
    }

    @Test func entriesExpireOnItsClock() {
        let clock = TestClock()
        let cache = BoundedCache<String, Int>(name: "test", capacity: 10, timeToLive: .seconds(60), now: { clock.now })
        cache.store(1, for: "a")
        clock.advance(by: .seconds(59))
        #expect(cache.value(for: "a") == 1)
        clock.advance(by: .seconds(1))
        #expect(cache.value(for: "a") == nil)
    }

    @Test func aFullCacheDropsTheLeastRecentlyUsedFiftieth() {
        let cache = BoundedCache<Int, Int>(name: "test", capacity: 100)
        for key in 0..<100 { cache.store(key, for: key) }
        _ = cache.value(for: 0) // 0 is now the most recently used
        cache.store(100, for: 100)
        // Room is made for a fiftieth of the capacity (2) beyond the new entry: 1, 2 and 3 go.
        #expect(cache.statistics.entries == 98)
        #expect(cache.value(for: 0) == 0)
        #expect(cache.value(for: 1) == nil)
        #expect(cache.value(for: 3) == nil)
        #expect(cache.value(for: 4) == 4)
        #expect(cache.value(for: 100) == 100)
    }

    @Test func aKeyInUseOutlivesThousandsOfEvictionsAndRebuilds() {
        let cache = BoundedCache<Int, Int>(name: "test", capacity: 100)
        for key in 0..<5_000 {
            cache.store(key, for: key)
            #expect(cache.value(for: -1) == (key == 0 ? nil : -1))
            if key == 0 { cache.store(-1, for: -1) }
            #expect(cache.statistics.entries <= 100)
        }
        // The key looked up after every store stays; of the rest, the newest 97 or so do.
        #expect(cache.value(for: -1) == -1)
        #expect(cache.value(for: 4_999) == 4_999)
        #expect(cache.value(for: 4_905) == 4_905)
        #expect(cache.value(for: 4_800) == nil)
        #expect(cache.statistics.entries >= 98)
    }

    @Test func hitsAloneDoNotGrowTheRecordOfUses() {
        let cache = BoundedCache<Int, Int>(name: "test", capacity: 100)
        for key in 0..<10 { cache.store(key, for: key) }
        for round in 0..<10_000 { _ = cache.value(for: round % 10) }
        #expect(cache.recordedUses <= 4 * 10 + 64)
        #expect(cache.statistics.hits == 10_000)
    }

    @Test func costIsBoundedAndAnOversizedValueIsNotKept() {
        let cache = BoundedCache<Int, [UInt8]>(name: "test", capacity: .max, costLimit: 800, cost: \.count)
        cache.store([UInt8](repeating: 0, count: 101), for: -1) // over an eighth of the limit
        #expect(cache.value(for: -1) == nil)
        for key in 0..<20 { cache.store([UInt8](repeating: 0, count: 100), for: key) }
        #expect(cache.statistics.cost <= 800)
        #expect(cache.value(for: 19) != nil)
    }

    @Test func generationsKeepStaleLoadsOut() async throws {
        let cache = BoundedCache<String, Int>(name: "test", capacity: 10)
        cache.store(1, for: "a", generation: 0)
        cache.store(2, for: "b", generation: 1) // newer: the older entries go
        #expect(cache.value(for: "a", generation: 1) == nil)
        #expect(cache.value(for: "b", generation: 1) == 2)
        cache.store(3, for: "c", generation: 0) // read before the change: not kept
        #expect(cache.value(for: "c") == nil)
        #expect(cache.value(for: "b", generation: 0) == nil)

        // A load that races removeAll() is not kept.
        let loaded = try await cache.value(for: "d") { () async -> Int in
            cache.removeAll()
            return 4
        }
        #expect(loaded == 4)
        #expect(cache.value(for: "d") == nil)
    }
}
