import Cart
import Crypto
import Catalog
import Checkout
import Foundation
import GoMartModels
import Payments
import SQLKit
import Storage
import TestSupport
import Testing

/// A paid order of `quantities` units of the first products in stock, for `customer`.
func paidOrder(_ shop: TestShop, customer: CustomerID, quantities: [Int] = [3, 2], key: String = UUID().uuidString) async throws -> (Order, [Product]) {
    var products: [Product] = []
    for (index, quantity) in quantities.enumerated() {
        let product = try await shop.product(skip: index)
        products.append(product)
        try await shop.cart.add(productID: product.id, quantity: quantity, to: .customer(id: customer))
    }
    let placed = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: key)
    return (placed.order, products)
}

/// The outcome of `body`, error or not.
func attempt<T: Sendable>(_ body: @Sendable () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}

let picker = OrderActor.staff(id: "picker-1")
let driver = OrderActor.staff(id: "driver-1")

@Suite struct OrderLifecycleTests {
    @Test func anOrderGoesFromPaidToDeliveredWithATimelineAndAnOutboxEventPerStep() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let (order, _) = try await paidOrder(shop, customer: customer)

        try await shop.fulfilment.move(order.id, .startPicking, expecting: .paid, by: picker)
        try await shop.fulfilment.pack(order.id, picked: nil, by: picker)
        try await shop.fulfilment.move(order.id, .dispatch, expecting: .packed, by: driver)
        let delivered = try await shop.fulfilment.move(order.id, .deliver, expecting: .outForDelivery, by: driver)

        #expect(delivered.status == .delivered)
        #expect(delivered.timeline.map(\.status) == [.pendingPayment, .paid, .picking, .packed, .outForDelivery, .delivered])
        #expect(delivered.timeline.map(\.actor) == ["customer", "system", "staff:picker-1", "staff:picker-1", "staff:driver-1", "staff:driver-1"])
        #expect(delivered.lines.map(\.pickedQuantity) == [3, 2])
        #expect(delivered.refunds.isEmpty)
        #expect(try await outboxTopics(shop.database) == ["order_placed", "order_paid", "order_picking", "order_packed", "order_out_for_delivery", "order_delivered"])
        await shop.close()
    }

    @Test func repeatingAStepChangesNothingAndAStaleStepIsAConflict() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let (order, _) = try await paidOrder(shop, customer: customer)

        try await shop.fulfilment.move(order.id, .startPicking, expecting: .paid, by: picker)
        let again = try await shop.fulfilment.move(order.id, .startPicking, expecting: .paid, by: picker)
        #expect(again.timeline.map(\.status) == [.pendingPayment, .paid, .picking])

        await #expect(throws: FulfilmentError.conflict(current: .picking)) {
            try await shop.fulfilment.move(order.id, .cancel, expecting: .paid, by: .staff(id: "support-1"))
        }
        await #expect(throws: FulfilmentError.conflict(current: .picking)) {
            try await shop.fulfilment.move(order.id, .deliver, by: driver)
        }
        #expect(try await shop.fulfilment.order(id: order.id).status == .picking)
        await shop.close()
    }

    @Test func twoStaffMovingTheSameOrderAtOnceOneWinsAndTheOtherGetsAConflict() async throws {
        let shop = try await TestShop.make(onFile: true)
        let customer = try #require(try await shop.makeCustomers(1).first)
        for _ in 0..<5 {
            let (order, _) = try await paidOrder(shop, customer: customer)
            async let picking = attempt { try await shop.fulfilment.move(order.id, .startPicking, expecting: .paid, by: picker) }
            async let cancelling = attempt { try await shop.fulfilment.move(order.id, .cancel, expecting: .paid, by: .staff(id: "support-1")) }
            let outcomes = await [picking, cancelling]
            let winners = outcomes.compactMap { try? $0.get().status }
            #expect(winners.count == 1)
            let loser = outcomes.compactMap { outcome -> FulfilmentError? in
                if case .failure(let error) = outcome { return error as? FulfilmentError }
                return nil
            }
            #expect(loser == [.conflict(current: try #require(winners.first))])
        }
        await shop.close()
    }

    @Test func theShopperCancelsUntilPickingStartsAndGetsStockAndMoneyBack() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let (order, products) = try await paidOrder(shop, customer: customer, quantities: [4])

        let cancelled = try await shop.fulfilment.move(order.id, .cancel, by: .customer, customerID: customer)
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.refunded == order.total)
        // Nothing was taken yet: the authorisation is voided and the whole total released.
        #expect(cancelled.refunds.map(\.state) == [.released])
        #expect(cancelled.timeline.last?.note == "Nothing charged: the \(order.total.formatted) reserved on the card is released")
        #expect(try await shop.stock(of: products[0]) == products[0].stock)
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: 0, refunded: 0, authorised: 0))

        let (second, _) = try await paidOrder(shop, customer: customer, quantities: [1])
        try await shop.fulfilment.move(second.id, .startPicking, by: picker)
        await #expect(throws: FulfilmentError.conflict(current: .picking)) {
            try await shop.fulfilment.move(second.id, .cancel, by: .customer, customerID: customer)
        }
        let stranger = try #require(try await shop.makeCustomers(1).first)
        await #expect(throws: FulfilmentError.orderNotFound) {
            try await shop.fulfilment.move(second.id, .cancel, by: .customer, customerID: stranger)
        }
        await shop.close()
    }
}

