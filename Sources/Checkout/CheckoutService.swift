import Cart
import Catalog
import Crypto
import Foundation
import GoMartModels
import Pricing
import Promotions
import Logging
import Payments
import Security
import Slots
import SQLKit
import Storage
import Tracing

/// Order validation, placing orders with card payment, and reading them back.
///
/// Placing an order follows the order of steps that keeps stock and payments consistent:
/// 1. in one transaction: claim the idempotency key, take the stock, write the order as
///    pending payment with a price snapshot per line, and an `order_placed` outbox event;
/// 2. authorise the card for the total, outside any transaction (the money is captured after
///    picking, for what was picked: ``FulfilmentService``);
/// 3. in one transaction: mark the order paid, or cancel it and return its stock.
/// A crash between 1 and 3 leaves a pending order that ``cancelAbandonedOrders()`` resolves.
public struct CheckoutService: Sendable {
    let database: Database
    let repository: OrderRepository
    let catalog: CatalogService
    let cart: CartService
    let payments: any PaymentProvider
    /// Delivery and collection slots: an order confirms its shopper's hold.
    public let slots: SlotService
    let vault: PersonalDataVault
    /// How long an order may stay pending before it is treated as abandoned.
    public let pendingTimeout: TimeInterval
    let logger: Logger
    let now: @Sendable () -> Date

    /// Creates the service.
    public init(
        database: Database, catalog: CatalogService, cart: CartService, payments: any PaymentProvider, slots: SlotService,
        vault: PersonalDataVault, pendingTimeout: TimeInterval = 900, logger: Logger, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.database = database
        self.repository = OrderRepository(database: database)
        self.catalog = catalog
        self.cart = cart
        self.payments = payments
        self.slots = slots
        self.vault = vault
        self.pendingTimeout = pendingTimeout
        self.logger = logger
        self.now = now
    }

    // MARK: - Validation

    /// How validation reads the catalogue.
    public enum CatalogueRead: Sendable {
        /// Every product fresh from the database: what checkout prices and charges.
        case current
        /// The catalogue cache where its figures prove the answer (prices as every page shows
        /// them; stock far enough above the low-stock band, ``Catalog/Product/cachedStock(_:proves:)``),
        /// the database for the rest: a client's question before checkout.
        case cachedWhereExact
    }

    /// Prices `items` from the catalogue, with delivery at the price of `slot` when one is held,
    /// with `promotions` (the offers running now when not given), and lists every problem with them.
    public func validate(_ items: [StockItem], reading read: CatalogueRead = .current, slot: SlotBooking? = nil,
                         promotions: Promotions? = nil) async throws -> OrderQuote {
        try await withSpan("checkout.validate") { span in
            span.attributes["order.lines"] = items.count
            let offered: Promotions = if let promotions { promotions } else { try await runningOffers() }
            return try await quote(items, reading: read, slot: slot, promotions: offered)
        }
    }

    /// The offers running now, without a voucher.
    func runningOffers() async throws -> Promotions {
        try await cart.promotions?.promotions(voucher: nil, customerID: nil).promotions ?? .none
    }

