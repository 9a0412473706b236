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

let goodCard = CardDetails(number: "4242 4242 4242 4242", expiryMonth: 12, expiryYear: 2030, cvc: "123")
let delivery = DeliveryDetails(name: "Ada Lovelace", line1: "12 Analytical Row", city: "London", postcode: "sw1a 1aa", phone: "07700 900123")

func card(_ number: String) -> CardDetails {
    CardDetails(number: number, expiryMonth: 12, expiryYear: 2030, cvc: "123")
}

/// Every text value in every row of `table`, for checking what the database holds.
func allText(in table: String, _ database: Database) async throws -> String {
    try await database.read { sql in
        let rows = try await sql.raw("SELECT * FROM \(unsafeRaw: table)").all()
        return rows.flatMap { row in row.allColumns.compactMap { try? row.decode(column: $0, as: String.self) } }.joined(separator: "\n")
    }
}

func outboxTopics(_ database: Database) async throws -> [String] {
    try await database.read { sql in
        try await sql.select().column("topic").from("outbox").orderBy("id").all().map { try $0.decode(column: "topic", as: String.self) }
    }
}

@Suite struct OrderValidationTests {
    @Test func listsEveryProblemPerLine() async throws {
        // A minimum of 1p, so that the minimum order is no problem here (its own test is below).
        let shop = try await TestShop.make(policy: CartPolicy(maximumQuantityPerLine: 10, minimumOrder: Money(minorUnits: 1, currency: .gbp)))
        let fine = try await shop.product()
        let scarce = try await shop.product(skip: 1)
        try await shop.setStock(scarce, to: 2)
        let unknown = ProductID.random()

        let quote = try await shop.checkout.validate([
            StockItem(productID: fine.id, quantity: 1), StockItem(productID: scarce.id, quantity: 3),
            StockItem(productID: unknown, quantity: 1), StockItem(productID: fine.id, quantity: 2),
            StockItem(productID: (try await shop.product(skip: 2)).id, quantity: -4),
        ])

        #expect(quote.problems.map(\.code) == [.insufficientStock, .unknownProduct, .duplicateLine, .invalidQuantity])
        #expect(quote.problems.first { $0.code == .unknownProduct }?.productID == unknown)
        #expect(quote.problems.first { $0.code == .insufficientStock }?.message == "\(scarce.name): only 2 left in stock.")
        #expect(!quote.isValid)
        await shop.close()
    }

    @Test func pricesComeFromTheCatalogueAndTheMinimumIsEnforced() async throws {
        let shop = try await TestShop.make(policy: CartPolicy(minimumOrder: Money(minorUnits: 100_000, currency: .gbp)))
        let product = try await shop.product()

        let quote = try await shop.checkout.validate([StockItem(productID: product.id, quantity: 2)])

        #expect(quote.lines.first?.unitPrice == product.price)
        #expect(quote.subtotal.minorUnits == product.price.minorUnits * 2)
        #expect(quote.problems.map(\.code) == [.belowMinimum])
        #expect(try await shop.checkout.validate([]).problems.map(\.code) == [.emptyOrder])
        await shop.close()
    }
}

@Suite struct CachedValidationTests {
    /// Stock changed in the database behind the catalogue cache's back, as orders elsewhere change
    /// it while it stays above the low-stock band (such changes do not empty the cache).
    func setStockUnseen(_ product: Product, to stock: Int, _ shop: TestShop) async throws {
        try await shop.database.transaction { sql in
            try await sql.update("products").set("stock", to: SQLBind(stock)).where("public_id", .equal, SQLBind(product.id.publicString)).run()
        }
    }

    @Test func aCachedFigureAboveTheBandAnswersForSmallQuantitiesAndTheDatabaseForTheRest() async throws {
        let shop = try await TestShop.make(catalogueCacheTTL: .seconds(300))
        let product = try await shop.product(minimumStock: 30)
        let line = { (quantity: Int) in [StockItem(productID: product.id, quantity: quantity)] }
        #expect(try await shop.checkout.validate(line(1), reading: .cachedWhereExact).isValid) // now cached, above the band
        try await setStockUnseen(product, to: 0, shop)

        // Up to the band's size plus one, the cached figure proves the answer: no read.
        #expect(try await shop.checkout.validate(line(Product.lowStockThreshold + 1), reading: .cachedWhereExact).isValid)
        // More than that it cannot prove: the database says what is there.
        let larger = try await shop.checkout.validate(line(Product.lowStockThreshold + 2), reading: .cachedWhereExact)
        #expect(larger.problems.map(\.code) == [.insufficientStock])
        // Checkout reads everything fresh.
        #expect(try await shop.checkout.validate(line(1)).problems.map(\.code) == [.insufficientStock])
        await shop.close()
    }

