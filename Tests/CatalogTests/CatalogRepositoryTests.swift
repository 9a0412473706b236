import Catalog
import Foundation
import GoMartModels
import SQLKit
import Storage
import TestSupport
import Testing

@Suite struct CatalogRepositoryTests {
    @Test func importsAndListsAisles() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let aisles = try await catalog.aisles()
        #expect(aisles.count == 13)
        #expect(aisles.first?.slug == "fruit-veg")
        #expect(aisles.reduce(0) { $0 + $1.productCount } >= 600)
        await database.close()
    }

    @Test func filtersByAisleBrandAndStock() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()

        let page = try await catalog.products(matching: ProductQuery(aisleSlug: "dairy-eggs", brands: ["GoMart"], inStockOnly: true, pageSize: 100))

        #expect(!page.products.isEmpty)
        #expect(page.totalCount == page.products.count)
        #expect(page.products.allSatisfy { $0.aisleSlug == "dairy-eggs" && $0.brand == "GoMart" && $0.stock > 0 })
        let all = try await catalog.products(matching: ProductQuery(aisleSlug: "dairy-eggs", brands: ["GoMart"], pageSize: 100))
        #expect(all.totalCount > page.totalCount) // the demo has some out-of-stock GoMart dairy
        await database.close()
    }

    @Test(arguments: [ProductSort.name, .priceAscending, .priceDescending, .unitPriceAscending])
    func sortsEveryWay(sort: ProductSort) async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()

        let products = try await catalog.products(matching: ProductQuery(aisleSlug: "bakery", sort: sort, pageSize: 100)).products

        let ordered: Bool
        switch sort {
        case .name, .relevance: ordered = zip(products, products.dropFirst()).allSatisfy { $0.name <= $1.name }
        case .priceAscending: ordered = zip(products, products.dropFirst()).allSatisfy { $0.price <= $1.price }
        case .priceDescending: ordered = zip(products, products.dropFirst()).allSatisfy { $0.price >= $1.price }
        case .unitPriceAscending:
            ordered = zip(products, products.dropFirst()).allSatisfy { $0.unit != $1.unit || $0.unitPrice <= $1.unitPrice }
        }
        #expect(products.count > 20)
        #expect(ordered)
        await database.close()
    }

    @Test func paginatesWithoutOverlapOrGaps() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        var seen: [String] = []
        var page = 1
        var pageCount = 1
        repeat {
            let result = try await catalog.products(matching: ProductQuery(aisleSlug: "pantry", page: page, pageSize: 10))
            seen += result.products.map(\.sku)
            pageCount = result.pageCount
            page += 1
        } while page <= pageCount
        let total = try await catalog.products(matching: ProductQuery(aisleSlug: "pantry", pageSize: 1)).totalCount
        #expect(seen.count == total)
        #expect(Set(seen).count == total)
        let past = try await catalog.products(matching: ProductQuery(aisleSlug: "pantry", page: pageCount + 1, pageSize: 10))
        #expect(past.products.isEmpty)
        await database.close()
    }

    @Test func searchesByWordPrefixesWithBestMatchesFirst() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()

        let milk = try await catalog.products(matching: ProductQuery(search: "semi skim", pageSize: 100)).products
        let prefix = try await catalog.products(matching: ProductQuery(search: "choc", pageSize: 100)).products
        let brand = try await catalog.products(matching: ProductQuery(search: "hillside", pageSize: 100)).products
        let accent = try await catalog.products(matching: ProductQuery(search: "creme fraiche", pageSize: 100)).products
        let nothing = try await catalog.products(matching: ProductQuery(search: "zzzxq", pageSize: 100))
        let symbols = try await catalog.products(matching: ProductQuery(search: "\"*) - (", pageSize: 100))
        // Query syntax in the text is taken as plain words, so this is "milk" AND "or" AND "bread", not an error.
        let operators = try await catalog.products(matching: ProductQuery(search: "milk\" OR \"bread", pageSize: 100))

        #expect(!milk.isEmpty)
        #expect(milk.allSatisfy { $0.name.contains("Semi-Skimmed") })
        #expect(prefix.count > 5)
        #expect(prefix.allSatisfy { ($0.name + $0.description).lowercased().contains("choc") })
        #expect(!brand.isEmpty)
        #expect(brand.allSatisfy { $0.brand == "Hillside Poultry" })
        #expect(accent.contains { $0.name.contains("Crème Fraîche") })
        #expect(nothing.totalCount == 0)
        #expect(symbols.totalCount == 0)
        #expect(operators.totalCount == 0)
        await database.close()
    }

    @Test func searchRanksNameMatchesAboveDescriptionMatches() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let results = try await catalog.products(matching: ProductQuery(search: "butter", pageSize: 100)).products
        let firstDescriptionOnly = results.firstIndex { !$0.name.lowercased().contains("butter") } ?? results.count
        let lastNameMatch = results.lastIndex { $0.name.lowercased().contains("butter") } ?? 0
        #expect(lastNameMatch < firstDescriptionOnly)
        await database.close()
    }

    @Test func findsProductsBySlugAndPublicID() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let listed = try #require(try await catalog.products(matching: ProductQuery(aisleSlug: "drinks", pageSize: 1)).products.first)

        let bySlug = try await catalog.product(slug: listed.slug)
        let byID = try await catalog.product(id: listed.id)

        #expect(bySlug == listed)
        #expect(byID == listed)
        await #expect(throws: CatalogError.productNotFound("no-such-thing")) { try await catalog.product(slug: "no-such-thing") }
        await #expect(throws: CatalogError.self) { try await catalog.product(id: ProductID.random()) }
        await #expect(throws: CatalogError.aisleNotFound("nowhere")) {
            try await catalog.products(matching: ProductQuery(aisleSlug: "nowhere"))
        }
        await database.close()
    }

    @Test func reimportingUpdatesBySKUAndKeepsPublicIDs() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let before = try await catalog.product(slug: "gomart-braeburn-apples-fv-0003")

        let summary = try await catalog.importCatalogue(csv: """
            sku,name,brand,aisle,price,pack_size,stock
            FV-0003,GoMart Braeburn Apples,GoMart,Fruit & Veg,9.99,6 pack,7
            ZZ-0001,Dragon Fruit,Exotica,Exotic Fruit,3.50,each,12
            """, source: "update.csv")

        let after = try await catalog.product(slug: "gomart-braeburn-apples-fv-0003")
        #expect(summary == CatalogueImportSummary(productsInserted: 1, productsUpdated: 1, aislesCreated: 1))
        #expect(after.id == before.id)
        #expect(after.price.minorUnits == 999)
        #expect(after.stock == 7)
        #expect(try await catalog.aisle(slug: "exotic-fruit").productCount == 1)
        await database.close()
    }

    @Test func aBadFileImportsNothing() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let countBefore = try await catalog.products(matching: ProductQuery(pageSize: 1)).totalCount

        await #expect(throws: CatalogueImportError.self) {
            try await catalog.importCatalogue(csv: """
                sku,name,brand,aisle,price,pack_size,stock
                NEW-1,Fine,Brand,Pantry,1.00,500 g,5
                NEW-2,Broken,Brand,Pantry,1.00,500 g,lots
                """, source: "bad.csv")
        }

        #expect(try await catalog.products(matching: ProductQuery(pageSize: 1)).totalCount == countBefore)
        await #expect(throws: CatalogError.self) { try await catalog.product(slug: "fine-new-1") }
        await database.close()
    }

    @Test func seedsTheDemoCatalogueOnlyOnce() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let again = try await catalog.seedDemoCatalogueIfFirstRun(logger: TestDatabase.logger)
        #expect(!again)
        await database.close()
    }
}