    /// Prices `items`. `kept` are the lines of an order being changed: their products keep the
    /// price (and deposit) they were sold at, and the stock they hold counts as available.
    func quote(_ items: [StockItem], reading read: CatalogueRead, slot: SlotBooking?, delivery: DeliveryCharge? = nil,
               kept: [ProductID: OrderLine] = [:], promotions: Promotions) async throws -> OrderQuote {
        let policy = cart.policy
        let currency = catalog.currency
        var problems: [OrderProblem] = []
        if items.isEmpty {
            problems.append(OrderProblem(code: .emptyOrder, productID: nil, message: "The order has no products."))
        }
        if items.count > policy.maximumLines {
            problems.append(OrderProblem(code: .tooManyLines, productID: nil, message: "An order can hold at most \(policy.maximumLines) different products."))
        }
        var products = try await self.products(for: items, reading: read)
        for (id, line) in kept {
            guard var product = products[id] else { continue }
            product.price = line.unitPrice
            product.deposit = Money(minorUnits: line.deposit, currency: line.unitPrice.currency)
            product.stock += line.stockUnits
            products[id] = product
        }
        var seen = Set<ProductID>()
        var priceable: [(product: Product, quantity: Int)] = []
        for item in items.prefix(policy.maximumLines) {
            guard seen.insert(item.productID).inserted else {
                problems.append(OrderProblem(code: .duplicateLine, productID: item.productID, message: "A product appears twice; combine the lines."))
                continue
            }
            guard let product = products[item.productID] else {
                problems.append(OrderProblem(code: .unknownProduct, productID: item.productID, message: "This product is not available."))
                continue
            }
            if let weighing = product.weighing, let problem = weighing.problem(with: item.quantity) {
                problems.append(OrderProblem(code: .invalidQuantity, productID: item.productID, message: "\(product.name): \(problem)"))
                continue
            }
            if product.weighing == nil && !(1...policy.maximumQuantityPerLine).contains(item.quantity) {
                problems.append(OrderProblem(code: .invalidQuantity, productID: item.productID,
                                             message: "\(product.name): the quantity must be from 1 to \(policy.maximumQuantityPerLine)."))
                continue
            }
            if product.stockUnits(item.quantity) > product.stock {
                let left = product.weighing == nil ? "only \(product.stock)" : "only \(Weighing.format(grams: product.stock))"
                let message = product.stock == 0 ? "\(product.name) is out of stock." : "\(product.name): \(left) left in stock."
                problems.append(OrderProblem(code: .insufficientStock, productID: item.productID, message: message))
            }
            priceable.append((product, item.quantity))
        }
        let charge = delivery ?? slot.map { hold in
            DeliveryCharge(label: "\(hold.slot.place.method.title), \(hold.slot.window(in: slots.timeZone))", fee: hold.slot.price, freeFrom: hold.slot.freeFrom)
        }
        let quote = Pricing.quote(priceable.map { $0.product.pricedLine(quantity: $0.quantity) }, rules: policy.pricing,
                                  currency: currency, delivery: charge, promotions: promotions)
        let lines = priceable.indices.map { index in
            let line = priceable[index]
            return QuotedLine(productID: line.product.id, sku: line.product.sku, name: line.product.name, packSize: line.product.packSize,
                              quantity: line.quantity, unitPrice: line.product.price, lineTotal: quote.lineTotals[index], minimumAge: line.product.minimumAge,
                              weighing: line.product.weighing, deposit: line.product.deposit.minorUnits,
                              saving: quote.lineSavings[index].minorUnits > 0 ? quote.lineSavings[index] : nil)
        }
        if let short = quote.shortOfMinimum {
            problems.append(OrderProblem(code: .belowMinimum, productID: nil,
                                         message: "The minimum order is \(policy.pricing.minimumOrder.formatted); add \(short.formatted) more."))
        }
        if case .belowMinimumSpend(let code, _, let short)? = quote.voucher {
            problems.append(OrderProblem(code: .voucher, productID: nil,
                                         message: "Spend \(short.formatted) more to use voucher \(code), or remove it."))
        }
        return OrderQuote(lines: lines, quote: quote, problems: problems, slot: slot)
    }

    private func products(for items: [StockItem], reading read: CatalogueRead) async throws -> [ProductID: Product] {
        let ids = items.map(\.productID)
        guard read == .cachedWhereExact else { return try await catalog.currentProducts(ids: ids) }
        var products = try await catalog.products(ids: ids)
        let unproven = items.filter { item in products[item.productID].map { !Product.cachedStock($0.stock, proves: $0.stockUnits(item.quantity)) } ?? true }
        guard !unproven.isEmpty else { return products }
        let current = try await catalog.currentProducts(ids: unproven.map(\.productID))
        for item in unproven { products[item.productID] = current[item.productID] }
        return products
    }

    /// Validates the owner's cart as it stands, priced with the customer's slot hold if any, the
    /// offers running and the cart's voucher.
    public func validateCart(of owner: CartOwner) async throws -> OrderQuote {
        let summary = try await cart.cart(for: owner)
        let hold: SlotBooking? = if case .customer(let id) = owner { try await slots.currentHold(customerID: id.rawValue) } else { nil }
        var quote = try await validate(summary.lines.map { StockItem(productID: $0.productID, quantity: $0.quantity) }, slot: hold,
                                       promotions: summary.promotions)
        if let problem = summary.voucherProblem {
            quote.problems.append(OrderProblem(code: .voucher, productID: nil, message: problem.description + " Remove it to go on without it."))
        }
        let choices = Dictionary(summary.lines.map { ($0.productID, $0.substitution) }, uniquingKeysWith: { first, _ in first })
        for index in quote.lines.indices { quote.lines[index].substitution = choices[quote.lines[index].productID] ?? .anySimilar }
        return quote
    }

