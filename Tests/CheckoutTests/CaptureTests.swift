import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Payments
import Pricing
import PropertyBased
import SQLKit
import Storage
import TestSupport
import Testing

/// How many captures the sandbox recorded.
func captureCount(_ shop: TestShop) async throws -> Int {
    try await shop.database.read { sql in
        try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("sandbox_captures").first()?.decode(column: "n", as: Int.self) ?? 0
    }
}

@Suite struct CaptureTests {
    @Test func anOrderIsCapturedOnceUnderRetriesWhenTheCapturesAnswerIsLost() async throws {
        let shop = try await TestShop.make(payments: { database, clock in FlakyGateway(sandbox: SandboxPaymentProvider(database: database, now: { clock.now })) })
        let gateway = try #require(shop.payments as? FlakyGateway)
        let customer = try #require(try await shop.makeCustomers(1).first)
        let (order, _) = try await paidOrder(shop, customer: customer, quantities: [2, 1])
        try await shop.fulfilment.move(order.id, .startPicking, by: picker)

        // The capture goes through but its answer is lost, as if the shop died before writing it down.
        gateway.loseCaptureAnswers(true)
        let packed = try await shop.fulfilment.pack(order.id, picked: nil, by: picker)
        #expect(packed.payment == OrderPayment(authorised: order.total, captured: Money(minorUnits: 0, currency: .gbp), state: .capturing))
        // Nothing can be given back while the amount is being taken.
        await #expect(throws: FulfilmentError.invalidRefund("The payment for this order is still being taken; try again in a minute.")) {
            try await shop.fulfilment.refund(order.id, lines: [1: 1], delivery: false, reason: "Damaged", idempotencyKey: "refund-while-capturing", by: picker)
        }
        shop.clock.advance(by: 31)
        #expect(try await shop.fulfilment.completePendingCaptures() == 0)
        #expect(try await shop.fulfilment.completePendingCaptures() == 0)
        gateway.loseCaptureAnswers(false)
        #expect(try await shop.fulfilment.completePendingCaptures() == 1)
        #expect(try await shop.fulfilment.completePendingCaptures() == 0)

