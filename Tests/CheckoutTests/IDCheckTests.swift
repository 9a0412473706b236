import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Payments
import Storage
import TestSupport
import Testing

/// A paid order of 2 paracetamol (16+) and 3 of an unrestricted product, its age declared.
func ageRestrictedOrder(_ shop: TestShop, key: String = UUID().uuidString) async throws -> (order: Order, restricted: Product, other: Product) {
    let customer = try #require(try await shop.makeCustomers(1).first)
    let restricted = try #require(try await shop.catalog.products(matching: ProductQuery(search: "GoMart Paracetamol", pageSize: 5)).products.first { $0.minimumAge == 16 })
    let other = try await shop.product()
    try await shop.cart.add(productID: restricted.id, quantity: 2, to: .customer(id: customer))
    try await shop.cart.add(productID: other.id, quantity: 3, to: .customer(id: customer))
    let placed = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: key, ageDeclared: true)
    return (placed.order, restricted, other)
}

@Suite struct IDCheckTests {
    @Test func ageRestrictedGoodsNeedTheShoppersDeclarationAndMarkTheOrderForAnIDCheck() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let restricted = try #require(try await shop.catalog.products(matching: ProductQuery(search: "Ibuprofen", pageSize: 5)).products.first { $0.minimumAge == 16 })
        try await shop.cart.add(productID: restricted.id, quantity: 1, to: .customer(id: customer))
        do {
            _ = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "undeclared-key")
            Issue.record("an age-restricted order was placed without the declaration")
        } catch CheckoutError.invalidFields(let fields) {
            #expect(fields == ["age_declaration": "Some items are for people aged 16 or over: please confirm that you are. We check ID when we hand them over."])
        }
        #expect(try await shop.checkout.orders(customerID: customer).isEmpty)
        let placed = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "declared-key", ageDeclared: true)
        #expect(placed.order.idCheckAge == 16)
        #expect(placed.order.lines.map(\.minimumAge) == [16])
        await shop.close()
    }

    @Test func withoutProofOfAgeTheRestrictedItemsAreKeptBackNotChargedAndBackInStock() async throws {
        let shop = try await TestShop.make()
        let (order, restricted, other) = try await ageRestrictedOrder(shop)
        try await shop.fulfilment.move(order.id, .startPicking, by: picker)
        let packed = try await shop.fulfilment.pack(order.id, picked: nil, by: picker)
        // Not captured at packing: what is handed over is not known until the door.
        #expect(packed.payment?.state == .authorised)
        try await shop.fulfilment.move(order.id, .dispatch, by: driver)
        let stockBefore = try await shop.stock(of: restricted)

        let delivered = try await shop.fulfilment.move(order.id, .deliverWithoutRestricted, by: driver)
        let kept = restricted.price.minorUnits * 2
        #expect(delivered.status == .delivered)
        #expect(delivered.lines.map(\.refundedQuantity) == [2, 0])
        #expect(delivered.refunds.map(\.state) == [.released])
        #expect(delivered.timeline.last?.note == "\(Money(minorUnits: kept, currency: .gbp).formatted) not charged. Kept back at the door, no proof of age: 2 × \(restricted.name)")
        #expect(delivered.payment == OrderPayment(authorised: order.total, captured: Money(minorUnits: order.total.minorUnits - kept, currency: .gbp), state: .captured))
        #expect(try await shop.stock(of: restricted) == stockBefore + 2)
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: order.total.minorUnits - kept, refunded: 0, authorised: 0))
        _ = other
        await shop.close()
    }

    @Test func withProofOfAgeEverythingIsCapturedAtTheDoorAndARefusedOrderChargesNothing() async throws {
        let shop = try await TestShop.make()
        let (order, _, _) = try await ageRestrictedOrder(shop)
        let (refusedOrder, _, _) = try await ageRestrictedOrder(shop)
        for id in [order.id, refusedOrder.id] {
            try await shop.fulfilment.move(id, .startPicking, by: picker)
            try await shop.fulfilment.pack(id, picked: nil, by: picker)
            try await shop.fulfilment.move(id, .dispatch, by: driver)
        }
        let delivered = try await shop.fulfilment.move(order.id, .deliver, by: driver)
        #expect(delivered.payment == OrderPayment(authorised: order.total, captured: order.total, state: .captured))
        let refused = try await shop.fulfilment.move(refusedOrder.id, .refuse, by: driver)
        #expect(refused.payment?.state == .voided)
        #expect(refused.refunds.map(\.reason) == ["Refused at the door"])
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: order.total.minorUnits, refunded: 0, authorised: 0))
        await shop.close()
    }

    @Test func anOrderWithoutRestrictedGoodsHasNothingToKeepBack() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let (order, _) = try await paidOrder(shop, customer: customer, quantities: [1])
        #expect(order.idCheckAge == 0)
        try await shop.fulfilment.move(order.id, .startPicking, by: picker)
        try await shop.fulfilment.pack(order.id, picked: nil, by: picker)
        try await shop.fulfilment.move(order.id, .dispatch, by: driver)
        await #expect(throws: FulfilmentError.invalidRefund("This order has no age-restricted items to keep back.")) {
            try await shop.fulfilment.move(order.id, .deliverWithoutRestricted, by: driver)
        }
        await shop.close()
    }
}