    // MARK: - Placing orders

    /// Places the customer's cart as an order and charges the card.
    ///
    /// Repeating a call with the same `idempotencyKey` and the same details returns the first
    /// order (``PlacedOrder/replayed`` is true) or the first decline, and never makes a second
    /// order; the same key with different details is ``CheckoutError/idempotencyKeyReused``.
    ///
    /// An order with age-restricted goods needs `ageDeclared`: the shopper confirms they are old
    /// enough, and the order is marked for an ID check at the door.
    public func placeOrder(customerID: CustomerID, delivery: DeliveryDetails, card: CardDetails, idempotencyKey: String,
                           ageDeclared: Bool = false) async throws -> PlacedOrder {
        try await withSpan("checkout.place_order") { _ in
            try await place(customerID: customerID, delivery: delivery, card: card, idempotencyKey: idempotencyKey, ageDeclared: ageDeclared)
        }
    }

    /// What a shopper is asked to confirm for goods restricted to buyers aged `age` or over.
    public static func ageDeclaration(_ age: Int) -> String {
        "Some items are for people aged \(age) or over: please confirm that you are. We check ID when we hand them over."
    }

    private func place(customerID: CustomerID, delivery: DeliveryDetails, card: CardDetails, idempotencyKey: String, ageDeclared: Bool) async throws -> PlacedOrder {
        guard (8...100).contains(idempotencyKey.count),
              idempotencyKey.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { throw CheckoutError.invalidIdempotencyKey }
        let fingerprint = Self.fingerprint(delivery: delivery, card: card, vault: vault)
        // A repeated request is answered with the first one's order. It is looked for only when
        // this one cannot go ahead (its cart was emptied by that order, say) or when the key
        // turns out to be taken: a new order costs no look-up.
        let answerEarlier = { @Sendable () async throws -> PlacedOrder? in
            try await self.replay(customerID: customerID, key: idempotencyKey, fingerprint: fingerprint)
        }
        let problems = delivery.problems().merging(card.problems(now: now())) { first, _ in first }
        guard problems.isEmpty else {
            if let earlier = try await answerEarlier() { return earlier }
            throw CheckoutError.invalidFields(problems)
        }
        let owner = CartOwner.customer(id: customerID)
        let quote = try await validateCart(of: owner)
        guard quote.isValid else {
            if let earlier = try await answerEarlier() { return earlier }
            throw CheckoutError.orderInvalid(quote)
        }
        if quote.minimumAge > 0 && !ageDeclared {
            if let earlier = try await answerEarlier() { return earlier }
            throw CheckoutError.invalidFields(["age_declaration": Self.ageDeclaration(quote.minimumAge)])
        }
        if quote.slot == nil, try await slots.orderNeedsSlot() {
            if let earlier = try await answerEarlier() { return earlier }
            throw CheckoutError.slot(.noSlot)
        }
        if let hold = quote.slot, hold.slot.place.match(postcode: delivery.postcode) == nil {
            if let earlier = try await answerEarlier() { return earlier }
            throw CheckoutError.invalidFields(["postcode": SlotError.outsideArea(postcode: delivery.postcode).description])
        }

        let publicID = UUID().publicString
        let timestamp = Int64(now().timeIntervalSince1970)
        let newOrder = OrderRepository.NewOrder(
            publicID: publicID, number: Self.orderNumber(), customerID: customerID,
            subtotalMinor: quote.subtotal.minorUnits, deliveryMinor: quote.deliveryFee.minorUnits, totalMinor: quote.total.minorUnits,
            currency: quote.total.currency.code, deliverySealed: try vault.seal(String(decoding: try JSONEncoder().encode(delivery), as: UTF8.self)),
            lines: quote.lines.map(Self.orderLine),
            idCheckAge: quote.minimumAge,
            slot: quote.slot.map { hold in
                SlotSnapshot(method: hold.slot.place.method.rawValue, slotID: hold.slot.id.publicString, place: hold.slot.place.name,
                             startsAt: Int64(hold.slot.startsAt.timeIntervalSince1970), endsAt: Int64(hold.slot.endsAt.timeIntervalSince1970),
                             cutoffAt: Int64(hold.slot.cutoffAt.timeIntervalSince1970))
            },
            charges: quote.quote.savingsAndCharges,
            voucherCode: quote.quote.voucherCode
        )
        let stockItems = quote.lines.map { StockItem(productID: $0.productID, quantity: $0.stockUnits) }
        let catalog = catalog
        let slots = slots
        let promotions = cart.promotions
        let placeInTransaction = { @Sendable () async throws -> (id: Int64, take: StockTake)? in try await database.transaction { sql -> (id: Int64, take: StockTake)? in
            guard try await OrderRepository.claimIdempotencyKey(customerID: customerID, key: idempotencyKey, fingerprint: fingerprint, now: timestamp, sql: sql) else {
                return nil // a concurrent request with this key got there first
            }
            let take = try await catalog.takeStock(stockItems, in: sql)
            guard take.shortfalls.isEmpty else { throw StockRace(shortfalls: take.shortfalls) }
            let orderID = try await OrderRepository.insertOrder(newOrder, now: timestamp, sql: sql)
            if let code = newOrder.voucherCode {
                // The voucher's use is taken with the order, or neither is written.
                guard let promotions else { throw VoucherProblem.unknown(code) }
                try await promotions.redeem(code: code, customerID: customerID.rawValue, orderID: publicID, in: sql)
            }
            if let hold = quote.slot {
                _ = try await slots.confirm(hold.id, customerID: customerID.rawValue, orderID: publicID, postcode: delivery.postcode, in: sql)
            }
            try await OrderRepository.appendEvent(orderID: orderID, status: .pendingPayment, note: nil, actor: OrderActor.customer.label, now: timestamp, sql: sql)
            try await OrderRepository.attachOrder(orderID, toKey: idempotencyKey, customerID: customerID, sql: sql)
            try await OrderRepository.appendOutbox(topic: .orderPlaced, aggregateID: publicID, payload: [
                "order_id": publicID, "number": newOrder.number, "total_minor": String(newOrder.totalMinor), "currency": newOrder.currency,
                "lines": String(newOrder.lines.count),
            ], now: timestamp, sql: sql)
            return (orderID, take)
        } }
        let orderID: Int64
        do {
            guard let created = try await placeInTransaction() else {
                guard let replay = try await answerEarlier() else {
                    throw CheckoutError.idempotencyKeyReused
                }
                return replay
            }
            orderID = created.id
            if created.take.changedShownLevels { catalog.stockDidChange() }
            BusinessMetrics.placed(lines: newOrder.lines.count, soldOut: created.take.soldOut)
        } catch let race as StockRace {
            // Stock ran out between validation and the transaction: report it like validation does.
            var refreshed = try await validateCart(of: owner)
            if refreshed.isValid {
                refreshed.problems = race.shortfalls.map {
                    OrderProblem(code: .insufficientStock, productID: $0.productID, message: "Only \($0.available) left in stock.")
                }
            }
            throw CheckoutError.orderInvalid(refreshed)
        } catch let error as SlotError {
            // The hold went (lapsed and released, or used by another order) or the slot closed
            // between validation and the transaction, which was rolled back.
            throw CheckoutError.slot(error)
        } catch let problem as VoucherProblem {
            // The voucher's last use went to another order (or it ended) since validation: the
            // transaction was rolled back, and the shopper may go on without it.
            throw CheckoutError.voucher(problem)
        }
        var orderLogger = logger
        orderLogger[metadataKey: "order_id"] = .string(publicID)

        // The card is authorised for the order's total, not charged: the money is taken after
        // picking, for what was picked (``FulfilmentService``), and never more than this.
        let outcome: AuthorisationOutcome
        do {
            outcome = try await withSpan("payment.authorise", ofKind: .client) { span in
                // Weighed goods may come to a little more than estimated: the card is authorised
                // for the most they may come to (``Pricing`` works the margin out).
                let outcome = try await payments.authorise(amount: quote.quote.authorisation, source: .card(card), orderReference: publicID,
                                                           idempotencyKey: idempotencyKey)
                if case .declined(let reason) = outcome { span.attributes["payment.declined"] = reason.rawValue }
                return outcome
            }
            if case .authorised = outcome { BusinessMetrics.charged("succeeded") } else { BusinessMetrics.charged("declined") }
        } catch {
            BusinessMetrics.charged("failed")
            // The answer was lost or the gateway failed: ask it what became of the authorisation.
            orderLogger.warning("payment processing failed", metadata: ["error": "\(String(describing: type(of: error)))"])
            switch try? await payments.lookUpAuthorisation(idempotencyKey: idempotencyKey) {
            case .authorised(let authorisation)?:
                try await markPaid(orderID: orderID, publicID: publicID, authorisation: authorisation, emptying: owner, logger: orderLogger)
                return PlacedOrder(order: try await loadOrder(internalID: orderID), replayed: false)
            case nil:
                // The gateway cannot say: the order stays awaiting payment and the reaper settles it.
                orderLogger.warning("payment outcome unknown; the order awaits settlement")
                return PlacedOrder(order: try await loadOrder(internalID: orderID), replayed: false)
            case .declined?, .notFound?:
                try await cancel(orderID: orderID, publicID: publicID, items: stockItems, reason: "payment_processing_error")
                throw CheckoutError.paymentFailed
            }
        }
        switch outcome {
        case .authorised(let authorisation):
            try await markPaid(orderID: orderID, publicID: publicID, authorisation: authorisation, emptying: owner, logger: orderLogger)
            orderLogger.info("order paid", metadata: ["authorised_minor": "\(authorisation.amount.minorUnits)"])
            return PlacedOrder(order: try await loadOrder(internalID: orderID), replayed: false)
        case .declined(let reason):
            orderLogger.info("payment declined", metadata: ["reason": "\(reason.rawValue)"])
            BusinessMetrics.declined(reason)
            try await cancel(orderID: orderID, publicID: publicID, items: stockItems, reason: reason.rawValue)
            throw CheckoutError.paymentDeclined(reason)
        }
    }

