import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Payments
import Pricing
import Slots
import Storage
import TestSupport
import Testing

/// A gateway that declines every authorisation on a saved card (a raise the bank refuses).
struct DecliningSavedCards: PaymentProvider {
    let sandbox: SandboxPaymentProvider
    var name: String { sandbox.name }
    func charge(amount: Money, card: CardDetails, orderReference: String, idempotencyKey: String) async throws -> ChargeOutcome {
        try await sandbox.charge(amount: amount, card: card, orderReference: orderReference, idempotencyKey: idempotencyKey)
    }
    func refund(chargeReference: String, amount: Money, idempotencyKey: String) async throws -> RefundReceipt {
        try await sandbox.refund(chargeReference: chargeReference, amount: amount, idempotencyKey: idempotencyKey)
    }
    func lookUpCharge(idempotencyKey: String) async throws -> ChargeLookup { try await sandbox.lookUpCharge(idempotencyKey: idempotencyKey) }
    func authorise(amount: Money, source: PaymentSource, orderReference: String, idempotencyKey: String) async throws -> AuthorisationOutcome {
        if case .saved = source { return .declined(.insufficientFunds) }
        return try await sandbox.authorise(amount: amount, source: source, orderReference: orderReference, idempotencyKey: idempotencyKey)
    }
    func capture(authorisation: String, amount: Money, idempotencyKey: String) async throws -> CaptureReceipt {
        try await sandbox.capture(authorisation: authorisation, amount: amount, idempotencyKey: idempotencyKey)
    }
    func void(authorisation: String, idempotencyKey: String) async throws { try await sandbox.void(authorisation: authorisation, idempotencyKey: idempotencyKey) }
    func lookUpAuthorisation(idempotencyKey: String) async throws -> AuthorisationLookup { try await sandbox.lookUpAuthorisation(idempotencyKey: idempotencyKey) }
}

@Suite struct AmendmentTests {
    @Test func theShopperChangesTheOrderUntilTheCutOffAndStockAndPaymentFollow() async throws {
        let (shop, customer, product, offered) = try await shopWithSlots()
        let other = try await shop.product(skip: 1)
        try await shop.setStock(other, to: 10)
        _ = try await shop.checkout.slots.book(offered[0].id, customerID: customer.rawValue)
        let productBefore = try await shop.stock(of: product), otherBefore = try await shop.stock(of: other)
        let order = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "amend-one").order
        // Slot 10:00–12:00 with a 60-minute cut-off; the clock stands at 08:00.
        #expect(order.isChangeable)
        #expect(order.version == 0)
        #expect(order.changeDeadline == offered[0].cutoffAt)
        let authorisedAtCheckout = try #require(order.payment?.authorised)