@Suite struct PickingTests {
    @Test func aLinePickedShortIsNotChargedAndTheRestIsCaptured() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let (order, products) = try await paidOrder(shop, customer: customer, quantities: [3, 2])
        try await shop.fulfilment.move(order.id, .startPicking, by: picker)

        let packed = try await shop.fulfilment.pack(order.id, picked: [1: 1, 2: 2], by: picker)

        let missing = products[0].price.minorUnits * 2
        #expect(packed.status == .packed)
        #expect(packed.lines.map(\.pickedQuantity) == [1, 2])
        #expect(packed.lines.map(\.refundedQuantity) == [2, 0])
        #expect(packed.refunded.minorUnits == missing)
        #expect(packed.refunds.map(\.reason) == ["Not available: 2 × \(products[0].name)"])
        #expect(packed.timeline.last?.note == "\(Money(minorUnits: missing, currency: .gbp).formatted) not charged. Not available: 2 × \(products[0].name)")
        #expect(packed.refunds.map(\.state) == [.released])
        #expect(packed.payment == OrderPayment(authorised: order.total, captured: Money(minorUnits: order.total.minorUnits - missing, currency: .gbp), state: .captured))
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: order.total.minorUnits - missing, refunded: 0, authorised: 0))
        await shop.close()
    }

    @Test func nothingPickedCancelsTheOrderAndVoidsItsAuthorisation() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let (order, _) = try await paidOrder(shop, customer: customer, quantities: [1])
        try await shop.fulfilment.move(order.id, .startPicking, by: picker)

        let result = try await shop.fulfilment.pack(order.id, picked: [1: 0], by: picker)

        #expect(result.status == .cancelled)
        #expect(result.refunded == order.total)
        #expect(result.payment?.state == .voided)
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: 0, refunded: 0, authorised: 0))
        await shop.close()
    }

    @Test func picksOutsideTheOrderAreRejectedAndNothingChanges() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let (order, products) = try await paidOrder(shop, customer: customer, quantities: [2])
        try await shop.fulfilment.move(order.id, .startPicking, by: picker)

        await #expect(throws: FulfilmentError.invalidPicks("\(products[0].name): enter from 0 to 2 picked.")) {
            try await shop.fulfilment.pack(order.id, picked: [1: 3], by: picker)
        }
        await #expect(throws: FulfilmentError.invalidPicks("The order has no line 7.")) {
            try await shop.fulfilment.pack(order.id, picked: [7: 1], by: picker)
        }
        #expect(try await shop.fulfilment.order(id: order.id).status == .picking)
        await shop.close()
    }

    @Test func thePickingListSumsEachProductAcrossTheDaysOrdersInAisleOrder() async throws {
        let shop = try await TestShop.make()
        let customers = try await shop.makeCustomers(2)
        let (first, products) = try await paidOrder(shop, customer: customers[0], quantities: [3, 2])
        let (second, _) = try await paidOrder(shop, customer: customers[1], quantities: [1])

        let list = try await shop.fulfilment.pickingList(day: shop.clock.now)

        #expect(list.orderNumbers == [first.number, second.number])
        #expect(Set(list.lines.map(\.productID)) == Set(products.map(\.id)))
        let firstLine = try #require(list.lines.first { $0.productID == products[0].id })
        #expect(firstLine.quantity == 4)
        #expect(firstLine.orders == [PickingList.Want(number: first.number, quantity: 3), PickingList.Want(number: second.number, quantity: 1)])
        #expect(try await shop.fulfilment.pickingList(day: shop.clock.now.addingTimeInterval(86_400)).lines.isEmpty)
        await shop.close()
    }

    @Test func thePickingDayIsTheShopsDateNotUTCs() async throws {
        let shop = try await TestShop.make()
        // 23:30 UTC on 15 July 2027 is 00:30 on the 16th in London, where the shop is (summer time).
        let instant = try Date("2027-07-15T23:30:00Z", strategy: .iso8601)
        shop.clock.advance(by: instant.timeIntervalSince(shop.clock.now))
        let (order, _) = try await paidOrder(shop, customer: try await shop.makeCustomers(1)[0], quantities: [1])

        let today = shop.fulfilment.today()
        #expect(today == (try Date("2027-07-16T00:00:00Z", strategy: .iso8601)))
        #expect(try await shop.fulfilment.pickingList(day: today).orderNumbers == [order.number])
        #expect(try await shop.fulfilment.pickingList(day: try Date("2027-07-15T00:00:00Z", strategy: .iso8601)).orderNumbers == [])
        await shop.close()
    }
}