        #expect(gateway.captureCalls == 4)
        #expect(try await captureCount(shop) == 1)
        #expect(try await shop.fulfilment.order(id: order.id).payment == OrderPayment(authorised: order.total, captured: order.total, state: .captured))
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: order.total.minorUnits, refunded: 0, authorised: 0))
        await shop.close()
    }

    @Test func aRefundAfterTheCaptureGoesBackToTheCard() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let (order, products) = try await paidOrder(shop, customer: customer, quantities: [2])
        try await shop.fulfilment.move(order.id, .startPicking, by: picker)
        try await shop.fulfilment.pack(order.id, picked: nil, by: picker)

        let refunded = try await shop.fulfilment.refund(order.id, lines: [1: 1], delivery: false, reason: "Damaged", idempotencyKey: "damaged-one", by: picker)
        #expect(refunded.refunds.map(\.state) == [.succeeded])
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: order.total.minorUnits, refunded: products[0].price.minorUnits, authorised: 0))
        await shop.close()
    }

    @Test func anAuthorisationAboutToExpireIsRenewedOnTheSavedCardAndTheOldOneVoided() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let (order, _) = try await paidOrder(shop, customer: customer, quantities: [1])
        #expect(try await shop.fulfilment.renewExpiringAuthorisations() == 0)
        shop.clock.advance(by: 6 * 86_400 + 3_600) // less than a day of the 7 left
        #expect(try await shop.fulfilment.renewExpiringAuthorisations() == 1)
        #expect(try await shop.fulfilment.renewExpiringAuthorisations() == 0)
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: 0, refunded: 0, authorised: order.total.minorUnits))

        shop.clock.advance(by: 2 * 86_400) // the first authorisation has lapsed; the renewed one has not
        try await shop.fulfilment.move(order.id, .startPicking, by: picker)
        let packed = try await shop.fulfilment.pack(order.id, picked: nil, by: picker)
        #expect(packed.payment?.state == .captured)
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: order.total.minorUnits, refunded: 0, authorised: 0))
        await shop.close()
    }

    @Test func anExpiredAuthorisationIsAuthorisedAgainWhenTheOrderIsPacked() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let (order, _) = try await paidOrder(shop, customer: customer, quantities: [1])
        shop.clock.advance(by: 8 * 86_400)
        try await shop.fulfilment.move(order.id, .startPicking, by: picker)
        let packed = try await shop.fulfilment.pack(order.id, picked: nil, by: picker)
        #expect(packed.payment?.state == .captured)
        #expect(packed.payment?.captured == order.total)
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: order.total.minorUnits, refunded: 0, authorised: 0))
        await shop.close()
    }

    /// Random orders of 1 to 6 lines, each picked in full, in part or not at all.
    static let ordersGenerator = zip(Gen.int(in: 1...4), Gen.int(in: 0...4)).array(of: 1...6)

    @Test func whatIsCapturedIsWhatWasPickedNeverMoreThanAuthorisedAndEveryPennyIsAccountedFor() async throws {
        var policy = CartPolicy(minimumOrder: Money(minorUnits: 1, currency: .gbp))
        policy.pricing.bagCharge = Money(minorUnits: 40, currency: .gbp)
        policy.pricing.smallBasketCharge = Money(minorUnits: 300, currency: .gbp)
        policy.pricing.smallBasketThreshold = Money(minorUnits: 15_00, currency: .gbp)
        let shop = try await TestShop.make(policy: policy)
        let customers = try await shop.makeCustomers(20)
        let products = Array(try await shop.catalog.products(matching: ProductQuery(inStockOnly: true, sort: .name, pageSize: 100)).products
            .filter { $0.stock >= 60 }.prefix(6))
        try #require(products.count == 6)
        let rules = policy.pricing
        nonisolated(unsafe) var next = 0
        await propertyCheck(count: 20, input: Self.ordersGenerator) { lines in
            let customer = customers[next % customers.count]
            next += 1
            let wanted = Array(lines.prefix(products.count).enumerated())
            for (index, line) in wanted { try await shop.cart.add(productID: products[index].id, quantity: line.0, to: .customer(id: customer)) }
            let placed = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: UUID().uuidString)
            let order = placed.order
            try await shop.fulfilment.move(order.id, .startPicking, by: picker)
            var picks: [Int: Int] = [:]
            for line in order.lines { picks[line.number] = min(wanted[line.number - 1].1.1, line.quantity) }
            let packed = try await shop.fulfilment.pack(order.id, picked: picks, by: picker)

            let payment = try #require(packed.payment)
            let pickedGoods = packed.lines.reduce(Int64(0)) { $0 + $1.unitPrice.minorUnits * Int64($1.pickedQuantity ?? 0) }
            let nothing = pickedGoods == 0
            // captured = Σ final lines + adjustments (delivery and the shop's charges, kept unless nothing was picked)
            let charges = order.charges.reduce(Int64(0)) { $0 + $1.amount.minorUnits }
            #expect(payment.captured.minorUnits == (nothing ? 0 : pickedGoods + order.deliveryFee.minorUnits + charges))
            #expect(order.total.minorUnits == order.subtotal.minorUnits + order.deliveryFee.minorUnits + charges)
            #expect(order.charges.first?.kind == .bagCharge)
            #expect(payment.captured.minorUnits <= payment.authorised.minorUnits)
            #expect(payment.state == (nothing ? .voided : .captured))
            // Every penny of the total is captured or released, and the records say which.
            let released = packed.refunds.filter { $0.state == .released }.reduce(Int64(0)) { $0 + $1.amount.minorUnits }
            #expect(order.total.minorUnits == payment.captured.minorUnits + released)
            #expect(packed.refunded.minorUnits == released)
            #expect(Pricing.quote(order.lines.map { PricedLine(unitPrice: $0.unitPrice, quantity: $0.quantity) }, rules: rules, currency: .gbp).total.minorUnits
                    >= payment.captured.minorUnits)
        }
        let ledger = try await shop.sandboxLedger()
        #expect(ledger.authorised == 0)
        await shop.close()
    }
}
