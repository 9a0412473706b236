import Catalog
import Foundation
import GoMartModels
import Storage
import TestSupport
import Synchronization
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
        let start = ContinuousClock.now
        let elapsed = Mutex(Duration.zero)
        let cache = CatalogCache(timeToLive: .seconds(300), now: { start.advanced(by: elapsed.withLock { $0 }) })
        let counter = LoadCounter()
        _ = try await cache.value(for: .aisles) { await counter.next() }

        elapsed.withLock { $0 = .seconds(299) }
        let cached = try await cache.value(for: .aisles) { await counter.next() }
        elapsed.withLock { $0 = .seconds(300) }
        let reloaded = try await cache.value(for: .aisles) { await counter.next() }

        #expect(cached == 1)
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

    @Test func onlyStockChangesThatPagesShowMoveTheCatalogueVersion() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog(cacheTTL: .seconds(300))
        _ = try await catalog.importCatalogue(csv: """
            sku,name,brand,aisle,price,pack_size,stock
            FV-0003,GoMart Braeburn Apples,GoMart,Fruit & Veg,1.85,6 pack,14
            """, source: "restock.csv")
        let product = try await catalog.product(slug: "gomart-braeburn-apples-fv-0003")
        let repository = SQLCatalogRepository(database: database)
        let generation = try await catalog.cacheGeneration()
        let version = try await repository.catalogVersion()

        // 14 → 11: pages still say "in stock", so nothing cached needs to change.
        let quiet = try await database.transaction { sql in try await catalog.takeStock([StockItem(productID: product.id, quantity: 3)], in: sql) }
        #expect(quiet.shortfalls.isEmpty)
        #expect(!quiet.changedShownLevels)
        #expect(try await repository.catalogVersion() == version)

        // 11 → 9: pages now say "Only 9 left".
        let shown = try await database.transaction { sql in try await catalog.takeStock([StockItem(productID: product.id, quantity: 2)], in: sql) }
        #expect(shown.shortfalls.isEmpty)
        #expect(shown.changedShownLevels)
        #expect(try await repository.catalogVersion() == version + 1)
        catalog.stockDidChange()
        #expect(try await catalog.cacheGeneration() > generation)
        #expect(try await catalog.product(slug: "gomart-braeburn-apples-fv-0003").stock == 9)

        // Every change at or below the threshold shows, and so does a return that lifts stock above it.
        let returned = try await database.transaction { sql in try await catalog.returnStock([StockItem(productID: product.id, quantity: 5)], in: sql) }
        #expect(returned)
        let returnedAbove = try await database.transaction { sql in try await catalog.returnStock([StockItem(productID: product.id, quantity: 1)], in: sql) }
        #expect(!returnedAbove)
        #expect(try await repository.catalogVersion() == version + 2)

        // A shortfall takes nothing and reports no change.
        let short = try await database.transaction { sql in try await catalog.takeStock([StockItem(productID: product.id, quantity: 500)], in: sql) }
        #expect(short.shortfalls.count == 1)
        #expect(!short.changedShownLevels)
        await database.close()
    }

    @Test(arguments: [(14, 11, true), (11, 10, false), (10, 9, false), (1, 0, false), (0, 12, false), (50, 50, true)])
    func pagesShowTheSameLevelOnlyAboveTheThresholdOrForNoChange(before: Int, after: Int, same: Bool) {
        #expect(Product.showsSameLevel(before, after) == same)
    }
}