    @Test func aCachedFigureInTheBandIsNeverTrusted() async throws {
        let shop = try await TestShop.make(catalogueCacheTTL: .seconds(300))
        let product = try await shop.product(minimumStock: 30)
        try await shop.setStock(product, to: Product.lowStockThreshold)
        let line = [StockItem(productID: product.id, quantity: 1)]
        #expect(try await shop.checkout.validate(line, reading: .cachedWhereExact).isValid) // cached with 10 left
        try await setStockUnseen(product, to: 0, shop)
        #expect(try await shop.checkout.validate(line, reading: .cachedWhereExact).problems.map(\.code) == [.insufficientStock])
        await shop.close()
    }
}

@Suite struct PlaceOrderTests {
    @Test func aPaidOrderTakesStockEmptiesTheCartAndStoresNoCardNumber() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let product = try await shop.product()
        try await shop.cart.add(productID: product.id, quantity: 3, to: .customer(id: customer))

        let placed = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "first-order-key")

        #expect(!placed.replayed)
        #expect(placed.order.status == .paid)
        #expect(placed.order.number.hasPrefix("GM-"))
        #expect(placed.order.number.count == 9)
        #expect(placed.order.total.minorUnits == product.price.minorUnits * 3 + placed.order.deliveryFee.minorUnits)
        #expect(placed.order.cardBrand == "Visa")
        #expect(placed.order.cardLastFour == "4242")
        #expect(placed.order.delivery.postcode == "SW1A 1AA")
        #expect(try await shop.stock(of: product) == product.stock - 3)
        #expect(try await shop.cart.cart(for: .customer(id: customer)).isEmpty)
        #expect(try await outboxTopics(shop.database) == ["order_placed", "order_paid"])
        let stored = try await allText(in: "orders", shop.database) + (try await allText(in: "outbox", shop.database))
        #expect(!stored.contains("4242424242424242"))
        #expect(!stored.contains("Analytical"))
        #expect(!stored.contains("07700"))
        let history = try await shop.checkout.orders(customerID: customer)
        #expect(history.map(\.id) == [placed.order.id])
        #expect(history.first?.itemCount == 3)
        await shop.close()
    }

    /// Order lines are written a hundred to a statement: an order of 130 keeps every line, in
    /// the cart's order, across the statements' boundary.
    @Test func aLongOrderKeepsEveryLineInOrder() async throws {
        let shop = try await TestShop.make(policy: CartPolicy(maximumLines: 150, minimumOrder: Money(minorUnits: 1, currency: .gbp)))
        let customer = try #require(try await shop.makeCustomers(1).first)
        let products = Array(try await shop.catalog.allProducts().filter { !$0.soldByWeight && $0.stock >= 2 }.prefix(130))
        #expect(products.count == 130)
        for (index, product) in products.enumerated() {
            try await shop.cart.add(productID: product.id, quantity: 1 + index % 2, to: .customer(id: customer))
        }

        let placed = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "long-order-key")

        let stored = try await shop.checkout.order(id: placed.order.id, customerID: customer)
        #expect(stored.lines.map(\.productID) == products.map(\.id))
        #expect(stored.lines.map(\.quantity) == products.indices.map { 1 + $0 % 2 })
        #expect(stored.subtotal == placed.order.subtotal)
        await shop.close()
    }

    @Test(arguments: [("4000000000000002", DeclineReason.declined), ("4000000000009995", .insufficientFunds)])
    func aDeclineCancelsTheOrderAndReturnsTheStock(number: String, reason: DeclineReason) async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let product = try await shop.product()
        try await shop.cart.add(productID: product.id, quantity: 2, to: .customer(id: customer))

        await #expect(throws: CheckoutError.self) {
            try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: card(number), idempotencyKey: "declined-key")
        }

        #expect(try await shop.stock(of: product) == product.stock)
        let orders = try await shop.checkout.orders(customerID: customer)
        #expect(orders.map(\.status) == [.cancelled])
        #expect(try await outboxTopics(shop.database) == ["order_placed", "order_cancelled"])
        #expect(!(try await shop.cart.cart(for: .customer(id: customer)).isEmpty)) // the cart is kept for another try
        do {
            _ = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: card(number), idempotencyKey: "declined-key")
            Issue.record("a repeat must give the same decline")
        } catch CheckoutError.paymentDeclined(let repeated) {
            #expect(repeated == reason)
        }
        #expect(try await shop.checkout.orders(customerID: customer).count == 1)
        await shop.close()
    }

    @Test func aProcessingErrorChargesNothingAndReturnsTheStock() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let product = try await shop.product()
        try await shop.cart.add(productID: product.id, quantity: 1, to: .customer(id: customer))

        await #expect(throws: CheckoutError.self) {
            try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: card("4000000000000119"), idempotencyKey: "processing-key")
        }
        #expect(try await shop.stock(of: product) == product.stock)
        #expect(try await shop.checkout.orders(customerID: customer).map(\.status) == [.cancelled])
        await shop.close()
    }

    @Test func badFieldsAreAllReportedAndNothingIsWritten() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let product = try await shop.product()
        try await shop.cart.add(productID: product.id, quantity: 1, to: .customer(id: customer))
        let badDelivery = DeliveryDetails(name: "", line1: "", city: "", postcode: "!!", phone: "call me")
        let badCard = CardDetails(number: "1234", expiryMonth: 1, expiryYear: 2020, cvc: "x")

        do {
            _ = try await shop.checkout.placeOrder(customerID: customer, delivery: badDelivery, card: badCard, idempotencyKey: "fields-key-1")
            Issue.record("expected invalid fields")
        } catch CheckoutError.invalidFields(let fields) {
            #expect(Set(fields.keys) == ["name", "line1", "city", "postcode", "phone", "card_number", "card_expiry", "card_cvc"])
        }
        await #expect(throws: CheckoutError.self) {
            try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "short")
        }
        #expect(try await shop.checkout.orders(customerID: customer).isEmpty)
        #expect(try await shop.stock(of: product) == product.stock)
        await shop.close()
    }

    @Test func anEmptyCartCannotBeOrdered() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        do {
            _ = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "empty-cart-key")
            Issue.record("expected an invalid order")
        } catch CheckoutError.orderInvalid(let quote) {
            #expect(quote.problems.map(\.code) == [.emptyOrder])
        }
        await shop.close()
    }

    @Test func theSameKeyReturnsTheFirstOrderAndADifferentBodyIsRefused() async throws {
        let shop = try await TestShop.make()
        let customer = try #require(try await shop.makeCustomers(1).first)
        let product = try await shop.product()
        try await shop.cart.add(productID: product.id, quantity: 1, to: .customer(id: customer))

        let first = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "repeat-key-1")
        let again = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "repeat-key-1")
        var elsewhere = delivery
        elsewhere.postcode = "EH1 1YZ"

        #expect(again.replayed)
        #expect(again.order.id == first.order.id)
        await #expect(throws: CheckoutError.self) {
            try await shop.checkout.placeOrder(customerID: customer, delivery: elsewhere, card: goodCard, idempotencyKey: "repeat-key-1")
        }
        #expect(try await shop.checkout.orders(customerID: customer).count == 1)
        #expect(try await shop.stock(of: product) == product.stock - 1)
        await shop.close()
    }

    @Test func customersSeeOnlyTheirOwnOrders() async throws {
        let shop = try await TestShop.make()
        let customers = try await shop.makeCustomers(2)
        let product = try await shop.product()
        try await shop.cart.add(productID: product.id, quantity: 1, to: .customer(id: customers[0]))
        let placed = try await shop.checkout.placeOrder(customerID: customers[0], delivery: delivery, card: goodCard, idempotencyKey: "own-order-key")

        #expect(try await shop.checkout.order(id: placed.order.id, customerID: customers[0]).number == placed.order.number)
        await #expect(throws: CheckoutError.self) { try await shop.checkout.order(id: placed.order.id, customerID: customers[1]) }
        await #expect(throws: CheckoutError.self) { try await shop.checkout.order(id: OrderID.random(), customerID: customers[0]) }
        #expect(try await shop.checkout.orders(customerID: customers[1]).isEmpty)
        await shop.close()
    }
}

