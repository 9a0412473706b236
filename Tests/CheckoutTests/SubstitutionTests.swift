import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Payments
import Pricing
import SQLKit
import Storage
import TestSupport
import Testing

/// A pantry product with plenty of stock and another that may stand in for it under the shop's
/// rule (same aisle, unit price within ±20 %, no other allergens, no higher age).
func productWithASubstitute(_ shop: TestShop) async throws -> (original: Product, substitute: Product) {
    let rule = SubstituteRule()
    let pantry = try await shop.catalog.products(matching: ProductQuery(aisleSlug: "pantry", inStockOnly: true, sort: .name, pageSize: 100)).products
        .filter { $0.stock >= 30 }
    for original in pantry {
        if let substitute = pantry.first(where: { rule.accepts($0, for: original) && $0.price.minorUnits >= original.price.minorUnits }) {
            return (original, substitute)
        }
    }
    throw CatalogError.aisleNotFound("pantry")
}

/// A paid order of 3 of `original` and 6 of `other`, `original` with `choice`.
func orderAllowingSubstitutes(_ shop: TestShop, original: Product, choice: SubstitutionChoice) async throws -> (order: Order, customer: CustomerID) {
    let customer = try #require(try await shop.makeCustomers(1).first)
    let owner = CartOwner.customer(id: customer)
    try await shop.cart.add(productID: original.id, quantity: 3, to: owner)
    try await shop.cart.setSubstitution(productID: original.id, to: choice, for: owner)
    try await shop.cart.add(productID: try await shop.product(in: "bakery").id, quantity: 6, to: owner)
    let order = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: UUID().uuidString).order
    return (order, customer)
}

func outboxTopics(_ shop: TestShop, aggregate: String) async throws -> [String] {
    try await shop.database.read { sql in
        try await sql.select().column("topic").from("outbox").where("aggregate_id", .equal, SQLBind(aggregate)).orderBy("id").all()
            .map { try $0.decode(column: "topic", as: String.self) }
    }
}

@Suite struct SubstitutionTests {
    @Test func theShopperChoosesPerLineAndANamedSubstituteMustPassTheShopsRule() async throws {
        let shop = try await TestShop.make()
        let (original, substitute) = try await productWithASubstitute(shop)
        let elsewhere = try await shop.product(in: "household")
        let owner = CartOwner.visitor(key: "choices")
        try await shop.cart.add(productID: original.id, quantity: 1, to: owner)
        #expect(try await shop.cart.cart(for: owner).lines.map(\.substitution) == [.anySimilar])
        do {
            try await shop.cart.setSubstitution(productID: original.id, to: .product(elsewhere.id), for: owner)
            Issue.record("a product from another aisle was accepted as a substitute")
        } catch let error as CartError {
            #expect(error == .invalidSubstitute("\(elsewhere.name) is in another aisle."))
        }
        try await shop.cart.setSubstitution(productID: original.id, to: .product(substitute.id), for: owner)
        let line = try #require(try await shop.cart.cart(for: owner).lines.first)
        #expect(line.substitution == .product(substitute.id))
        #expect(line.substitute?.id == substitute.id)
        try await shop.cart.setSubstitution(productID: original.id, to: .none, for: owner)
        #expect(try await shop.cart.cart(for: owner).lines.map(\.substitution) == [.none])
        await shop.close()
    }