    /// Settles a pending order as paid (its payment authorised) and, with `emptying`, empties the
    /// shopper's cart in the same transaction. If the order was cancelled meanwhile (the reaper
    /// found no payment while this one was in flight), the authorisation is voided at once and
    /// the cart is left as it is.
    func markPaid(orderID: Int64, publicID: String, authorisation: Authorisation, emptying owner: CartOwner? = nil,
                  logger orderLogger: Logger) async throws {
        let paidAt = timestamp()
        let cart = cart
        let (paid, emptied) = try await database.transaction { sql -> (Bool, CartService.Emptied?) in
            let settled = try await OrderRepository.settle(
                orderID: orderID, status: .paid, receipt: (payments.name, authorisation.reference, authorisation.brand, authorisation.lastFour),
                authorisation: (authorisation.amount.minorUnits, Int64(authorisation.expiresAt.timeIntervalSince1970), authorisation.paymentMethod),
                failureReason: nil, now: paidAt, sql: sql
            )
            guard settled else { return (false, nil) }
            try await OrderRepository.appendEvent(orderID: orderID, status: .paid, note: nil, actor: OrderActor.system.label, now: paidAt, sql: sql)
            try await OrderRepository.appendOutbox(topic: .orderPaid, aggregateID: publicID, payload: ["order_id": publicID], now: paidAt, sql: sql)
            guard let owner else { return (true, nil) }
            return (true, try await cart.clear(owner, in: sql))
        }
        if let emptied { cart.committed(emptied) }
        guard !paid else {
            BusinessMetrics.paid(authorisation.amount)
            return
        }
        orderLogger.error("payment authorised for an order that was no longer pending; voiding it", metadata: ["payment_reference": "\(authorisation.reference)"])
        do {
            try await payments.void(authorisation: authorisation.reference, idempotencyKey: "\(publicID):late-authorisation")
        } catch {
            orderLogger.critical("could not void an authorisation for a cancelled order; it lapses in 7 days", metadata: ["payment_reference": "\(authorisation.reference)"])
        }
    }

