import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Payments
import Pricing
import PropertyBased
import Storage
import TestSupport
import Testing

/// The demo's loose Braeburn apples (£1.90 per kg, by weight in 250 g steps, ±10 %) and loose
/// organic bananas (£1.20 per kg, by count, about 180 g each, ±10 %).
func looseGoods(_ shop: TestShop) async throws -> (apples: Product, bananas: Product) {
    let found = try await shop.catalog.products(matching: ProductQuery(search: "loose", pageSize: 50)).products
    let apples = try #require(found.first { $0.sku == "FV-0004" })
    let bananas = try #require(found.first { $0.sku == "FV-0002" })
    return (apples, bananas)
}

@Suite struct WeighedGoodsTests {
    @Test func looseGoodsAreBoughtInStepsOrByCountAndPricedAsAnEstimate() async throws {
        let shop = try await TestShop.make()
        let (apples, bananas) = try await looseGoods(shop)
        #expect(apples.weighing == Weighing(mode: .weight, stepGrams: 250, minimumGrams: 250, maximumGrams: 3000, averageGrams: 0, tolerancePercent: 10))
        #expect(bananas.weighing == .byCount(averageGrams: 180))
        let owner = CartOwner.visitor(key: "weighed")
        do {
            try await shop.cart.add(productID: apples.id, quantity: 700, to: owner)
            Issue.record("700 g was accepted though the steps are 250 g")
        } catch let error as CartError {
            #expect(error == .invalidAmount("Choose a weight from 250 g to 3 kg in steps of 250 g."))
        }
        try await shop.cart.add(productID: apples.id, quantity: 500, to: owner)
        try await shop.cart.add(productID: apples.id, quantity: 250, to: owner)
        try await shop.cart.add(productID: bananas.id, quantity: 4, to: owner)
        let cart = try await shop.cart.cart(for: owner)
        // 750 g at £1.90/kg is 142.5p, rounded half up; 4 bananas are about 720 g at £1.20/kg: 86.4p.
        #expect(cart.lines.map(\.quantity) == [750, 4])
        #expect(cart.lines.map(\.unit) == ["g", "each"])
        #expect(cart.lines.map(\.quantityText) == ["750 g", "4 (about 720 g)"])
        #expect(cart.lines.map(\.lineTotal.minorUnits) == [143, 86])
        #expect(cart.itemCount == 5)
        #expect(try await shop.cart.itemCount(for: owner) == 5)
        #expect(cart.isEstimate)
        // The card is reserved for the heaviest picks: 825 g of apples (156.75p) and 792 g of bananas (95.04p).
        #expect(cart.authorisation.minorUnits == cart.total.minorUnits + (157 - 143) + (95 - 86))
        await shop.close()
    }

    @Test func thePickersWeightsRepriceTheOrderWithinTheToleranceAndTheCardIsCapturedForThem() async throws {
        let shop = try await TestShop.make()
        let (apples, bananas) = try await looseGoods(shop)
        let other = try await shop.product()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let owner = CartOwner.customer(id: customer)
        try await shop.cart.add(productID: apples.id, quantity: 1000, to: owner)
        try await shop.cart.add(productID: bananas.id, quantity: 4, to: owner)
        try await shop.cart.add(productID: other.id, quantity: 10, to: owner)
        let applesBefore = try await shop.stock(of: apples), bananasBefore = try await shop.stock(of: bananas)
        let order = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: UUID().uuidString).order
        #expect(order.lines.map(\.weighed?.orderedGrams) == [1000, 720, nil])
        #expect(order.lines.map(\.lineTotal.minorUnits) == [190, 86, other.price.minorUnits * 10])
        // Authorised: the estimate plus the weighed goods' margin (1.1 kg of apples: 209p; 792 g of bananas: 95p).
        #expect(order.payment?.authorised.minorUnits == order.total.minorUnits + 19 + 9)
        #expect(try await shop.stock(of: apples) == applesBefore - 1000)
        #expect(try await shop.stock(of: bananas) == bananasBefore - 720)

