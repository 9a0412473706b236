import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Payments
import Pricing
import TestSupport
import Testing

@Suite struct DepositTests {
    @Test func bottleDepositsAreChargedOnTopNeverDiscountedAndGoBackWithEachUnitNotPicked() async throws {
        let shop = try await TestShop.make()
        let found = try await shop.catalog.products(matching: ProductQuery(search: "still spring water", pageSize: 50)).products
        let water = try #require(found.first { $0.name == "GoMart Still Spring Water" && $0.packSize == "6 × 500 ml" })
        #expect(water.deposit.minorUnits == 120)
        let customer = try #require(try await shop.makeCustomers(1).first)
        let owner = CartOwner.customer(id: customer)
        try await shop.cart.add(productID: water.id, quantity: 2, to: owner)
        try await shop.cart.add(productID: try await shop.product(in: "bakery").id, quantity: 6, to: owner)
        let cart = try await shop.cart.cart(for: owner)
        #expect(cart.quote.charges == [Adjustment(kind: .deposit, label: "Deposits on bottles and cans (returnable)", amount: Money(minorUnits: 240, currency: .gbp))])
        // A saving as large as the goods takes the goods to nothing; the deposits stay.
        let everything = Voucher(code: "ALL", label: "Everything free", value: .amountOff(Money(minorUnits: 1_000_000, currency: .gbp)),
                                 minimumSpend: Money(minorUnits: 0, currency: .gbp))
        let discounted = Pricing.quote(cart.lines.compactMap { $0.product?.pricedLine(quantity: $0.quantity) }, rules: shop.cart.policy.pricing, currency: .gbp,
                                       promotions: Promotions(voucher: everything))
        #expect(discounted.charges.map(\.amount.minorUnits) == [240])
        #expect(discounted.goods.minorUnits == 0)

        let order = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: UUID().uuidString).order
        #expect(order.charges.map(\.amount.minorUnits) == [240])
        #expect(order.total == Pricing.sum([order.subtotal, order.deliveryFee, Money(minorUnits: 240, currency: .gbp)], currency: .gbp))
        try await shop.fulfilment.move(order.id, .startPicking, by: picker)
        let packed = try await shop.fulfilment.pack(order.id, picked: [1: 1], by: picker)
        // The pack not found is not charged, nor its deposit.
        #expect(packed.refunds.map(\.amount.minorUnits) == [water.price.minorUnits + 120])
        #expect(packed.payment?.captured.minorUnits == order.total.minorUnits - water.price.minorUnits - 120)
        await shop.close()
    }

    @Test func aBottledSubstituteCarriesItsDepositAndARejectedOneGivesItBack() async throws {
        let shop = try await TestShop.make()
        let found = try await shop.catalog.products(matching: ProductQuery(search: "still spring water", pageSize: 50)).products
        let water = try #require(found.first { $0.name == "GoMart Still Spring Water" && $0.packSize == "6 × 500 ml" })
        let other = try #require(found.first { $0.id != water.id && $0.packSize == "6 × 500 ml" && SubstituteRule().accepts($0, for: water) })
        let customer = try #require(try await shop.makeCustomers(1).first)
        try await shop.cart.add(productID: water.id, quantity: 2, to: .customer(id: customer))
        try await shop.cart.add(productID: try await shop.product(in: "bakery").id, quantity: 6, to: .customer(id: customer))
        let order = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: UUID().uuidString).order
        try await shop.fulfilment.move(order.id, .startPicking, by: picker)
        let packed = try await shop.fulfilment.pack(order.id, picked: [1: 1], substitutes: [1: other.id], by: picker)
        let substitute = try #require(packed.lines.last)
        #expect(substitute.deposit == 120)
        let price = min(other.price.minorUnits, water.price.minorUnits)
        #expect(packed.total.minorUnits == order.total.minorUnits + price + 120)
        let rejected = try await shop.fulfilment.answerSubstitute(order.id, line: 3, accept: false, by: .customer, customerID: customer)
        #expect(rejected.refunds.map(\.amount.minorUnits) == [water.price.minorUnits + 120, price + 120])
        try await shop.fulfilment.move(order.id, .dispatch, by: driver)
        let delivered = try await shop.fulfilment.move(order.id, .deliver, by: driver)
        #expect(delivered.payment?.captured.minorUnits == order.total.minorUnits - water.price.minorUnits - 120)
        await shop.close()
    }
}