    /// Cancels a pending order and returns its stock, in one transaction.
    func cancel(orderID: Int64, publicID: String, items: [StockItem], reason: String) async throws {
        let timestamp = Int64(now().timeIntervalSince1970)
        let catalog = catalog
        let slots = slots
        let promotions = cart.promotions
        let (cancelled, changedShownStock) = try await database.transaction { sql -> (Bool, Bool) in
            guard try await OrderRepository.settle(orderID: orderID, status: .cancelled, receipt: nil, failureReason: reason, now: timestamp, sql: sql) else {
                return (false, false)
            }
            try await OrderRepository.appendEvent(orderID: orderID, status: .cancelled, note: Self.cancellationNote(reason), actor: OrderActor.system.label,
                                                  now: timestamp, sql: sql)
            let shown = try await catalog.returnStock(items, in: sql)
            try await promotions?.release(orderID: publicID, in: sql)
            // A failed payment leaves the shopper's slot held for the next attempt; an abandoned
            // order gives its place up.
            if reason == "abandoned" {
                try await slots.release(orderID: publicID, in: sql)
            } else {
                try await slots.returnToHold(orderID: publicID, in: sql)
            }
            try await OrderRepository.appendOutbox(topic: .orderCancelled, aggregateID: publicID, payload: ["order_id": publicID, "reason": reason], now: timestamp, sql: sql)
            return (true, shown)
        }
        if changedShownStock { catalog.stockDidChange() }
        if cancelled { BusinessMetrics.cancelled() }
    }