        // Five instead of three, and two of another product: the total goes up, so the saved
        // card is authorised for the new total and the old authorisation is voided.
        let raised = try await shop.checkout.amend(order.id, customerID: customer, to: [
            StockItem(productID: product.id, quantity: 5), StockItem(productID: other.id, quantity: 2),
        ], version: 0)
        #expect(raised.version == 1)
        #expect(raised.lines.map(\.number) == [1, 2])
        #expect(raised.lines.map(\.quantity) == [5, 2])
        #expect(raised.lines.map(\.substitution) == [.anySimilar, .anySimilar])
        let goods = product.price.minorUnits * 5 + other.price.minorUnits * 2
        let expected = Pricing.quote([product.pricedLine(quantity: 5), other.pricedLine(quantity: 2)], rules: shop.cart.policy.pricing, currency: .gbp,
                                     delivery: DeliveryCharge(label: "Delivery", fee: Money(minorUnits: 350, currency: .gbp), freeFrom: Money(minorUnits: 50_00, currency: .gbp)))
        #expect(raised.subtotal.minorUnits == goods)
        #expect(raised.total == expected.total)
        #expect(raised.payment == OrderPayment(authorised: expected.total, captured: Money(minorUnits: 0, currency: .gbp), state: .authorised))
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: 0, refunded: 0, authorised: expected.total.minorUnits))
        #expect(try await shop.stock(of: product) == productBefore - 5)
        #expect(try await shop.stock(of: other) == otherBefore - 2)
        #expect(raised.timeline.last?.note == "Changed: \(product.name) 3 → 5; added 2 × \(other.name). Total \(order.total.formatted) → \(raised.total.formatted). "
            + "\(raised.total.formatted) now reserved on your card.")
        #expect(raised.timeline.last?.status == .paid)
        #expect(raised.timeline.last?.actor == "customer")

        // A change made from the first page is refused: the order moved on.
        await #expect(throws: AmendmentError.changedMeanwhile(current: 1)) {
            try await shop.checkout.amend(order.id, customerID: customer, to: [StockItem(productID: product.id, quantity: 1)], version: 0)
        }
        // Taking the first product out: its stock comes back; the authorisation stays (the
        // capture takes less).
        let lowered = try await shop.checkout.amend(order.id, customerID: customer, to: [
            StockItem(productID: product.id, quantity: 0), StockItem(productID: other.id, quantity: 2),
        ], version: 1)
        #expect(lowered.lines.map(\.number) == [2])
        #expect(lowered.payment?.authorised == expected.total)
        #expect(try await shop.stock(of: product) == productBefore)
        #expect(try await shop.stock(of: other) == otherBefore - 2)
        #expect(lowered.total.minorUnits == other.price.minorUnits * 2 + (other.price.minorUnits * 2 >= 50_00 ? 0 : 350))
        #expect(authorisedAtCheckout < expected.total)

        // Nothing left is not a change: cancelling is.
        await #expect(throws: AmendmentError.nothingLeft) {
            try await shop.checkout.amend(order.id, customerID: customer, to: [StockItem(productID: other.id, quantity: 0)], version: 2)
        }
        // More than the shelf holds is the validation's answer; nothing changes.
        do {
            try await shop.checkout.amend(order.id, customerID: customer, to: [StockItem(productID: other.id, quantity: 11)], version: 2)
            Issue.record("more than the stock was accepted")
        } catch CheckoutError.orderInvalid(let quote) {
            #expect(quote.problems.map(\.code) == [.insufficientStock])
        }
        // At the cut-off the order is closed for changes.
        shop.clock.advance(by: 3600)
        let closed = try await shop.checkout.order(id: order.id, customerID: customer)
        #expect(!closed.isChangeable)
        await #expect(throws: AmendmentError.closed("The time for changes to this order has passed (Friday 15 January, 09:00).")) {
            try await shop.checkout.amend(order.id, customerID: customer, to: [StockItem(productID: other.id, quantity: 3)], version: 2)
        }
        #expect(try await shop.checkout.order(id: order.id, customerID: customer).version == 2)

        // Picked as changed: the capture is the changed total, within the authorisation.
        try await shop.fulfilment.move(order.id, .startPicking, by: picker)
        let packed = try await shop.fulfilment.pack(order.id, picked: nil, by: picker)
        #expect(packed.payment == OrderPayment(authorised: expected.total, captured: lowered.total, state: .captured))
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: lowered.total.minorUnits, refunded: 0, authorised: 0))
        await shop.close()
    }

    @Test func addingTheCartKeepsPricesOfLinesAlreadyBoughtAndEmptiesTheCart() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let owner = CartOwner.customer(id: customer)
        let (apples, _) = try await looseGoods(shop)
        let product = try await shop.product()
        try await shop.cart.add(productID: product.id, quantity: 2, to: owner)
        try await shop.cart.add(productID: apples.id, quantity: 500, to: owner)
        let order = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "amend-cart").order
        #expect(order.changeDeadline == nil)
        #expect(order.isChangeable)

        // The price goes up after the order: the order's line keeps the price it was sold at.
        let dearer = product.price.minorUnits + 100
        _ = try await shop.catalog.importCatalogue(csv: """
            sku,name,brand,aisle,price,pack_size,stock
            \(product.sku),"\(product.name)","\(product.brand)","\(product.aisleName)",\(Money(minorUnits: dearer, currency: .gbp).decimalString),\(product.packSize.replacingOccurrences(of: "×", with: "x")),\(try await shop.stock(of: product))
            """, source: "test")
        let added = try await shop.product(skip: 2)
        try await shop.cart.add(productID: product.id, quantity: 1, to: owner)
        try await shop.cart.add(productID: apples.id, quantity: 250, to: owner)
        try await shop.cart.add(productID: added.id, quantity: 1, to: owner)
        try await shop.cart.setSubstitution(productID: added.id, to: .none, for: owner)
        let changed = try await shop.checkout.addCart(to: order.id, customerID: customer, version: 0)
        #expect(changed.lines.map(\.quantity) == [2 + 1, 750, 1])
        #expect(changed.lines.map(\.unitPrice.minorUnits) == [product.price.minorUnits, apples.price.minorUnits, added.price.minorUnits])
        #expect(changed.lines.map(\.weighed?.orderedGrams) == [nil, 750, nil])
        #expect(changed.lines.map(\.substitution) == [.anySimilar, .anySimilar, .none])
        #expect(try await shop.cart.cart(for: owner).lines.isEmpty)
        // The apples' weighed margin grows with them: the card holds the heaviest 750 g may come to.
        #expect(changed.payment?.authorised.minorUnits == changed.total.minorUnits + (Pricing.weighed(grams: 825, pricePerKilogram: apples.price).minorUnits
            - Pricing.weighed(grams: 750, pricePerKilogram: apples.price).minorUnits))

        // An empty cart has nothing to add.
        await #expect(throws: AmendmentError.closed("Your cart is empty: add what you want to the cart first.")) {
            try await shop.checkout.addCart(to: order.id, customerID: customer, version: 1)
        }
        await shop.close()
    }

    @Test func aRaiseTheCardDeclinesLeavesTheOrderAsItWas() async throws {
        let shop = try await TestShop.make(payments: { database, clock in DecliningSavedCards(sandbox: SandboxPaymentProvider(database: database, now: { clock.now })) })
        let customer = try #require(try await shop.makeCustomers(1).first)
        let product = try await shop.product()
        try await shop.cart.add(productID: product.id, quantity: 2, to: .customer(id: customer))
        let order = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "amend-decline").order
        let before = try await shop.stock(of: product)
        let needed = Pricing.quote([product.pricedLine(quantity: 4)], rules: shop.cart.policy.pricing, currency: .gbp).authorisation
        await #expect(throws: AmendmentError.declined(.insufficientFunds, needed: needed)) {
            try await shop.checkout.amend(order.id, customerID: customer, to: [StockItem(productID: product.id, quantity: 4)], version: 0)
        }
        let after = try await shop.checkout.order(id: order.id, customerID: customer)
        #expect(after.version == 0)
        #expect(after.lines.map(\.quantity) == [2])
        #expect(after.total == order.total)
        #expect(after.timeline.count == order.timeline.count)
        #expect(try await shop.stock(of: product) == before)
        // A lower total needs no new authorisation: it goes through.
        let lowered = try await shop.checkout.amend(order.id, customerID: customer, to: [StockItem(productID: product.id, quantity: 1)], version: 0)
        #expect(lowered.lines.map(\.quantity) == [1])
        #expect(lowered.payment?.authorised == order.payment?.authorised)
        await shop.close()
    }

    @Test func addingAgeRestrictedGoodsAsksForTheDeclarationAndMarksTheIDCheck() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let product = try await shop.product()
        try await shop.cart.add(productID: product.id, quantity: 2, to: .customer(id: customer))
        let order = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "amend-age").order
        #expect(order.idCheckAge == 0)
        let restricted = try #require(try await shop.catalog.products(matching: ProductQuery(search: "Ibuprofen", pageSize: 5)).products.first { $0.minimumAge == 16 })
        let items = [StockItem(productID: product.id, quantity: 2), StockItem(productID: restricted.id, quantity: 1)]
        await #expect(throws: CheckoutError.self) {
            try await shop.checkout.amend(order.id, customerID: customer, to: items, version: 0)
        }
        let changed = try await shop.checkout.amend(order.id, customerID: customer, to: items, version: 0, ageDeclared: true)
        #expect(changed.idCheckAge == 16)
        await shop.close()
    }

    /// Each order is changed and started on by a picker at the same moment: either the change
    /// lands first and is what gets picked, or picking started first and the change is refused.
    /// Never both, never half: the stock taken is what the orders hold.
    @Test func changesRacingPickingNeverBothWin() async throws {
        let shop = try await TestShop.make(onFile: true)
        let customers = try await shop.makeCustomers(12)
        let product = try await shop.product(minimumStock: 200)
        let extra = try await shop.product(minimumStock: 200, skip: 1)
        let before = (try await shop.stock(of: product), try await shop.stock(of: extra))
        var placed: [(OrderID, CustomerID)] = []
        for customer in customers {
            try await shop.cart.add(productID: product.id, quantity: 2, to: .customer(id: customer))
            placed.append((try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: UUID().uuidString).order.id, customer))
        }
        let orders = placed
        // One picker starts on the orders in turn while their shoppers change them all at once,
        // last first: early orders are picked before their change, late ones changed first, and
        // those in between race.
        let outcomes = try await withThrowingTaskGroup(of: [OrderID: Bool].self) { group in
            group.addTask {
                for (id, _) in orders { try await shop.fulfilment.move(id, .startPicking, expecting: .paid, by: picker) }
                return [:]
            }
            for (id, customer) in orders.reversed() {
                group.addTask {
                    do {
                        try await shop.checkout.amend(id, customerID: customer, to: [
                            StockItem(productID: product.id, quantity: 3), StockItem(productID: extra.id, quantity: 4),
                        ], version: 0)
                        return [id: true]
                    } catch let error as AmendmentError {
                        #expect(error == .closed("The order is now “Being picked”: it can no longer be changed."))
                        return [id: false]
                    }
                }
            }
            var amended: [OrderID: Bool] = [:]
            for try await outcome in group { amended.merge(outcome) { first, _ in first } }
            return amended
        }
        var held = (0, 0)
        for (id, customer) in orders {
            let order = try await shop.checkout.order(id: id, customerID: customer)
            #expect(order.status == .picking)
            let changed = try #require(outcomes[id])
            #expect(order.version == (changed ? 1 : 0))
            #expect(order.lines.map(\.quantity) == (changed ? [3, 4] : [2]))
            let statuses = order.timeline.map(\.status)
            // A change is on the timeline before picking started, never after.
            #expect(statuses == (changed ? [.pendingPayment, .paid, .paid, .picking] : [.pendingPayment, .paid, .picking]))
            held.0 += order.lines.first { $0.productID == product.id }?.quantity ?? 0
            held.1 += order.lines.first { $0.productID == extra.id }?.quantity ?? 0
            let packed = try await shop.fulfilment.pack(id, picked: nil, by: picker)
            #expect(packed.payment?.captured == packed.total)
            let authorised = try #require(packed.payment?.authorised)
            #expect(packed.total <= authorised)
        }
        #expect(try await shop.stock(of: product) == before.0 - held.0)
        #expect(try await shop.stock(of: extra) == before.1 - held.1)
        await shop.close()
    }
}
