import Cart
import Catalog
import Foundation
import GoMartModels
import Storage
import TestSupport
import Testing

/// A seeded catalogue with a cart service, and some products to buy.
struct CartFixture {
    let database: Database
    let catalog: CatalogService
    let cart: CartService

    static func make(policy: CartPolicy = CartPolicy()) async throws -> CartFixture {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        return CartFixture(database: database, catalog: catalog, cart: CartService(database: database, catalog: catalog, policy: policy))
    }

    /// An in-stock product with at least `stock` units, from `aisle`.
    func product(in aisle: String = "bakery", minimumStock: Int = 20, skip: Int = 0) async throws -> Product {
        let products = try await catalog.products(matching: ProductQuery(aisleSlug: aisle, inStockOnly: true, pageSize: 100)).products
        return try #require(products.filter { $0.stock >= minimumStock }.dropFirst(skip).first)
    }

    /// Sets a product's stock or price directly, as a catalogue import would.
    func reprice(_ product: Product, price: String? = nil, stock: Int? = nil) async throws {
        let csv = """
            sku,name,brand,aisle,price,pack_size,stock
            \(product.sku),\(product.name),\(product.brand),\(product.aisleName),\(price ?? product.price.decimalString),\(product.packSize.replacingOccurrences(of: "×", with: "x")),\(stock ?? product.stock)
            """
        _ = try await catalog.importCatalogue(csv: csv, source: "test")
    }
}

@Suite struct CartServiceTests {
    let visitor = CartOwner.visitor(key: "visitor-1")

    @Test func addsPricesAndTotalsFromTheCatalogue() async throws {
        let fixture = try await CartFixture.make()
        let bread = try await fixture.product(in: "bakery")
        let milk = try await fixture.product(in: "dairy-eggs")

        try await fixture.cart.add(productID: bread.id, quantity: 2, to: visitor)
        try await fixture.cart.add(productID: milk.id, quantity: 1, to: visitor)
        try await fixture.cart.add(productID: bread.id, quantity: 1, to: visitor)
        let summary = try await fixture.cart.cart(for: visitor)

        #expect(summary.lines.map(\.productID) == [bread.id, milk.id])
        #expect(summary.lines.map(\.quantity) == [3, 1])
        #expect(summary.subtotal.minorUnits == bread.price.minorUnits * 3 + milk.price.minorUnits)
        #expect(summary.itemCount == 4)
        #expect(summary.total.minorUnits == summary.subtotal.minorUnits + summary.deliveryFee.minorUnits)
        #expect(!summary.hasWarnings)
        await fixture.database.close()
    }

    @Test func deliveryIsFreeFromTheThresholdAndAWithdrawnLineCostsNothing() {
        let policy = CartPolicy(deliveryFee: Money(minorUnits: 399, currency: .gbp), freeDeliveryThreshold: Money(minorUnits: 4000, currency: .gbp))
        func line(_ pence: Int64, onSale: Bool = true) -> CartLine {
            let price = Money(minorUnits: pence, currency: .gbp)
            let product = Product(id: ProductID.random(), sku: "S\(pence)", slug: "s-\(pence)", name: "Item", brand: "Brand", aisleSlug: "bakery",
                                  aisleName: "Bakery", price: price, packSize: "1", unit: .count, unitPrice: price, soldByWeight: false,
                                  stock: 10, description: "", featured: false)
            return CartLine(product: onSale ? product : nil, productID: product.id, quantity: 1, priceWhenAdded: price, warnings: [])
        }
        #expect(policy.summarise([], currency: .gbp).deliveryFee.minorUnits == 0)
        #expect(policy.summarise([line(3999)], currency: .gbp).deliveryFee.minorUnits == 399)
        #expect(policy.summarise([line(3999)], currency: .gbp).amountToFreeDelivery?.minorUnits == 1)
        #expect(policy.summarise([line(4000)], currency: .gbp).deliveryFee.minorUnits == 0)
        #expect(policy.summarise([line(2000), line(2000)], currency: .gbp).total.minorUnits == 4000)
        let withdrawn = policy.summarise([line(2000), line(2500, onSale: false)], currency: .gbp)
        #expect(withdrawn.lines.map(\.lineTotal.minorUnits) == [2000, 0])
        #expect(withdrawn.total.minorUnits == 2399)
        #expect(withdrawn.itemCount == 2)
    }