        try await shop.fulfilment.move(order.id, .startPicking, by: picker)
        do {
            _ = try await shop.fulfilment.pack(order.id, picked: nil, weights: [1: 1200], by: picker)
            Issue.record("a weight 20 % over was accepted")
        } catch let error as FulfilmentError {
            #expect(error.description == "Loose Braeburn Apples: the weight must be from 900 g to 1.1 kg (the 1 kg ordered, ±10 %), or 0 when none was found.")
        }
        // Apples 6 % over; 3 of the 4 bananas, weighing 560 g (the estimate for 3 is 540 g).
        let packed = try await shop.fulfilment.pack(order.id, picked: [2: 3], weights: [1: 1060, 2: 560], by: picker)
        #expect(packed.lines.map(\.weighed?.pickedGrams) == [1060, 560, nil])
        #expect(packed.lines.map(\.lineTotal.minorUnits) == [201, 67, other.price.minorUnits * 10])
        #expect(packed.lines.map(\.pickedQuantity) == [1000, 3, 10])
        #expect(packed.refunds.isEmpty)
        let change = (201 - 190) + (67 - 86)
        #expect(packed.total.minorUnits == order.total.minorUnits + Int64(change))
        #expect(packed.subtotal.minorUnits == order.subtotal.minorUnits + Int64(change))
        #expect(packed.payment == OrderPayment(authorised: try #require(order.payment?.authorised), captured: packed.total, state: .captured))
        #expect(packed.timeline.last?.note == "Weighed: 1.06 kg of Loose Braeburn Apples, £2.01 (estimated £1.90); 560 g of Loose Organic Bananas, £0.67 (estimated £0.86)")
        // Stock follows the weights: 60 g more apples taken, 160 g of bananas back.
        #expect(try await shop.stock(of: apples) == applesBefore - 1060)
        #expect(try await shop.stock(of: bananas) == bananasBefore - 560)
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: packed.total.minorUnits, refunded: 0, authorised: 0))
        await shop.close()
    }

    @Test func aWeighedLineNotFoundIsNotChargedAndIsRefundedOnlyWhole() async throws {
        let shop = try await TestShop.make()
        let (apples, bananas) = try await looseGoods(shop)
        let other = try await shop.product()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let owner = CartOwner.customer(id: customer)
        try await shop.cart.add(productID: apples.id, quantity: 500, to: owner)
        try await shop.cart.add(productID: bananas.id, quantity: 2, to: owner)
        try await shop.cart.add(productID: other.id, quantity: 10, to: owner)
        let order = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: UUID().uuidString).order
        try await shop.fulfilment.move(order.id, .startPicking, by: picker)
        let packed = try await shop.fulfilment.pack(order.id, picked: nil, weights: [1: 0, 2: 350], by: picker)
        #expect(packed.refunds.map(\.amount.minorUnits) == [95])
        #expect(packed.refunds.map(\.state) == [.released])
        #expect(packed.payment?.captured == Pricing.remaining(of: packed.total, after: packed.refunded))
        try await shop.fulfilment.move(order.id, .dispatch, by: driver)
        try await shop.fulfilment.move(order.id, .deliver, by: driver)
        do {
            _ = try await shop.fulfilment.refund(order.id, lines: [2: 1], delivery: false, reason: "Bruised", idempotencyKey: "bruised-1", by: picker)
            Issue.record("part of a weighed line was refunded")
        } catch let error as FulfilmentError {
            #expect(error.description == "Loose Organic Bananas was weighed: refund the whole line (2) or none of it.")
        }
        let refunded = try await shop.fulfilment.refund(order.id, lines: [2: 2], delivery: false, reason: "Bruised", idempotencyKey: "bruised-2", by: picker)
        // The bananas as weighed: 350 g at £1.20/kg.
        #expect(refunded.refunds.last?.amount.minorUnits == 42)
        await shop.close()
    }

    /// Random orders of apples by weight, bananas by count and a pack line, each weighed
    /// anywhere within its tolerance, picked in part or not found.
    static let ordersGenerator = zip(Gen.int(in: 1...4), Gen.int(in: 1...8), Gen.int(in: 0...5), Gen.int(in: -10...10), Gen.int(in: -10...10), Gen.int(in: 0...8))

    @Test func capturedIsTheWeighedLinesPlusTheRestNeverMoreThanAuthorised() async throws {
        var policy = CartPolicy(minimumOrder: Money(minorUnits: 1, currency: .gbp))
        policy.pricing.bagCharge = Money(minorUnits: 40, currency: .gbp)
        let shop = try await TestShop.make(policy: policy)
        let (apples, bananas) = try await looseGoods(shop)
        let other = try await shop.product(minimumStock: 60)
        let customers = try await shop.makeCustomers(20)
        nonisolated(unsafe) var next = 0
        await propertyCheck(count: 20, input: Self.ordersGenerator) { steps, count, packs, appleSkew, bananaSkew, bananasPicked in
            let customer = customers[next % customers.count]
            next += 1
            let owner = CartOwner.customer(id: customer)
            try await shop.cart.add(productID: apples.id, quantity: steps * 250, to: owner)
            try await shop.cart.add(productID: bananas.id, quantity: count, to: owner)
            if packs > 0 { try await shop.cart.add(productID: other.id, quantity: packs, to: owner) }
            let order = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: UUID().uuidString).order
            try await shop.fulfilment.move(order.id, .startPicking, by: picker)
            // Each weight anywhere within ±10 % of the estimate for what was picked (skew in per cent).
            let found = min(bananasPicked, count)
            let appleGrams = steps * 250 * (100 + appleSkew) / 100
            let bananaGrams = found * 180 * (100 + bananaSkew) / 100
            let packed = try await shop.fulfilment.pack(order.id, picked: [2: found], weights: [1: appleGrams, 2: found == 0 ? 0 : bananaGrams], by: picker)

            let payment = try #require(packed.payment)
            let finalLines = Pricing.weighed(grams: appleGrams, pricePerKilogram: apples.price).minorUnits
                + (found == 0 ? 0 : Pricing.weighed(grams: bananaGrams, pricePerKilogram: bananas.price).minorUnits)
                + other.price.minorUnits * Int64(packs)
            let adjustments = order.deliveryFee.minorUnits + order.charges.reduce(Int64(0)) { $0 + $1.amount.minorUnits }
            #expect(payment.captured.minorUnits == finalLines + adjustments)
            #expect(payment.captured.minorUnits <= payment.authorised.minorUnits)
            #expect(payment.state == .captured)
            // Every penny of the final total is captured or released, and the records say which.
            let released = packed.refunds.filter { $0.state == .released }.reduce(Int64(0)) { $0 + $1.amount.minorUnits }
            #expect(packed.total.minorUnits == payment.captured.minorUnits + released)
            #expect(packed.total.minorUnits == packed.lines.reduce(Int64(0)) { $0 + $1.lineTotal.minorUnits } + adjustments)
        }
        #expect(try await shop.sandboxLedger().authorised == 0)
        await shop.close()
    }
}