@Suite struct RefundTests {
    func deliveredOrder(_ shop: TestShop) async throws -> Order {
        let customer = try #require(try await shop.makeCustomers(1).first)
        let (order, _) = try await paidOrder(shop, customer: customer, quantities: [3, 2])
        try await shop.fulfilment.move(order.id, .startPicking, by: picker)
        try await shop.fulfilment.pack(order.id, picked: nil, by: picker)
        try await shop.fulfilment.move(order.id, .dispatch, by: driver)
        return try await shop.fulfilment.move(order.id, .deliver, by: driver)
    }

    @Test func aRefundPerLineThenTheRestMakesTheOrderRefunded() async throws {
        let shop = try await TestShop.make()
        let order = try await deliveredOrder(shop)
        let manager = OrderActor.staff(id: "manager-1")

        let part = try await shop.fulfilment.refund(order.id, lines: [2: 1], delivery: false, reason: "Squashed", idempotencyKey: "refund-part-1", by: manager)
        #expect(part.status == .delivered)
        #expect(part.refunded == order.lines[1].unitPrice)
        #expect(part.lines.map(\.refundedQuantity) == [0, 1])

        let rest = try await shop.fulfilment.refund(order.id, lines: [1: 3, 2: 1], delivery: true, reason: "Goodwill", idempotencyKey: "refund-rest-1", by: manager)
        #expect(rest.status == .refunded)
        #expect(rest.refunded == order.total)
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: order.total.minorUnits, refunded: order.total.minorUnits))

        await #expect(throws: FulfilmentError.conflict(current: .refunded)) {
            try await shop.fulfilment.refund(order.id, lines: [1: 1], delivery: false, reason: "Again", idempotencyKey: "refund-again-1", by: manager)
        }
        await shop.close()
    }

    @Test func moreThanWasOrderedCannotBeRefunded() async throws {
        let shop = try await TestShop.make()
        let order = try await deliveredOrder(shop)
        await #expect(throws: FulfilmentError.invalidRefund("\(order.lines[1].name): at most 2 can still be refunded.")) {
            try await shop.fulfilment.refund(order.id, lines: [2: 3], delivery: false, reason: "Too many", idempotencyKey: "refund-too-many", by: .staff(id: "m"))
        }
        #expect(try await shop.fulfilment.order(id: order.id).refunded.minorUnits == 0)
        await shop.close()
    }

    @Test func repeatedRefundRequestsMakeOneRefund() async throws {
        let shop = try await TestShop.make(onFile: true)
        let order = try await deliveredOrder(shop)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    _ = try? await shop.fulfilment.refund(order.id, lines: [1: 1], delivery: false, reason: "Bruised", idempotencyKey: "one-refund-key",
                                                          by: .staff(id: "m"))
                }
            }
        }
        let after = try await shop.fulfilment.order(id: order.id)
        #expect(after.refunds.count == 1)
        #expect(after.refunded == order.lines[0].unitPrice)
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: order.total.minorUnits, refunded: order.lines[0].unitPrice.minorUnits))
        await shop.close()
    }

    @Test func aRefundTheProviderDidNotConfirmIsSentAgainLater() async throws {
        let shop = try await TestShop.make(payments: { database, clock in FlakyGateway(sandbox: SandboxPaymentProvider(database: database, now: { clock.now })) })
        let gateway = try #require(shop.payments as? FlakyGateway)
        let order = try await deliveredOrder(shop)

        gateway.failRefunds(true)
        let refunded = try await shop.fulfilment.refund(order.id, lines: [1: 1], delivery: false, reason: "Bruised", idempotencyKey: "flaky-refund", by: .staff(id: "m"))
        #expect(refunded.refunds.map(\.state) == [.pending])
        gateway.failRefunds(false)
        #expect(try await shop.fulfilment.completePendingRefunds() == 0) // too recent: it may still be in flight
        shop.clock.advance(by: 60)
        #expect(try await shop.fulfilment.completePendingRefunds() == 1)
        #expect(try await shop.fulfilment.order(id: order.id).refunds.map(\.state) == [.succeeded])
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: order.total.minorUnits, refunded: order.lines[0].unitPrice.minorUnits))
        await shop.close()
    }
}