    /// What an earlier request with this key came to, or nil if the key is new.
    private func replay(customerID: CustomerID, key: String, fingerprint: String) async throws -> PlacedOrder? {
        guard let record = try await repository.idempotencyRecord(customerID: customerID, key: key) else { return nil }
        guard record.fingerprint == fingerprint else { throw CheckoutError.idempotencyKeyReused }
        guard let orderID = record.orderID else { return nil }
        let order = try await loadOrder(internalID: orderID)
        if order.status == .cancelled, let reason = order.failureReason {
            if let decline = DeclineReason(rawValue: reason) { throw CheckoutError.paymentDeclined(decline) }
            throw CheckoutError.paymentFailed
        }
        return PlacedOrder(order: order, replayed: true)
    }

    // MARK: - Reading orders

    /// The customer's orders, newest first.
    public func orders(customerID: CustomerID, limit: Int = 100) async throws -> [OrderSummary] {
        try await repository.orders(customerID: customerID, limit: limit).compactMap(summary)
    }

    func summary(_ stored: StoredOrder, itemCount: Int) -> OrderSummary? {
        guard let id = OrderID(publicString: stored.publicID), let status = OrderStatus(rawValue: stored.status) else { return nil }
        let currency = Currency(code: stored.currency) ?? catalog.currency
        return OrderSummary(id: id, number: stored.number, customerID: stored.customerID, status: status,
                            total: Money(minorUnits: stored.totalMinor, currency: currency),
                            itemCount: itemCount, createdAt: Date(timeIntervalSince1970: TimeInterval(stored.createdAt)))
    }

    /// One of the customer's orders; another customer's order is ``CheckoutError/orderNotFound``.
    public func order(id: OrderID, customerID: CustomerID) async throws -> Order {
        guard let detail = try await repository.order(publicID: id.publicString, customerID: customerID) else {
            throw CheckoutError.orderNotFound
        }
        return try open(detail)
    }

    func loadOrder(internalID: Int64) async throws -> Order {
        guard let detail = try await repository.order(internalID: internalID) else { throw CheckoutError.orderNotFound }
        return try open(detail)
    }

    func open(_ detail: OrderRepository.Detail) throws -> Order {
        let stored = detail.stored
        let currency = Currency(code: stored.currency) ?? catalog.currency
        let delivery = try JSONDecoder().decode(DeliveryDetails.self, from: Data(try vault.open(stored.deliverySealed).utf8))
        guard let id = OrderID(publicString: stored.publicID), let status = OrderStatus(rawValue: stored.status) else {
            throw CheckoutError.orderNotFound
        }
        let money = { (minor: Int64) in Money(minorUnits: minor, currency: currency) }
        let date = { (seconds: Int64) in Date(timeIntervalSince1970: TimeInterval(seconds)) }
        return Order(
            id: id, number: stored.number, status: status, lines: detail.lines,
            subtotal: Money(minorUnits: stored.subtotalMinor, currency: currency),
            deliveryFee: Money(minorUnits: stored.deliveryMinor, currency: currency),
            total: Money(minorUnits: stored.totalMinor, currency: currency),
            cardBrand: stored.cardBrand, cardLastFour: stored.cardLastFour, failureReason: stored.failureReason,
            delivery: delivery, createdAt: Date(timeIntervalSince1970: TimeInterval(stored.createdAt)),
            paidAt: stored.paidAt.map(date),
            refunded: money(stored.refundedMinor),
            timeline: detail.events.compactMap { event in
                OrderStatus(rawValue: event.status).map { OrderEvent(at: date(event.createdAt), status: $0, note: event.note, actor: event.actor) }
            },
            refunds: detail.refunds.map { refund in
                OrderRefund(amount: money(refund.amountMinor), reason: refund.reason, state: OrderRefund.State(rawValue: refund.state) ?? .pending,
                            providerReference: refund.providerReference, createdAt: date(refund.createdAt))
            },
            slot: stored.slot.map { slot in
                OrderSlot(method: FulfilmentMethod(rawValue: slot.method) ?? .delivery, slotID: slot.slotID, place: slot.place,
                          startsAt: date(slot.startsAt), endsAt: date(slot.endsAt),
                          window: Slot.window(from: date(slot.startsAt), to: date(slot.endsAt), in: slots.timeZone))
            },
            payment: Self.payment(stored.payment, money: money),
            idCheckAge: stored.idCheckAge,
            charges: detail.charges.filter { !$0.kind.isSaving },
            savings: detail.charges.filter(\.kind.isSaving),
            voucherCode: stored.voucherCode,
            version: stored.version,
            changeDeadline: Self.changeDeadline(stored),
            isChangeable: Self.isChangeable(stored, status: status, at: now())
        )
    }