@Suite struct CheckoutConcurrencyTests {
    @Test func fiftyBuyersForTenUnitsMakeExactlyTenOrders() async throws {
        let shop = try await TestShop.make(onFile: true)
        let product = try await shop.product()
        try await shop.setStock(product, to: 10)
        let customers = try await shop.makeCustomers(50)
        for customer in customers {
            // Carts are filled while stock lasts; then the stock is set so that all 50 compete for 10.
            try await shop.setStock(product, to: 10)
            try await shop.cart.add(productID: product.id, quantity: 1, to: .customer(id: customer))
        }

        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for customer in customers {
                group.addTask {
                    do {
                        let placed = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard,
                                                                       idempotencyKey: "scarce-\(customer)")
                        return placed.order.status == .paid
                    } catch CheckoutError.orderInvalid {
                        return false
                    } catch {
                        Issue.record("unexpected error \(error)")
                        return false
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }

        #expect(outcomes.filter { $0 }.count == 10)
        #expect(try await shop.stock(of: product) == 0)
        let paid = try await shop.database.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM orders WHERE status = 'paid'").first()?.decode(column: "n", as: Int.self)
        }
        #expect(paid == 10)
        let sold = try await shop.database.read { sql in
            try await sql.raw("SELECT COALESCE(SUM(quantity), 0) AS n FROM order_lines JOIN orders ON orders.id = order_lines.order_id WHERE orders.status = 'paid'")
                .first()?.decode(column: "n", as: Int.self)
        }
        #expect(sold == 10)
        await shop.close()
    }