@Suite struct PaymentReconciliationTests {
    @Test func anOrderWhoseAuthorisationWentThroughUnseenIsSettledAsPaid() async throws {
        let shop = try await TestShop.make(payments: { database, clock in FlakyGateway(sandbox: SandboxPaymentProvider(database: database, now: { clock.now })) })
        let gateway = try #require(shop.payments as? FlakyGateway)
        let customer = try #require(try await shop.makeCustomers(1).first)
        gateway.loseAnswers(true)

        let (order, _) = try await paidOrder(shop, customer: customer, quantities: [1])
        #expect(order.status == .pendingPayment) // the gateway took the money but its answer was lost

        gateway.loseAnswers(false)
        shop.clock.advance(by: 901)
        #expect(try await shop.checkout.cancelAbandonedOrders() == 0)
        let settled = try await shop.fulfilment.order(id: order.id)
        #expect(settled.status == .paid)
        #expect(settled.timeline.map(\.status) == [.pendingPayment, .paid])
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: 0, refunded: 0, authorised: order.total.minorUnits))
        await shop.close()
    }

    @Test func anOrderWithoutAChargeIsCancelledAfterAskingTheProvider() async throws {
        let shop = try await TestShop.make(payments: { database, clock in FlakyGateway(sandbox: SandboxPaymentProvider(database: database, now: { clock.now })) })
        let gateway = try #require(shop.payments as? FlakyGateway)
        let customer = try #require(try await shop.makeCustomers(1).first)
        gateway.failBeforeCharging(true)
        gateway.loseAnswers(true)

        let (order, products) = try await paidOrder(shop, customer: customer, quantities: [1])
        #expect(order.status == .pendingPayment)
        shop.clock.advance(by: 901)
        #expect(try await shop.checkout.cancelAbandonedOrders() == 0) // the provider cannot answer yet
        gateway.loseAnswers(false)
        #expect(try await shop.checkout.cancelAbandonedOrders() == 1)
        #expect(try await shop.fulfilment.order(id: order.id).status == .cancelled)
        #expect(try await shop.stock(of: products[0]) == products[0].stock)
        await shop.close()
    }
}

/// A gateway in front of the sandbox that can lose its answers (the authorisation goes through,
/// the shop hears an error and the lookup fails), fail before authorising, or fail refunds and
/// captures (a capture that goes through and whose answer is lost, like a crash after it).
final class FlakyGateway: PaymentProvider, @unchecked Sendable {
    let name = "sandbox"
    let sandbox: SandboxPaymentProvider
    private let lock = NSLock()
    private var losing = false
    private var failingCharges = false
    private var failingRefunds = false
    private var losingCaptures = false
    private var captures = 0