    /// The last moment the shopper may change an order: its slot's cut-off as booked (the
    /// slot's start for orders booked before cut-offs were kept); nil for an order without a slot.
    static func changeDeadline(_ stored: StoredOrder) -> Date? {
        stored.slot.map { Date(timeIntervalSince1970: TimeInterval($0.cutoffAt ?? $0.startsAt)) }
    }

    /// True when the shopper may change the order at `now` (``Order/isChangeable``).
    static func isChangeable(_ stored: StoredOrder, status: OrderStatus, at now: Date) -> Bool {
        guard status == .paid, stored.payment.kind == "authorisation", stored.payment.captureState == nil, stored.refundedMinor == 0 else { return false }
        return changeDeadline(stored).map { now < $0 } ?? true
    }

    /// How an order's card payment stands; nil for one charged in full at checkout.
    static func payment(_ stored: PaymentSnapshot, money: (Int64) -> Money) -> OrderPayment? {
        guard stored.kind == "authorisation" else { return nil }
        let state: OrderPayment.State = switch stored.captureState {
        case "pending": .capturing
        case "captured": .captured
        case "failed": .failed
        case "voided": .voided
        default: .authorised
        }
        return OrderPayment(authorised: money(stored.authorisedMinor), captured: money(stored.capturedMinor), state: state)
    }

    // MARK: - Abandoned orders

    /// Settles orders left pending longer than ``pendingTimeout`` (a crash, or a lost answer from
    /// the gateway, between taking stock and settling the payment). The gateway is asked about
    /// each order's authorisation by its idempotency key first: one that went through makes the
    /// order paid; otherwise the order is cancelled and its stock returned. An order the gateway
    /// cannot answer for is left for the next round. Returns how many were cancelled.
    @discardableResult
    public func cancelAbandonedOrders() async throws -> Int {
        let cutoff = Int64(now().timeIntervalSince1970 - pendingTimeout)
        var cancelled = 0
        var paid = 0
        for orderID in try await repository.pendingOrders(createdBefore: cutoff) {
            let order = try await loadOrder(internalID: orderID)
            var orderLogger = logger
            orderLogger[metadataKey: "order_id"] = .string(order.id.publicString)
            let lookup: AuthorisationLookup
            if let key = try await repository.idempotencyKey(orderID: orderID) {
                do { lookup = try await payments.lookUpAuthorisation(idempotencyKey: key) } catch {
                    orderLogger.warning("could not ask the payment provider about an abandoned order; will retry")
                    continue
                }
            } else {
                lookup = .notFound
            }
            let items = order.lines.map { StockItem(productID: $0.productID, quantity: $0.stockUnits) }
            switch lookup {
            case .authorised(let authorisation):
                try await markPaid(orderID: orderID, publicID: order.id.publicString, authorisation: authorisation, logger: orderLogger)
                paid += 1
            case .declined(let reason):
                try await cancel(orderID: orderID, publicID: order.id.publicString, items: items, reason: reason.rawValue)
                cancelled += 1
            case .notFound:
                try await cancel(orderID: orderID, publicID: order.id.publicString, items: items, reason: "abandoned")
                cancelled += 1
            }
        }
        if cancelled > 0 { logger.warning("cancelled abandoned orders", metadata: ["count": "\(cancelled)"]) }
        if paid > 0 { logger.warning("settled abandoned orders as paid: their payments had been authorised", metadata: ["count": "\(paid)"]) }
        return cancelled
    }