    @Test func twentyConcurrentRepeatsOfOneKeyMakeOneOrder() async throws {
        let shop = try await TestShop.make(onFile: true)
        let customer = try #require(try await shop.makeCustomers(1).first)
        let product = try await shop.product()
        try await shop.cart.add(productID: product.id, quantity: 2, to: .customer(id: customer))

        let ids = await withTaskGroup(of: OrderID?.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try? await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "double-click-key").order.id
                }
            }
            return await group.reduce(into: [OrderID?]()) { $0.append($1) }
        }

        #expect(Set(ids.compactMap { $0 }).count == 1)
        #expect(ids.allSatisfy { $0 != nil })
        #expect(try await shop.checkout.orders(customerID: customer).count == 1)
        #expect(try await shop.stock(of: product) == product.stock - 2)
        await shop.close()
    }
}

/// A gateway that holds every authorisation until released, to stand for a crash mid-payment;
/// behind it, the sandbox keeps the ledger.
final class HeldGateway: PaymentProvider, @unchecked Sendable {
    let name = "held"
    let sandbox: SandboxPaymentProvider
    private let lock = NSLock()
    private var started: CheckedContinuation<Void, Never>?
    private var release: CheckedContinuation<Void, Never>?
    private var isStarted = false

    init(sandbox: SandboxPaymentProvider) {
        self.sandbox = sandbox
    }

    func refund(chargeReference: String, amount: Money, idempotencyKey: String) async throws -> RefundReceipt {
        try await sandbox.refund(chargeReference: chargeReference, amount: amount, idempotencyKey: idempotencyKey)
    }

    func lookUpCharge(idempotencyKey: String) async throws -> ChargeLookup {
        try await sandbox.lookUpCharge(idempotencyKey: idempotencyKey)
    }

    func charge(amount: Money, card: CardDetails, orderReference: String, idempotencyKey: String) async throws -> ChargeOutcome {
        try await sandbox.charge(amount: amount, card: card, orderReference: orderReference, idempotencyKey: idempotencyKey)
    }

    func capture(authorisation: String, amount: Money, idempotencyKey: String) async throws -> CaptureReceipt {
        try await sandbox.capture(authorisation: authorisation, amount: amount, idempotencyKey: idempotencyKey)
    }

    func void(authorisation: String, idempotencyKey: String) async throws {
        try await sandbox.void(authorisation: authorisation, idempotencyKey: idempotencyKey)
    }