    init(sandbox: SandboxPaymentProvider) {
        self.sandbox = sandbox
    }

    func loseAnswers(_ on: Bool) { lock.withLock { losing = on } }
    func failBeforeCharging(_ on: Bool) { lock.withLock { failingCharges = on } }
    func failRefunds(_ on: Bool) { lock.withLock { failingRefunds = on } }
    func loseCaptureAnswers(_ on: Bool) { lock.withLock { losingCaptures = on } }

    func charge(amount: Money, card: CardDetails, orderReference: String, idempotencyKey: String) async throws -> ChargeOutcome {
        try await sandbox.charge(amount: amount, card: card, orderReference: orderReference, idempotencyKey: idempotencyKey)
    }

    func authorise(amount: Money, source: PaymentSource, orderReference: String, idempotencyKey: String) async throws -> AuthorisationOutcome {
        if lock.withLock({ failingCharges }) { throw PaymentError.processingFailed("timed out before authorising") }
        let outcome = try await sandbox.authorise(amount: amount, source: source, orderReference: orderReference, idempotencyKey: idempotencyKey)
        if lock.withLock({ losing }) { throw PaymentError.processingFailed("the answer was lost") }
        return outcome
    }

    func capture(authorisation: String, amount: Money, idempotencyKey: String) async throws -> CaptureReceipt {
        let receipt = try await sandbox.capture(authorisation: authorisation, amount: amount, idempotencyKey: idempotencyKey)
        lock.withLock { captures += 1 }
        if lock.withLock({ losingCaptures }) { throw PaymentError.processingFailed("the capture's answer was lost") }
        return receipt
    }

    func void(authorisation: String, idempotencyKey: String) async throws {
        try await sandbox.void(authorisation: authorisation, idempotencyKey: idempotencyKey)
    }

    func lookUpAuthorisation(idempotencyKey: String) async throws -> AuthorisationLookup {
        if lock.withLock({ losing }) { throw PaymentError.processingFailed("unreachable") }
        return try await sandbox.lookUpAuthorisation(idempotencyKey: idempotencyKey)
    }

    /// Captures the sandbox made, answered or not.
    var captureCalls: Int { lock.withLock { captures } }

    func refund(chargeReference: String, amount: Money, idempotencyKey: String) async throws -> RefundReceipt {
        if lock.withLock({ failingRefunds }) { throw PaymentError.processingFailed("timed out") }
        return try await sandbox.refund(chargeReference: chargeReference, amount: amount, idempotencyKey: idempotencyKey)
    }

    func lookUpCharge(idempotencyKey: String) async throws -> ChargeLookup {
        if lock.withLock({ losing }) { throw PaymentError.processingFailed("unreachable") }
        return try await sandbox.lookUpCharge(idempotencyKey: idempotencyKey)
    }
}

@Suite struct StockRaceTests {
    @Test func stockAdjustmentsRacingCheckoutsKeepStockConsistent() async throws {
        let shop = try await TestShop.make(onFile: true)
        let admin = CatalogueAdmin(database: shop.database, catalog: shop.catalog)
        let customers = try await shop.makeCustomers(12)
        let product = try await shop.product(minimumStock: 20)
        try await shop.setStock(product, to: 20)
        for customer in customers { try await shop.cart.add(productID: product.id, quantity: 1, to: .customer(id: customer)) }

        let (sold, delivered) = await withTaskGroup(of: (Int, Int).self) { group in
            for (index, customer) in customers.enumerated() {
                group.addTask {
                    let placed = try? await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "race-\(index)-key")
                    return (placed?.order.status == .paid ? 1 : 0, 0)
                }
                group.addTask {
                    let adjusted = try? await admin.adjustStock(of: product.id, .by(index % 3 == 0 ? -1 : 2), reason: index % 3 == 0 ? .waste : .delivery,
                                                                note: "", actor: "staff:race")
                    return (0, adjusted == nil ? 0 : (index % 3 == 0 ? -1 : 2))
                }
            }
            return await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        }