    @Test func refusesQuantitiesOutsideTheLimitsOrTheStock() async throws {
        let fixture = try await CartFixture.make(policy: CartPolicy(maximumQuantityPerLine: 5))
        let product = try await fixture.product(minimumStock: 10)

        await #expect(throws: CartError.invalidQuantity(maximum: 5)) { try await fixture.cart.add(productID: product.id, quantity: 0, to: visitor) }
        await #expect(throws: CartError.invalidQuantity(maximum: 5)) { try await fixture.cart.add(productID: product.id, quantity: -3, to: visitor) }
        await #expect(throws: CartError.invalidQuantity(maximum: 5)) { try await fixture.cart.add(productID: product.id, quantity: 6, to: visitor) }
        try await fixture.cart.add(productID: product.id, quantity: 4, to: visitor)
        await #expect(throws: CartError.invalidQuantity(maximum: 5)) { try await fixture.cart.add(productID: product.id, quantity: 2, to: visitor) }
        await #expect(throws: CartError.unknownProduct) { try await fixture.cart.add(productID: ProductID.random(), quantity: 1, to: visitor) }

        try await fixture.reprice(product, stock: 4)
        await #expect(throws: CartError.insufficientStock(available: 4, inCart: 4)) {
            try await fixture.cart.add(productID: product.id, quantity: 1, to: visitor)
        }
        #expect(try await fixture.cart.itemCount(for: visitor) == 4)
        await fixture.database.close()
    }

    @Test func changesAndRemovesLines() async throws {
        let fixture = try await CartFixture.make()
        let product = try await fixture.product()
        try await fixture.cart.add(productID: product.id, quantity: 1, to: visitor)

        try await fixture.cart.setQuantity(productID: product.id, quantity: 7, for: visitor)
        #expect(try await fixture.cart.cart(for: visitor).lines.first?.quantity == 7)
        try await fixture.cart.setQuantity(productID: product.id, quantity: 0, for: visitor)
        #expect(try await fixture.cart.cart(for: visitor).isEmpty)
        await #expect(throws: CartError.notInCart) { try await fixture.cart.remove(productID: product.id, from: visitor) }
        await #expect(throws: CartError.notInCart) { try await fixture.cart.setQuantity(productID: product.id, quantity: 2, for: visitor) }
        await fixture.database.close()
    }

    @Test func warnsAboutPriceChangesStockAndWithdrawnProducts() async throws {
        let fixture = try await CartFixture.make()
        let dearer = try await fixture.product(in: "pantry")
        let scarce = try await fixture.product(in: "pantry", skip: 1)
        try await fixture.cart.add(productID: dearer.id, quantity: 1, to: visitor)
        try await fixture.cart.add(productID: scarce.id, quantity: 5, to: visitor)

        try await fixture.reprice(dearer, price: "99.99")
        try await fixture.reprice(scarce, stock: 2)
        let summary = try await fixture.cart.cart(for: visitor)

        let newPrice = Money(minorUnits: 9999, currency: .gbp)
        #expect(summary.lines[0].warnings == [.priceChanged(from: dearer.price, to: newPrice)])
        #expect(summary.lines[0].lineTotal == newPrice) // the current price, never the remembered one
        #expect(summary.lines[1].warnings == [.onlyAvailable(2)])
        #expect(summary.hasWarnings)
        await fixture.database.close()
    }

    @Test func mergingAVisitorCartAddsQuantitiesCappedByStockAndLimit() async throws {
        let fixture = try await CartFixture.make(policy: CartPolicy(maximumQuantityPerLine: 10))
        let shared = try await fixture.product(minimumStock: 20)
        let onlyVisitor = try await fixture.product(minimumStock: 20, skip: 1)
        let customer = CartOwner.customer(id: CustomerID(42))
        try await fixture.cart.add(productID: shared.id, quantity: 6, to: customer)
        try await fixture.cart.add(productID: shared.id, quantity: 7, to: visitor)
        try await fixture.cart.add(productID: onlyVisitor.id, quantity: 2, to: visitor)

        try await fixture.cart.mergeVisitorCart(visitor, into: customer)

        let merged = try await fixture.cart.cart(for: customer)
        #expect(merged.lines.map(\.productID) == [shared.id, onlyVisitor.id])
        #expect(merged.lines.map(\.quantity) == [10, 2]) // 6 + 7 capped at the per-line limit
        #expect(try await fixture.cart.cart(for: visitor).isEmpty)
        await fixture.database.close()
    }

    @Test func cartsOfDifferentOwnersAreSeparate() async throws {
        let fixture = try await CartFixture.make()
        let product = try await fixture.product()
        try await fixture.cart.add(productID: product.id, quantity: 2, to: visitor)
        #expect(try await fixture.cart.cart(for: .visitor(key: "someone-else")).isEmpty)
        #expect(try await fixture.cart.cart(for: .customer(id: CustomerID(1))).isEmpty)
        try await fixture.cart.clear(visitor)
        #expect(try await fixture.cart.cart(for: visitor).isEmpty)
        await fixture.database.close()
    }
}
