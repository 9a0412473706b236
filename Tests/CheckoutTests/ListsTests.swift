import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Lists
import Slots
import SQLKit
import Storage
import TestSupport
import Testing

extension TestShop {
    var lists: ListsService { ListsService(database: database, catalog: catalog, cart: cart, now: { clock.now }) }

    /// The outbox events of `topic`, oldest first, as (aggregate, payload).
    func outbox(_ topic: String) async throws -> [(String, [String: String])] {
        try await database.read { sql in
            try await sql.select().columns("aggregate_id", "payload").from("outbox").where("topic", .equal, SQLBind(topic)).orderBy("id").all().map { row in
                let payload = try JSONSerialization.jsonObject(with: Data(try row.decode(column: "payload", as: String.self).utf8)) as? [String: String] ?? [:]
                return (try row.decode(column: "aggregate_id", as: String.self), payload)
            }
        }
    }
}

@Suite struct ListsTests {
    @Test func favouritesAreKeptNewestFirstAndTakingOneTwiceChangesNothing() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let first = try await shop.product()
        let second = try await shop.product(skip: 1)
        try await shop.lists.setFavourite(first.id, true, customerID: customer)
        shop.clock.advance(by: 60)
        try await shop.lists.setFavourite(second.id, true, customerID: customer)
        try await shop.lists.setFavourite(second.id, true, customerID: customer)
        #expect(try await shop.lists.favourites(customerID: customer) == [second.id, first.id])
        try await shop.lists.setFavourite(first.id, false, customerID: customer)
        #expect(try await shop.lists.favourites(customerID: customer) == [second.id])
        await #expect(throws: ListsError.unknownProduct) { try await shop.lists.setFavourite(ProductID.random(), true, customerID: customer) }
        await shop.close()
    }

    @Test func aListGoesIntoTheCartAndSaysWhatCouldNot() async throws {
        let shop = try await TestShop.make()
        let customers = try await shop.makeCustomers(2)
        let (customer, other) = (customers[0], customers[1])
        let bread = try await shop.product(in: "bakery")
        let gone = try await shop.product(skip: 1)
        let list = try await shop.lists.createList(named: "  Weekly shop ", customerID: customer)
        #expect(list.name == "Weekly shop")
        _ = try await shop.lists.setItem(bread.id, quantity: 2, onList: list.id, customerID: customer)
        let both = try await shop.lists.setItem(gone.id, quantity: 1, onList: list.id, customerID: customer)
        #expect(both.items == [ShoppingList.Item(productID: bread.id, quantity: 2), ShoppingList.Item(productID: gone.id, quantity: 1)])
        await #expect(throws: ListsError.listNotFound) { try await shop.lists.list(id: list.id, customerID: other) }
        await #expect(throws: ListsError.invalidName) { try await shop.lists.createList(named: "   ", customerID: customer) }

        try await shop.setStock(gone, to: 0)
        let missed = try await shop.lists.addToCart(list: list.id, customerID: customer).notAdded
        #expect(missed == [NotAdded(productID: gone.id, reason: "Sorry, this product is out of stock.")])
        #expect(try await shop.cart.cart(for: .customer(id: customer)).lines.map(\.productID) == [bread.id])
        _ = try await shop.lists.setItem(gone.id, quantity: 0, onList: list.id, customerID: customer)
        #expect(try await shop.lists.list(id: list.id, customerID: customer).items.map(\.productID) == [bread.id])
        try await shop.lists.deleteList(id: list.id, customerID: customer)
        #expect(try await shop.lists.lists(customerID: customer).isEmpty)
        await shop.close()
    }

    @Test func buyItAgainRanksByHowOftenAndHowRecentlyAndAddsTheUsuals() async throws {
        let shop = try await TestShop.make(slotRequirement: .optional)
        let customer = try #require(try await shop.makeCustomers(1).first)
        let owner = CartOwner.customer(id: customer)
        let milk = try await shop.product(minimumStock: 50)
        let tea = try await shop.product(minimumStock: 50, skip: 1)
        let jam = try await shop.product(minimumStock: 50, skip: 2)
        // 90 days ago: milk and tea. 40 days ago: milk. Today: jam and milk (3 of them).
        for (items, daysLater) in [([(milk, 1), (tea, 1)], 0), ([(milk, 2)], 50), ([(jam, 1), (milk, 3)], 40)] {
            shop.clock.advance(by: TimeInterval(daysLater) * 86_400)
            for (product, quantity) in items { try await shop.cart.add(productID: product.id, quantity: quantity, to: owner) }
            _ = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: UUID().uuidString)
        }
        let bought = try await shop.checkout.boughtBefore(customerID: customer)
        // Milk: 1,024 (today) + 512 (40 days: one 30-day halving) + 128 (90 days: three); jam 1,024; tea 128.
        #expect(bought.map(\.productID) == [milk.id, jam.id, tea.id])
        #expect(bought.map(\.score) == [1_664, 1_024, 128])
        #expect(bought.map(\.orders) == [3, 1, 1])
        #expect(bought.map(\.lastQuantity) == [3, 1, 1])
        #expect(bought.map(\.isUsual) == [true, false, false])

        let usuals = try await shop.checkout.addUsuals(customerID: customer)
        #expect(usuals.added == 1)
        #expect(try await shop.cart.cart(for: owner).lines.map { "\($0.productID) \($0.quantity)" } == ["\(milk.id) 3"])
        await shop.close()
    }

    @Test func reorderPutsAnOrdersLinesInTheCartAndSaysWhatIsUnavailable() async throws {
        let shop = try await TestShop.make(slotRequirement: .optional)
        let customers = try await shop.makeCustomers(2)
        let owner = CartOwner.customer(id: customers[0])
        let kept = try await shop.product(minimumStock: 20)
        let sold = try await shop.product(minimumStock: 20, skip: 1)
        try await shop.cart.add(productID: kept.id, quantity: 2, to: owner)
        try await shop.cart.add(productID: sold.id, quantity: 1, to: owner)
        let order = try await shop.checkout.placeOrder(customerID: customers[0], delivery: delivery, card: goodCard, idempotencyKey: "reorder-1").order
        try await shop.setStock(sold, to: 0)
        let again = try await shop.checkout.reorder(order.id, customerID: customers[0])
        #expect(again.added == 1)
        #expect(again.notAdded == [NotAdded(productID: sold.id, reason: "Sorry, this product is out of stock.")])
        #expect(try await shop.cart.cart(for: owner).lines.map(\.quantity) == [2])
        await #expect(throws: CheckoutError.self) { try await shop.checkout.reorder(order.id, customerID: customers[1]) }
        await shop.close()
    }

    @Test func aShopperWaitingForAProductIsToldOnceWhenItIsBack() async throws {
        let shop = try await TestShop.make(onFile: true)
        let customers = try await shop.makeCustomers(3)
        let product = try await shop.product()
        await #expect(throws: ListsError.inStock(product.name)) { try await shop.lists.requestAlert(for: product.id, customerID: customers[0]) }
        try await shop.setStock(product, to: 0)
        for customer in customers { try await shop.lists.requestAlert(for: product.id, customerID: customer) }
        try await shop.lists.cancelAlert(for: product.id, customerID: customers[2])
        #expect(try await shop.lists.alerts(customerID: customers[0]) == [product.id])
        #expect(try await shop.lists.notifyBackInStock() == 0)

        try await shop.setStock(product, to: 12)
        // Two workers at once: each alert is claimed by one of them.
        async let first = shop.lists.notifyBackInStock()
        async let second = shop.lists.notifyBackInStock()
        #expect(try await first + second == 2)
        #expect(try await shop.lists.notifyBackInStock() == 0)
        let events = try await shop.outbox(ListsService.backInStockTopic)
        #expect(events.map(\.0) == [product.id.publicString, product.id.publicString])
        #expect(Set(events.compactMap { $0.1["customer_id"] }) == Set(customers.prefix(2).map { String($0.rawValue) }))
        #expect(events.first?.1["product_name"] == product.name)
        #expect(try await shop.lists.alerts(customerID: customers[0]).isEmpty)
        await shop.close()
    }
}