        #expect(sold == 12)
        let history = try await admin.stockHistory(of: product.id)
        #expect(history.filter { $0.actor == "staff:race" }.reduce(0) { $0 + $1.change } == delivered)
        #expect(try await shop.stock(of: product) == 20 - sold + delivered)
        await shop.close()
    }
}

@Suite struct SalesReportTests {
    @Test func todayAndTheLast30DaysCountPaidOrdersRevenueNetOfRefundsAndBestSellers() async throws {
        let shop = try await TestShop.make()
        let reports = SalesReports(database: shop.database, currency: .gbp)
        let customers = try await shop.makeCustomers(3)
        let (first, products) = try await paidOrder(shop, customer: customers[0], quantities: [3, 2])
        let (second, _) = try await paidOrder(shop, customer: customers[1], quantities: [1])
        let (third, _) = try await paidOrder(shop, customer: customers[2], quantities: [4])
        try await shop.fulfilment.move(third.id, .cancel, by: .customer, customerID: customers[2])
        try await shop.fulfilment.move(first.id, .startPicking, by: picker)
        let packed = try await shop.fulfilment.pack(first.id, picked: [1: 2], by: picker)

        let report = try await reports.report(now: shop.clock.now)

        let revenue = first.total.minorUnits - packed.refunded.minorUnits + second.total.minorUnits
        #expect(report.today.orders == 2)
        #expect(report.today.revenue.minorUnits == revenue)
        #expect(report.today.averageBasket.minorUnits == revenue / 2)
        #expect(report.today.refunds.minorUnits == packed.refunded.minorUnits + third.total.minorUnits)
        #expect(report.last30Days.orders == 2)
        #expect(report.days.count == 30)
        #expect(report.days.last?.orders == 2)
        #expect(report.days.dropLast().allSatisfy { $0.orders == 0 })
        #expect(report.topProducts.first?.productID == products[0].id)
        #expect(report.topProducts.first?.units == 3) // 3 + 1 ordered, 1 short
        #expect(report.ordersByState.map(\.status) == [.paid, .packed, .cancelled])
        #expect(report.ordersByState.map(\.count) == [1, 1, 1])
        #expect(try await reports.report(now: shop.clock.now.addingTimeInterval(31 * 86_400)).last30Days.orders == 0)
        await shop.close()
    }
}

@Suite struct CheckoutFingerprintTests {
    @Test func theIdempotencyFingerprintIsKeyedAndCannotBeRecomputedFromGuesses() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        _ = try await paidOrder(shop, customer: customer, quantities: [1], key: "fingerprint-key-1")
        let stored = try await shop.database.read { sql in
            try await sql.select().column("fingerprint").from("idempotency_keys").first()?.decode(column: "fingerprint", as: String.self)
        }
        let parts = delivery.addressLines + [delivery.phone, goodCard.brand, goodCard.lastFour, "\(goodCard.expiryMonth)/\(goodCard.expiryYear)"]
        let unkeyed = SHA256.hash(data: Data(parts.joined(separator: "\u{1F}").utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(stored?.hasPrefix("h1:") == true)
        #expect(stored?.contains(unkeyed) == false)
        #expect(stored?.count == 67)
        await shop.close()
    }
}

@Suite struct LastOrderCacheTests {
    @Test func anotherInstancesCachedLastOrderFollowsPaymentAndCancellationWithItsNextPoll() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let feed = TestFeed.make(shop.database)
        let history = PurchaseHistory(database: shop.database, feed: feed) // the other instance's
        try await feed.poll()
        #expect(try await history.lastPaidOrder(customerID: customer) == nil) // cached there now

        let (order, products) = try await paidOrder(shop, customer: customer)
        #expect(try await history.lastPaidOrder(customerID: customer) == nil) // until it reads the feed
        try await feed.poll()
        let last = try #require(try await history.lastPaidOrder(customerID: customer))
        #expect(last.orderID == order.id.publicString)
        #expect(last.productIDs == products.map(\.id.publicString))

        try await shop.fulfilment.move(order.id, .cancel, by: picker)
        try await feed.poll()
        #expect(try await history.lastPaidOrder(customerID: customer) == nil)
        await shop.close()
    }
}
