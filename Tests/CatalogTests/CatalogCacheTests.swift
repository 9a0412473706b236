import Catalog
import Foundation
import GoMartModels
import Storage
import TestSupport
import Testing

/// Counts loads so tests can tell cache hits from misses.
actor LoadCounter {
    var count = 0
    func next() -> Int {
        count += 1
        return count
    }
}

@Suite struct CatalogCacheTests {
    @Test func servesCachedValuesUntilInvalidated() async throws {
        let cache = CatalogCache(timeToLive: .seconds(300))
        let counter = LoadCounter()

        let first = try await cache.value(for: .aisles) { await counter.next() }
        let second = try await cache.value(for: .aisles) { await counter.next() }
        cache.invalidate()
        let third = try await cache.value(for: .aisles) { await counter.next() }

        #expect(first == 1)
        #expect(second == 1)
        #expect(third == 2)
    }

    @Test func expiresEntriesAfterTheirTimeToLive() async throws {
        let cache = CatalogCache(timeToLive: .milliseconds(20))
        let counter = LoadCounter()
        _ = try await cache.value(for: .aisles) { await counter.next() }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(25))
        // Wait for the deadline on the clock the cache uses, not an arbitrary sleep.
        while clock.now < deadline { await Task.yield() }

        let reloaded = try await cache.value(for: .aisles) { await counter.next() }

        #expect(reloaded == 2)
    }

    @Test func staysWithinItsCapacity() async throws {
        let cache = CatalogCache(timeToLive: .seconds(300), capacity: 50)
        for index in 0..<500 {
            _ = try await cache.value(for: .productBySlug("p\(index)")) { index }
        }
        #expect(cache.statistics.entries <= 50)
        // The most recent entry survived eviction.
        let recent = try await cache.value(for: .productBySlug("p499")) { -1 }
        #expect(recent == 499)
    }

    @Test func aCatalogueImportInvalidatesCachedPages() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog(cacheTTL: .seconds(300))
        let before = try await catalog.product(slug: "gomart-braeburn-apples-fv-0003")

        _ = try await catalog.importCatalogue(csv: """
            sku,name,brand,aisle,price,pack_size,stock
            FV-0003,GoMart Braeburn Apples,GoMart,Fruit & Veg,4.44,6 pack,7
            """, source: "price-change.csv")
        let after = try await catalog.product(slug: "gomart-braeburn-apples-fv-0003")

        #expect(before.price.minorUnits != 444)
        #expect(after.price.minorUnits == 444)
        await database.close()
    }

    @Test func aWriteOnOneInstanceReachesAnotherInstancesCache() async throws {
        let (database, writer) = try await TestDatabase.seededCatalog(cacheTTL: .seconds(300))
        let reader = CatalogService(repository: SQLCatalogRepository(database: database), cache: CatalogCache(timeToLive: .seconds(300)),
                                    versionCheckInterval: .zero)
        let before = try await reader.product(slug: "gomart-braeburn-apples-fv-0003")

        _ = try await writer.importCatalogue(csv: """
            sku,name,brand,aisle,price,pack_size,stock
            FV-0003,GoMart Braeburn Apples,GoMart,Fruit & Veg,5.55,6 pack,7
            """, source: "other-instance.csv")
        let after = try await reader.product(slug: "gomart-braeburn-apples-fv-0003")

        #expect(before.price.minorUnits != 555)
        #expect(after.price.minorUnits == 555)
        await database.close()
    }
}