    func lookUpAuthorisation(idempotencyKey: String) async throws -> AuthorisationLookup {
        try await sandbox.lookUpAuthorisation(idempotencyKey: idempotencyKey)
    }

    func authorise(amount: Money, source: PaymentSource, orderReference: String, idempotencyKey: String) async throws -> AuthorisationOutcome {
        await withCheckedContinuation { continuation in
            let waiter = lock.withLock { () -> CheckedContinuation<Void, Never>? in
                release = continuation
                isStarted = true
                defer { started = nil }
                return started
            }
            waiter?.resume()
        }
        return try await sandbox.authorise(amount: amount, source: source, orderReference: orderReference, idempotencyKey: idempotencyKey)
    }

    /// Waits until a charge is in flight.
    func waitForCharge() async {
        await withCheckedContinuation { continuation in
            let already = lock.withLock { () -> Bool in
                if isStarted { return true }
                started = continuation
                return false
            }
            if already { continuation.resume() }
        }
    }

    /// Lets the held charge succeed.
    func releaseCharge() {
        lock.withLock { () -> CheckedContinuation<Void, Never>? in defer { release = nil }; return release }?.resume()
    }
}

@Suite struct AbandonedOrderTests {
    @Test func pendingOrdersPastTheTimeoutAreCancelledAndTheirStockReturned() async throws {
        let shop = try await TestShop.make(payments: { database, clock in HeldGateway(sandbox: SandboxPaymentProvider(database: database, now: { clock.now })) })
        let gateway = try #require(shop.payments as? HeldGateway)
        let customer = try #require(try await shop.makeCustomers(1).first)
        let product = try await shop.product()
        try await shop.cart.add(productID: product.id, quantity: 4, to: .customer(id: customer))

        let placing = Task {
            try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "abandoned-key")
        }
        await gateway.waitForCharge()
        #expect(try await shop.stock(of: product) == product.stock - 4)
        #expect(try await shop.checkout.cancelAbandonedOrders() == 0) // not yet past the timeout

        shop.clock.advance(by: 901)
        let cancelled = try await shop.checkout.cancelAbandonedOrders()
        gateway.releaseCharge()
        let result = try await placing.value

        #expect(cancelled == 1)
        #expect(try await shop.stock(of: product) == product.stock)
        #expect(result.order.status == .cancelled) // a late payment does not resurrect the order
        #expect(try await shop.checkout.orders(customerID: customer).map(\.status) == [.cancelled])
        // ... and the late authorisation is voided at once: nothing taken, nothing held.
        #expect(try await shop.sandboxLedger() == SandboxLedger(charged: 0, refunded: 0, authorised: 0))
        // The cart is emptied only with a paid order, in its transaction: this shopper keeps it.
        #expect(try await shop.cart.cart(for: .customer(id: customer)).lines.map(\.quantity) == [4])
        await shop.close()
    }
}

@Suite struct CartAndCheckoutPriceAlikeTests {
    /// Carts of 1 to 8 of the first 40 products in stock, 1 to 5 units each.
    static let cartGenerator = zip(Gen.int(in: 0...39), Gen.int(in: 1...5)).array(of: 1...8)

    @Test func theCartPageAndValidationQuoteTheSameForAnyCart() async throws {
        let shop = try await TestShop.make(policy: CartPolicy(minimumOrder: Money(minorUnits: 15_00, currency: .gbp)))
        let products = Array(try await shop.catalog.products(matching: ProductQuery(inStockOnly: true, sort: .name, pageSize: 100)).products
            .filter { $0.stock >= 5 }.prefix(40))
        try #require(products.count == 40)
        await propertyCheck(count: 25, input: Self.cartGenerator) { picks in
            let owner = CartOwner.visitor(key: UUID().uuidString)
            for (index, quantity) in Dictionary(picks, uniquingKeysWith: { first, _ in first }) {
                try await shop.cart.add(productID: products[index].id, quantity: quantity, to: owner)
            }
            let cart = try await shop.cart.cart(for: owner)
            let validated = try await shop.checkout.validateCart(of: owner)
            #expect(validated.quote == cart.quote)
            #expect(validated.lines.map(\.lineTotal) == cart.lines.map(\.lineTotal))
            #expect(validated.problems.contains { $0.code == .belowMinimum } == !cart.quote.meetsMinimum)
        }
        await shop.close()
    }
}
