import Catalog
import Foundation
import GoMartModels
import SQLKit
import Storage
import TestSupport
import Testing

let newProduct = [
    "sku": "NEW-001", "name": "Heritage Tomatoes", "brand": "Valley Farm", "aisle": "Fruit & Veg", "price": "2.40", "pack_size": "400 g",
    "stock": "12", "description": "Mixed colours.", "featured": "no", "sold_by_weight": "no", "keywords": "salad",
]

@Suite struct CatalogueAdminTests {
    @Test func aNewProductIsOnSaleAtOnceAndAPriceChangeReachesEveryInstance() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let admin = CatalogueAdmin(database: database, catalog: catalog)
        // Another instance's catalogue, caching for a minute but asking for the version every time.
        let other = CatalogService(repository: SQLCatalogRepository(database: database), cache: CatalogCache(timeToLive: .seconds(60)),
                                   versionCheckInterval: .zero)

        let created = try await admin.create(newProduct, lowStockThreshold: 3, by: "test")
        #expect(try await other.product(id: created.product.id).price.minorUnits == 240)
        #expect(try await admin.stockHistory(of: created.product.id).map(\.reason) == [.initial])

        var changed = newProduct
        changed["price"] = "2.65"
        try await admin.update(created.product.id, changed, lowStockThreshold: 3)
        #expect(try await other.product(id: created.product.id).price.minorUnits == 265)
        await database.close()
    }

    @Test func badFieldsAreListedAndNothingIsWritten() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let admin = CatalogueAdmin(database: database, catalog: catalog)
        var bad = newProduct
        bad["price"] = "free"
        bad["pack_size"] = "a handful"
        await #expect(throws: CatalogueAdminError.invalidFields([
            "price": "'free' is not a price such as 1.25",
            "pack_size": "'a handful' is not a pack size such as 500 g, 1 L, 6 x 330 ml, 4 pack, each or per kg",
        ])) {
            try await admin.create(bad, lowStockThreshold: 3, by: "test")
        }
        #expect(try await admin.products(containing: "Heritage").total == 0)
        await database.close()
    }

    @Test func aWithdrawnProductLeavesTheShopAndComesBack() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let admin = CatalogueAdmin(database: database, catalog: catalog)
        let product = try #require(try await catalog.products(matching: ProductQuery(aisleSlug: "bakery", pageSize: 1)).products.first)

        try await admin.setOnSale(product.id, false)
        await #expect(throws: CatalogError.productNotFound(product.id.publicString)) { try await catalog.product(id: product.id) }
        #expect(try await admin.products(showing: .withdrawn).products.map(\.product.id) == [product.id])

        try await admin.setOnSale(product.id, true)
        #expect(try await catalog.product(id: product.id).id == product.id)
        await database.close()
    }

    @Test func stockMovesWithAReasonAndKeepsAHistoryAndNeverGoesBelowZero() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let admin = CatalogueAdmin(database: database, catalog: catalog)
        let created = try await admin.create(newProduct, lowStockThreshold: 5, by: "test")
        let id = created.product.id

        try await admin.adjustStock(of: id, .by(24), reason: .delivery, note: "Pallet 7", actor: "staff:a")
        try await admin.adjustStock(of: id, .by(-3), reason: .waste, note: "Split", actor: "staff:a")
        let counted = try await admin.adjustStock(of: id, .to(4), reason: .count, note: "", actor: "staff:b")
        #expect(counted.product.stock == 4)
        #expect(counted.isLow)
        await #expect(throws: CatalogueAdminError.stockWouldGoNegative(available: 4)) {
            try await admin.adjustStock(of: id, .by(-5), reason: .waste, note: "", actor: "staff:a")
        }
        let history = try await admin.stockHistory(of: id)
        #expect(history.map(\.change) == [-29, -3, 24, 12])
        #expect(history.map(\.stockAfter) == [4, 33, 36, 12])
        #expect(history.map(\.reason) == [.count, .waste, .delivery, .initial])
        #expect(history.map(\.note) == ["", "Split", "Pallet 7", ""])
        #expect(try await admin.products(showing: .lowStock).products.map(\.product.id).contains(id))
        await database.close()
    }

    @Test func aislesAreCreatedRenamedAndReordered() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let admin = CatalogueAdmin(database: database, catalog: catalog)

        try await admin.createAisle(name: "World Foods", description: "")
        try await admin.moveAisle("world-foods", by: -1)
        try await admin.renameAisle("fruit-veg", name: "Fruit and Vegetables", description: "Fresh every morning.")
        try await admin.moveAisle("fruit-veg", by: 1)

        let aisles = try await catalog.aisles()
        #expect(aisles.prefix(2).map(\.name) == ["Bakery", "Fruit and Vegetables"])
        #expect(Array(aisles.suffix(2).map(\.slug)) == ["world-foods", "pet"])
        #expect(aisles.first { $0.slug == "fruit-veg" }?.description == "Fresh every morning.")
        await #expect(throws: CatalogueAdminError.invalidFields(["name": "an aisle with that name exists"])) {
            try await admin.createAisle(name: "World foods", description: "")
        }
        await database.close()
    }

    @Test func anImportIsPreviewedWithEveryProblemByLineThenAppliedAsAWhole() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let admin = CatalogueAdmin(database: database, catalog: catalog)
        let existing = try #require(try await catalog.products(matching: ProductQuery(aisleSlug: "bakery", pageSize: 1)).products.first)
        let good = """
            sku,name,brand,aisle,price,pack_size,stock
            \(existing.sku),"\(existing.name)",\(existing.brand),Bakery,9.99,\(existing.packSize.replacingOccurrences(of: "×", with: "x")),\(existing.stock)
            NEW-777,Rye Crackers,Nordic,Bakery,1.85,200 g,30
            """
        let bad = good + "\nNEW-778,Oat Crackers,Nordic,Bakery,cheap,200 g,30\nNEW-779,,Nordic,Bakery,1.00,200 g,-1\n"

        let refused = try await admin.previewImport(bad)
        #expect(refused.problems.map(\.description) == [
            "line 4, price: 'cheap' is not a price such as 1.25",
            "line 5, name: is required",
            "line 5, stock: '-1' is not a whole number from 0 to 1000000",
        ])
        await #expect(throws: CatalogueImportError.self) { try await admin.applyImport(bad, source: "test") }
        #expect(try await admin.products(containing: "Rye Crackers").total == 0)

        let preview = try await admin.previewImport(good)
        #expect(preview.problems.isEmpty)
        #expect(preview.lines.map(\.kind) == [.changed, .new])
        // A file without descriptions would blank them: the preview says so.
        #expect(preview.lines[0].changes == ["description: \(existing.description) → ", "price: \(existing.price.formatted) → £9.99"])

        let summary = try await admin.applyImport(good, source: "test")
        #expect(summary.productsInserted == 1)
        #expect(try await catalog.product(id: existing.id).price.minorUnits == 999)
        await database.close()
    }

    @Test func theProductExportReadsBackUnchanged() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let admin = CatalogueAdmin(database: database, catalog: catalog)
        let exported = try await admin.exportProducts()
        let preview = try await admin.previewImport(exported)
        #expect(preview.problems.isEmpty)
        #expect(preview.lines.count >= 600)
        #expect(preview.lines.filter { $0.kind != .unchanged }.map(\.sku) == [])
        await database.close()
    }
}