    /// The clock, in whole seconds.
    func timestamp() -> Int64 {
        Int64(now().timeIntervalSince1970)
    }

    /// Why a pending order was cancelled, in words for its timeline.
    static func cancellationNote(_ reason: String) -> String {
        if let decline = DeclineReason(rawValue: reason) { return decline.message }
        switch reason {
        case "abandoned": return "The payment was not completed."
        case "payment_processing_error": return "The payment could not be processed; nothing was charged."
        default: return reason
        }
    }

    // MARK: - Erasure

    /// The orders of a customer that are still being worked (paid, picking, packed, out for
    /// delivery, or awaiting payment): personal data cannot be erased until they are done.
    public func ordersInProgress(of customerID: CustomerID) async throws -> Int {
        try await repository.orders(customerID: customerID, limit: 10_000).filter { stored, _ in
            OrderStatus(rawValue: stored.status)?.isInProgress == true
        }.count
    }

    /// Replaces the delivery details of every order of `customerID` with placeholders, inside the
    /// caller's transaction `sql`. Lines, prices, totals and refunds stay as they were, so the
    /// shop's figures still add up; the orders belong to a customer row with no personal data.
    /// Returns how many orders were pseudonymised.
    @discardableResult
    public func pseudonymiseOrders(of customerID: CustomerID, in sql: any SQLDatabase) async throws -> Int {
        let placeholder = DeliveryDetails(name: "Erased", line1: "", city: "", postcode: "", phone: "")
        let sealed = try vault.seal(String(decoding: try JSONEncoder().encode(placeholder), as: UTF8.self))
        let rows = try await sql.update("orders").set("delivery_sealed", to: SQLBind(sealed))
            .where("customer_id", .equal, SQLBind(customerID.rawValue)).returning("id").all()
        // What identified a checkout request (a hash of address and card) goes too.
        try await sql.delete(from: "idempotency_keys").where("customer_id", .equal, SQLBind(customerID.rawValue)).run()
        return rows.count
    }

    // MARK: - Helpers

    /// What identifies "the same request" for an idempotency key: delivery details and the card's
    /// brand, last four and expiry (never the full number), as a keyed hash (HMAC with the
    /// vault's index key), so that it cannot be recomputed from guesses without the secret key.
    static func fingerprint(delivery: DeliveryDetails, card: CardDetails, vault: PersonalDataVault) -> String {
        let parts = delivery.addressLines + [delivery.phone, card.brand, card.lastFour, "\(card.expiryMonth)/\(card.expiryYear)"]
        return "h1:" + vault.blindIndex(parts.joined(separator: "\u{1F}"))
    }

    /// A short order number such as `GM-7KQ4XN`, from an alphabet without look-alike characters.
    static func orderNumber() -> String {
        let alphabet = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")
        var generator = SystemRandomNumberGenerator()
        return "GM-" + String((0..<6).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}

/// Stock ran short inside the order transaction (rolled back).
struct StockRace: Error {
    var shortfalls: [StockShortfall]
}

// MARK: - Buying again

extension CheckoutService {
    /// What the customer has bought before, ranked for "Buy it again" (see
    /// ``PurchaseHistory/boughtBefore(customerID:now:)``).
    public func boughtBefore(customerID: CustomerID) async throws -> [BoughtBefore] {
        try await PurchaseHistory(database: database).boughtBefore(customerID: customerID, now: now())
    }

    /// Puts the customer's usuals into their cart, each as many as they last bought; says why
    /// each that could not go in did not.
    public func addUsuals(customerID: CustomerID) async throws -> (added: Int, notAdded: [NotAdded]) {
        let usuals = try await boughtBefore(customerID: customerID).filter(\.isUsual)
        let missed = try await cart.addAll(usuals.map { ($0.productID, $0.lastQuantity) }, to: .customer(id: customerID))
        return (usuals.count - missed.count, missed)
    }

    /// Puts the lines of one of the customer's orders (not the substitutes) into their cart at
    /// today's prices; says why each that could not go in did not. Another customer's order is
    /// ``CheckoutError/orderNotFound``.
    public func reorder(_ id: OrderID, customerID: CustomerID) async throws -> (added: Int, notAdded: [NotAdded]) {
        let lines = try await order(id: id, customerID: customerID).lines.filter { $0.substitute == nil }
        let missed = try await cart.addAll(lines.map { ($0.productID, $0.quantity) }, to: .customer(id: customerID))
        return (lines.count - missed.count, missed)
    }
}