    @Test func aSubstituteTheShopperRejectsOnlineIsNotChargedAndGoesBackToStock() async throws {
        let shop = try await TestShop.make()
        let (original, substitute) = try await productWithASubstitute(shop)
        let (order, customer) = try await orderAllowingSubstitutes(shop, original: original, choice: .anySimilar)
        try await shop.fulfilment.move(order.id, .startPicking, by: picker)
        let stockBefore = try await shop.stock(of: substitute)
        // One of the three found; the picker puts in two of the substitute for the other two.
        let packed = try await shop.fulfilment.pack(order.id, picked: [1: 1], substitutes: [1: substitute.id], by: picker)
        let line = try #require(packed.lines.last)
        #expect(line.number == 3)
        #expect(line.substitute == OrderLine.Substitute(forLine: 1, state: .proposed))
        #expect(line.quantity == 2)
        // Never dearer than what it stands in for.
        #expect(line.unitPrice == original.price)
        #expect(packed.total.minorUnits == order.total.minorUnits + original.price.minorUnits * 2)
        #expect(packed.refunds.map(\.amount.minorUnits) == [original.price.minorUnits * 2])
        // Not captured yet: the shopper may still reject it.
        #expect(packed.payment?.state == .authorised)
        #expect(try await shop.stock(of: substitute) == stockBefore - 2)
        #expect(try await outboxTopics(shop, aggregate: order.id.publicString).suffix(2) == ["order_packed", "order_substituted"])
        #expect(packed.timeline.last?.note?.hasSuffix("Substituted: 2 × \(substitute.name) for \(original.name)") == true)

        let rejected = try await shop.fulfilment.answerSubstitute(order.id, line: 3, accept: false, by: .customer, customerID: customer)
        #expect(rejected.lines.last?.substitute?.state == .rejected)
        #expect(rejected.lines.last?.refundedQuantity == 2)
        #expect(rejected.refunds.map(\.state) == [.released, .released])
        #expect(try await shop.stock(of: substitute) == stockBefore)
        #expect(rejected.timeline.last?.note == "\(Money(minorUnits: original.price.minorUnits * 2, currency: .gbp).formatted) not charged. Substitute rejected: 2 × \(substitute.name) for \(original.name)")

        try await shop.fulfilment.move(order.id, .dispatch, by: driver)
        do {
            _ = try await shop.fulfilment.answerSubstitute(order.id, line: 3, accept: true, by: .customer, customerID: customer)
            Issue.record("the shopper answered after dispatch")
        } catch let error as FulfilmentError {
            #expect(error == .conflict(current: .outForDelivery))
        }
        let delivered = try await shop.fulfilment.move(order.id, .deliver, by: driver)
        // Captured at the door: the one original found, the other line, delivery; not the substitute.
        let expected = order.total.minorUnits - original.price.minorUnits * 2
        #expect(delivered.payment == OrderPayment(authorised: try #require(order.payment?.authorised), captured: Money(minorUnits: expected, currency: .gbp), state: .captured))
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: expected, refunded: 0, authorised: 0))
        await shop.close()
    }

    @Test func anAcceptedSubstituteIsChargedAndTheDriverCanTakeOneBackAtTheDoor() async throws {
        let shop = try await TestShop.make()
        let (original, substitute) = try await productWithASubstitute(shop)
        let (order, customer) = try await orderAllowingSubstitutes(shop, original: original, choice: .product(substitute.id))
        try await shop.fulfilment.move(order.id, .startPicking, by: picker)
        let other = try await shop.product(in: "pantry", minimumStock: 30, skip: 1)
        do {
            _ = try await shop.fulfilment.pack(order.id, picked: [1: 0], substitutes: [1: other.id == substitute.id ? original.id : other.id], by: picker)
            Issue.record("a product the shopper did not name was put in")
        } catch let error as FulfilmentError {
            #expect(error == .invalidPicks("\(original.name): the shopper named another substitute."))
        }
        _ = try await shop.fulfilment.pack(order.id, picked: [1: 0], substitutes: [1: substitute.id], by: picker)
        let accepted = try await shop.fulfilment.answerSubstitute(order.id, line: 3, accept: true, by: .customer, customerID: customer)
        #expect(accepted.lines.last?.substitute?.state == .accepted)
        try await shop.fulfilment.move(order.id, .dispatch, by: driver)
        // At the door the shopper changes their mind: the driver takes it back.
        let atDoor = try await shop.fulfilment.answerSubstitute(order.id, line: 3, accept: false, by: driver)
        #expect(atDoor.refunds.last?.reason == "Substitute rejected at the door: 3 × \(substitute.name) for \(original.name)")
        let delivered = try await shop.fulfilment.move(order.id, .deliver, by: driver)
        #expect(delivered.payment?.captured.minorUnits == order.total.minorUnits - original.price.minorUnits * 3)
        await shop.close()
    }

    @Test func theRuleWantsThePriceForTheAmountAndThePackSizeWithinTheBand() async throws {
        let shop = try await TestShop.make()
        let oils = try await shop.catalog.products(matching: ProductQuery(search: "extra virgin olive oil", pageSize: 50)).products
        let litre = try #require(oils.first { $0.name == "GoMart Finest Extra Virgin Olive Oil" && $0.packSize == "1 L" })
        let otherLitre = try #require(oils.first { $0.name == "Extra Virgin Olive Oil" && $0.packSize == "1 L" })
        let half = try #require(oils.first { $0.name == "Extra Virgin Olive Oil" && $0.packSize == "500 ml" })
        let rule = SubstituteRule()
        #expect(rule.problem(with: otherLitre, for: litre) == nil)
        #expect(rule.problem(with: half, for: litre) == "Extra Virgin Olive Oil comes in another size (500 ml, not 1 L).")
        // £10.20 a litre is 14 % less than £11.89: within 20 %, not within 10 %.
        #expect((litre.unitPrice.minorUnits, otherLitre.unitPrice.minorUnits) == (1189, 1020))
        #expect(SubstituteRule(priceBandPercent: 10).problem(with: otherLitre, for: litre) == "Extra Virgin Olive Oil costs more than 10 % more or less for the same amount.")
        await shop.close()
    }

    @Test func noSubstituteMeansNoneAndTheRuleStopsAnotherAisle() async throws {
        let shop = try await TestShop.make()
        let (original, _) = try await productWithASubstitute(shop)
        let (order, _) = try await orderAllowingSubstitutes(shop, original: original, choice: .none)
        let (anyOrder, _) = try await orderAllowingSubstitutes(shop, original: original, choice: .anySimilar)
        let elsewhere = try await shop.product(in: "household")
        for id in [order.id, anyOrder.id] { try await shop.fulfilment.move(id, .startPicking, by: picker) }
        do {
            _ = try await shop.fulfilment.pack(order.id, picked: [1: 0], substitutes: [1: elsewhere.id], by: picker)
            Issue.record("a substitute was put in against the shopper's wish")
        } catch let error as FulfilmentError {
            #expect(error == .invalidPicks("\(original.name): the shopper asked for no substitute."))
        }
        do {
            _ = try await shop.fulfilment.pack(anyOrder.id, picked: [1: 0], substitutes: [1: elsewhere.id], by: picker)
            Issue.record("a product from another aisle was put in")
        } catch let error as FulfilmentError {
            #expect(error == .invalidPicks("\(original.name): \(elsewhere.name) is in another aisle."))
        }
        await shop.close()
    }
}
