import Cart
import Catalog
import Foundation
import GoMartModels
import Logging
import Payments
import Pricing
import Promotions
import Security
import SQLKit
import Slots
import Storage
import Tracing

/// Work that must commit or roll back with an order's change, told what changed: the back office
/// writes its audit line here.
public typealias AlsoInTransaction = @Sendable (any SQLDatabase, OrderChange) async throws -> Void

/// What one step did to an order.
public struct OrderChange: Sendable, Hashable {
    /// The state before and after (the same for a refund that leaves the state as it was).
    public var from: OrderStatus
    public var to: OrderStatus
    /// Money given back by the step, if any.
    public var refunded: Money?
}

/// Everything after "paid": picking, packing, delivery, cancellation and refunds.
///
/// Each step is one transaction that checks the order's state with a conditional update, writes
/// a timeline event and an outbox event, and runs the caller's `also` work (the audit line). Money
/// goes back in two steps, like checkout's: the refund is recorded (and counted against the order)
/// in the transaction, then sent to the payment provider with an idempotency key; a refund the
/// provider did not confirm stays pending and ``completePendingRefunds()`` retries it.
///
/// Payments are authorised at checkout and captured when the order is packed, for what was
/// picked: until then, money "given back" (a shortfall, a cancellation) is only released from the
/// authorisation, never taken; cancelling before the capture voids the authorisation. Packing
/// decides the capture in its transaction (`capture_state` pending) and asks the provider after,
/// with the order's one capture key; ``completePendingCaptures(olderThan:)`` asks again for any a
/// crash or a failure left pending, so an order is captured once however often it is retried.
///
/// Roles are not checked here: the back office's `OrderDesk` checks them before it calls, and the
/// storefront only lets a shopper cancel their own order.
public struct FulfilmentService: Sendable {
    let checkout: CheckoutService
    var database: Database { checkout.database }
    var repository: OrderRepository { checkout.repository }
    var payments: any PaymentProvider { checkout.payments }
    var logger: Logger { checkout.logger }

    /// Creates the service over checkout's database, catalogue and payment provider.
    public init(checkout: CheckoutService) {
        self.checkout = checkout
    }

    // MARK: - Reading

    /// Orders in any of `statuses` (all when empty), newest first.
    public func orders(statuses: [OrderStatus] = [], limit: Int = 200) async throws -> [OrderSummary] {
        try await repository.orders(statuses: statuses, paidFrom: nil, paidBefore: nil, limit: min(max(limit, 1), 1_000)).compactMap(checkout.summary)
    }

    /// Any order, by its id.
    public func order(id: OrderID) async throws -> Order {
        guard let detail = try await repository.order(publicID: id.publicString, customerID: nil) else { throw FulfilmentError.orderNotFound }
        return try checkout.open(detail)
    }

    /// Any order, by its id, with the customer who placed it (for messages to them).
    public func orderWithCustomer(id: OrderID) async throws -> (order: Order, customerID: CustomerID) {
        guard let detail = try await repository.order(publicID: id.publicString, customerID: nil) else { throw FulfilmentError.orderNotFound }
        return (try checkout.open(detail), detail.stored.customerID)
    }

    /// Today in the shop's time zone, as ``pickingList(day:)`` takes a day: midnight UTC of the
    /// shop's date (just after midnight in London in summer, UTC still says yesterday).
    public func today() -> Date {
        var local = Calendar(identifier: .gregorian)
        local.timeZone = checkout.slots.timeZone
        return Calendar.utc.date(from: local.dateComponents([.year, .month, .day], from: checkout.now())) ?? checkout.now()
    }

    /// What to pick on `day` (the calendar date of `day` in UTC, a day in the shop's time zone;
    /// ``today()`` for today), for orders that are paid or being picked: those whose slot starts
    /// that day in the shop's time zone, one group per slot, then those without a slot paid that
    /// day there; each product once per group, summed across its orders, in aisle order. The
    /// list's own lines sum the whole day.
    public func pickingList(day: Date) async throws -> PickingList {
        var local = Calendar(identifier: .gregorian)
        local.timeZone = checkout.slots.timeZone
        let date = Calendar.utc.dateComponents([.year, .month, .day], from: day)
        let localStart = local.date(from: date) ?? Calendar.utc.startOfDay(for: day)
        let localEnd = local.date(byAdding: .day, value: 1, to: localStart) ?? localStart.addingTimeInterval(86_400)
        let statuses: [OrderStatus] = [.paid, .picking]
        let slotted = try await repository.lines(statuses: statuses, window: .slotStarting(
            from: Int64(localStart.timeIntervalSince1970), before: Int64(localEnd.timeIntervalSince1970)))
        let standard = try await repository.lines(statuses: statuses, window: .paidWithoutSlot(
            from: Int64(localStart.timeIntervalSince1970), before: Int64(localEnd.timeIntervalSince1970)))
        let wanted = slotted + standard
        let products = try await checkout.catalog.products(ids: Array(Set(wanted.map(\.line.productID))))
        let aisleOrder = Dictionary(try await checkout.catalog.aisles().enumerated().map { ($1.slug, $0) }, uniquingKeysWith: { first, _ in first })
        let whole = Self.pick(wanted.map { ($0.number, $0.line) }, products: products, aisleOrder: aisleOrder)
        var groups: [PickingList.Group] = []
        var keys: [String] = []
        var byKey: [String: (title: String, startsAt: Date?, wanted: [(String, OrderLine)])] = [:]
        for (number, slot, line) in wanted {
            let key = slot.map { "\($0.startsAt)|\($0.endsAt)|\($0.place)" } ?? "standard"
            if byKey[key] == nil {
                keys.append(key)
                let title = slot.map { slot in
                    let method = FulfilmentMethod(rawValue: slot.method) ?? .delivery
                    let start = Date(timeIntervalSince1970: TimeInterval(slot.startsAt)), end = Date(timeIntervalSince1970: TimeInterval(slot.endsAt))
                    return "\(method.title) \(Slot.parts(from: start, to: end, in: local.timeZone).hours), \(slot.place)"
                } ?? "Standard delivery (no slot), paid this day"
                byKey[key] = (title, slot.map { Date(timeIntervalSince1970: TimeInterval($0.startsAt)) }, [])
            }
            byKey[key]?.wanted.append((number, line))
        }
        for key in keys {
            guard let group = byKey[key] else { continue }
            let picked = Self.pick(group.wanted, products: products, aisleOrder: aisleOrder)
            groups.append(PickingList.Group(title: group.title, startsAt: group.startsAt, orderNumbers: picked.orderNumbers, lines: picked.lines))
        }
        return PickingList(orderNumbers: whole.orderNumbers, lines: whole.lines, groups: groups)
    }

    /// Each product of `wanted` once, summed across its orders, in aisle order.
    static func pick(_ wanted: [(number: String, line: OrderLine)], products: [ProductID: Product], aisleOrder: [String: Int]) -> PickingList {
        var lines: [ProductID: PickingList.Line] = [:]
        for (number, line) in wanted {
            lines[line.productID, default: PickingList.Line(
                productID: line.productID, sku: line.sku, name: line.name, packSize: line.packSize,
                aisleName: products[line.productID]?.aisleName ?? "Other", quantity: 0, orders: [], weighing: line.weighed?.mode
            )].quantity += line.quantity
            lines[line.productID]?.grams += line.weighed?.orderedGrams ?? 0
            lines[line.productID]?.orders.append(PickingList.Want(number: number, quantity: line.quantity, amount: line.quantityText))
        }
        let position = { (line: PickingList.Line) in products[line.productID].flatMap { aisleOrder[$0.aisleSlug] } ?? Int.max }
        return PickingList(
            orderNumbers: wanted.map(\.number).reduce(into: [String]()) { numbers, number in if numbers.last != number { numbers.append(number) } },
            lines: lines.values.sorted { (position($0), $0.name, $0.sku) < (position($1), $1.name, $1.sku) }
        )
    }

    /// Orders placed in `[from, before)` as CSV, oldest first: number, times, state, units and
    /// money, never personal data.
    public func exportOrders(from: Date, before: Date) async throws -> String {
        let rows = try await repository.export(from: Int64(from.timeIntervalSince1970), before: Int64(before.timeIntervalSince1970))
        let time = { (seconds: Int64?) in seconds.map { Date(timeIntervalSince1970: TimeInterval($0)).formatted(.iso8601) } ?? "" }
        let money = { (minor: Int64, currency: String) in
            Money(minorUnits: minor, currency: Currency(code: currency) ?? checkout.catalog.currency).decimalString
        }
        return CSVWriter.render(
            header: ["number", "placed_at", "paid_at", "status", "units", "subtotal", "delivery", "total", "refunded", "currency"],
            rows: rows.map { stored, units in
                [stored.number, time(stored.createdAt), time(stored.paidAt), stored.status, String(units), money(stored.subtotalMinor, stored.currency),
                 money(stored.deliveryMinor, stored.currency), money(stored.totalMinor, stored.currency), money(stored.refundedMinor, stored.currency),
                 stored.currency]
            }
        )
    }

    // MARK: - Notes

    /// Adds a note (1 to 1,000 characters) to an order, sealed at rest; `also` runs in its transaction.
    public func addNote(to id: OrderID, text: String, author: String, also: AlsoInTransaction? = nil) async throws {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...1_000).contains(text.count) else { throw FulfilmentError.invalidNote }
        let sealed = try checkout.vault.seal(text)
        let timestamp = checkout.timestamp()
        try await database.transaction { sql in
            guard let state = try await OrderRepository.state(publicID: id.publicString, customerID: nil, sql: sql) else { throw FulfilmentError.orderNotFound }
            try await sql.insert(into: "order_notes").columns("order_id", "author", "text_sealed", "created_at")
                .values(SQLBind(state.internalID), SQLBind(author), SQLBind(sealed), SQLBind(timestamp)).run()
            try await also?(sql, OrderChange(from: state.status, to: state.status, refunded: nil))
        }
    }

    /// The notes on an order, oldest first.
    public func notes(on id: OrderID) async throws -> [OrderNote] {
        let rows = try await database.read { sql in
            try await sql.select().column(SQLColumn("author", table: "order_notes")).column(SQLColumn("text_sealed", table: "order_notes"))
                .column(SQLColumn("created_at", table: "order_notes"))
                .from("order_notes").join("orders", on: SQLColumn("order_id", table: "order_notes"), .equal, SQLColumn("id", table: "orders"))
                .where(SQLColumn("public_id", table: "orders"), .equal, SQLBind(id.publicString))
                .orderBy(SQLColumn("id", table: "order_notes")).all()
                .map { (try $0.decode(column: "author", as: String.self), try $0.decode(column: "text_sealed", as: String.self),
                        try $0.decode(column: "created_at", as: Int64.self)) }
        }
        return try rows.map { OrderNote(at: Date(timeIntervalSince1970: TimeInterval($0.2)), author: $0.0, text: try checkout.vault.open($0.1)) }
    }

    // MARK: - Moving orders

    /// Takes `transition` on the order. `expecting` is the state the caller saw: when the order has
    /// moved on since, the answer is ``FulfilmentError/conflict(current:)`` rather than a step from
    /// somewhere else. Asking for the state the order is already in changes nothing. Cancelling
    /// returns the stock and refunds what is left of the payment; ``OrderTransition/pack`` here
    /// means everything was picked.
    @discardableResult
    public func move(_ id: OrderID, _ transition: OrderTransition, expecting: OrderStatus? = nil, by actor: OrderActor,
                     customerID: CustomerID? = nil, also: AlsoInTransaction? = nil) async throws -> Order {
        if transition == .pack { return try await pack(id, picked: nil, expecting: expecting, by: actor, also: also) }
        let timestamp = checkout.timestamp()
        let catalog = checkout.catalog
        let slots = checkout.slots
        let promotions = checkout.cart.promotions
        let outcome = try await database.transaction { sql -> (refund: PendingRefund?, stockChanged: Bool, payment: PaymentStep?) in
            guard let state = try await OrderRepository.state(publicID: id.publicString, customerID: customerID, sql: sql) else {
                throw FulfilmentError.orderNotFound
            }
            if state.status == transition.target { return (nil, false, nil) }
            if transition == .deliverWithoutRestricted && state.idCheckAge == 0 {
                throw FulfilmentError.invalidRefund("This order has no age-restricted items to keep back.")
            }
            try await Self.step(state, transition, expecting: expecting, by: actor, now: timestamp, sql: sql)
            var note: String?
            var refund: PendingRefund?
            var stockChanged = false
            var payment: PaymentStep?
            if transition == .cancel {
                try Self.refuseWhileCapturing(state)
                let lines = try await OrderRepository.lines(orderID: state.internalID, currency: state.currency, sql: sql)
                stockChanged = try await catalog.returnStock(lines.compactMap { line in
                    let onShelf = line.pickedQuantity ?? line.quantity
                    return onShelf > 0 ? StockItem(productID: line.productID, quantity: line.weighed == nil ? onShelf : line.stockUnits) : nil
                }, in: sql)
                try await slots.release(orderID: state.publicID, in: sql)
                // A cancelled order gives its voucher's use back: the shopper may use it again.
                try await promotions?.release(orderID: state.publicID, in: sql)
                let amount = state.remaining
                if amount.minorUnits > 0 {
                    refund = try await Self.recordRefund(state, key: "\(state.publicID):cancel", amount: amount,
                                                         reason: actor == .customer ? "Cancelled by you" : "Order cancelled", actor: actor, now: timestamp, sql: sql)
                    note = state.payment.isUncaptured ? "Nothing charged: the \(amount.formatted) reserved on the card is released" : "\(amount.formatted) refunded"
                }
                if state.payment.isUncaptured, state.payment.captureState != "pending" {
                    try await OrderRepository.setCapture(orderID: state.internalID, state: "voided", amountMinor: 0, now: timestamp, sql: sql)
                    payment = state.paymentReference.map { .void($0) }
                }
            }
            if [.deliver, .deliverWithoutRestricted, .refuse].contains(transition) {
                let handed = try await Self.handOver(state, transition, actor: actor, now: timestamp, catalog: catalog, sql: sql)
                (refund, note, payment) = (handed.refund ?? refund, handed.note, handed.payment)
                stockChanged = handed.stockChanged
            }
            try await OrderRepository.appendEvent(orderID: state.internalID, status: transition.target, note: note, actor: actor.label, now: timestamp, sql: sql)
            try await OrderRepository.appendOutbox(topic: transition.topic, aggregateID: state.publicID,
                                                   payload: Self.payload(state, transition.target, refund: refund), now: timestamp, sql: sql)
            try await also?(sql, OrderChange(from: state.status, to: transition.target, refunded: refund?.amount))
            return (refund, stockChanged, payment)
        }
        if outcome.stockChanged { catalog.stockDidChange() }
        if let refund = outcome.refund { await send(refund) }
        switch outcome.payment {
        case .capture(let authorisation, let amount)?: await capture(authorisation, amount: amount, orderID: id.publicString)
        case .void(let authorisation)?: await void(authorisation, orderID: id.publicString)
        case nil: break
        }
        return try await order(id: id)
    }

    /// Records what was picked (`picked[lineNumber]`, from 0 to the quantity ordered; nil means
    /// everything) and what weighed lines weighed (`weights[lineNumber]` in grams; 0: none found;
    /// missing: the estimate), and marks the order packed. A line picked short is refunded for the
    /// units missing; a weighed line is priced for its weight, which must be within its tolerance
    /// of the estimate (of the items picked, for goods bought by count); when nothing at all could
    /// be picked the order is cancelled and refunded in full.
    ///
    /// `substitutes[lineNumber]` puts a product in for the units of a line not found, when the
    /// shopper allowed it (any similar product, or the one they named) and it passes the shop's
    /// ``Catalog/SubstituteRule``: it goes on the order as a new line, at its price or the
    /// original's if that is lower, for the shopper to accept or reject; the order is then
    /// captured when it is handed over, without what they rejected.
    @discardableResult
    public func pack(_ id: OrderID, picked: [Int: Int]?, weights: [Int: Int] = [:], substitutes: [Int: ProductID] = [:], expecting: OrderStatus? = nil,
                     by actor: OrderActor, also: AlsoInTransaction? = nil) async throws -> Order {
        try await withSpan("fulfilment.pick") { _ in
            try await recordPicks(id, picked: picked, weights: weights, substitutes: substitutes, expecting: expecting, by: actor, also: also)
        }
    }

    private func recordPicks(_ id: OrderID, picked: [Int: Int]?, weights: [Int: Int], substitutes: [Int: ProductID], expecting: OrderStatus?,
                             by actor: OrderActor, also: AlsoInTransaction?) async throws -> Order {
        let timestamp = checkout.timestamp()
        let slots = checkout.slots
        let catalog = checkout.catalog
        let rule = checkout.cart.policy.substitutes
        // The substitutes as the catalogue has them now (read before the transaction; their stock
        // is taken inside it).
        let candidates = substitutes.isEmpty ? [:] : try await catalog.currentProducts(ids: Array(Set(substitutes.values)))
        let originals = substitutes.isEmpty ? [:] : try await catalog.currentProducts(ids: try await order(id: id).lines.map(\.productID))
        let (refund, payment, stockChanged) = try await database.transaction { sql -> (PendingRefund?, PaymentStep?, Bool) in
            guard var state = try await OrderRepository.state(publicID: id.publicString, customerID: nil, sql: sql) else {
                throw FulfilmentError.orderNotFound
            }
            if state.status == .packed { return (nil, nil, false) }
            let lines = try await OrderRepository.lines(orderID: state.internalID, currency: state.currency, sql: sql)
            let (counts, grams) = try Self.checkPicks(picked, weights: weights, lines: lines)
            let nothingFound = counts.values.allSatisfy { $0 == 0 } && substitutes.isEmpty
            let transition: OrderTransition = nothingFound ? .cancel : .pack
            guard OrderTransition.pack.startsFrom(by: actor).contains(state.status) else { throw FulfilmentError.conflict(current: state.status) }
            try await Self.step(state, transition, expecting: expecting ?? .picking, by: actor, now: timestamp, sql: sql)
            if nothingFound { try await slots.release(orderID: state.publicID, in: sql) }
            var short: [(line: OrderLine, missing: Int)] = []
            var reweighed: [(line: OrderLine, grams: Int, total: Money)] = []
            for line in lines {
                let count = counts[line.number] ?? line.quantity
                try await OrderRepository.recordPick(orderID: state.internalID, lineNumber: line.number, picked: count, sql: sql)
                if let weighed = line.weighed, count > 0, let picked = grams[line.number] {
                    // Found, and priced for what it weighs (the units missing of a line bought by
                    // count are not charged because they are not in the weight).
                    let total = Pricing.weighed(grams: picked, pricePerKilogram: line.unitPrice)
                    try await OrderRepository.recordWeight(orderID: state.internalID, lineNumber: line.number, grams: picked, lineTotal: total, sql: sql)
                    if picked != weighed.orderedGrams || total != line.lineTotal { reweighed.append((line, picked, total)) }
                    continue
                }
                let missing = line.quantity - line.refundedQuantity - count
                if missing > 0 {
                    guard try await OrderRepository.refundUnits(orderID: state.internalID, lineNumber: line.number, quantity: missing, sql: sql) else {
                        throw FulfilmentError.invalidPicks("Line \(line.number) was refunded meanwhile; reload the order.")
                    }
                    short.append((line, missing))
                }
            }
            var refund: PendingRefund?
            var note: String?
            var stockChanged = false
            // Substitutes for the units not found, as new lines the shopper may reject.
            var substituted: [(original: OrderLine, line: OrderLine)] = []
            var nextNumber = (lines.map(\.number).max() ?? 0) + 1
            for (number, productID) in substitutes.sorted(by: { $0.key < $1.key }) {
                guard let original = lines.first(where: { $0.number == number }) else { throw FulfilmentError.invalidPicks("The order has no line \(number).") }
                let missing = original.quantity - original.refundedQuantity - (counts[number] ?? original.quantity)
                guard original.substitute == nil, original.weighed == nil, missing > 0 else {
                    throw FulfilmentError.invalidPicks("\(original.name): only units not found can be substituted.")
                }
                switch original.substitution {
                case .none: throw FulfilmentError.invalidPicks("\(original.name): the shopper asked for no substitute.")
                case .product(let wanted) where wanted != productID: throw FulfilmentError.invalidPicks("\(original.name): the shopper named another substitute.")
                default: break
                }
                guard let candidate = candidates[productID], let originalProduct = originals[original.productID] else {
                    throw FulfilmentError.invalidPicks("\(original.name): that substitute is not on sale.")
                }
                if let problem = rule.problem(with: candidate, for: originalProduct) { throw FulfilmentError.invalidPicks("\(original.name): \(problem)") }
                let take = try await catalog.takeStock([StockItem(productID: productID, quantity: missing)], in: sql)
                guard take.shortfalls.isEmpty else { throw FulfilmentError.invalidPicks("\(candidate.name): only \(take.shortfalls[0].available) in stock.") }
                stockChanged = stockChanged || take.changedShownLevels
                // Never dearer than what it stands in for.
                let price = Money(minorUnits: min(candidate.price.minorUnits, original.unitPrice.minorUnits), currency: original.unitPrice.currency)
                let line = OrderLine(productID: productID, sku: candidate.sku, name: candidate.name, packSize: candidate.packSize, unitPrice: price,
                                     quantity: missing, lineTotal: Pricing.total(of: PricedLine(unitPrice: price, quantity: missing)),
                                     pickedQuantity: missing, number: nextNumber, minimumAge: candidate.minimumAge,
                                     // Its bottles' deposit, never more than the original's (whose deposit for the missing units is released).
                                     deposit: min(candidate.deposit.minorUnits, original.deposit), substitution: .none,
                                     substitute: OrderLine.Substitute(forLine: number, state: .proposed))
                try await OrderRepository.insertSubstitute(line, orderID: state.internalID, sql: sql)
                substituted.append((original, line))
                nextNumber += 1
            }
            if !substituted.isEmpty {
                let added = Pricing.sum(substituted.map { Pricing.totalWithDeposits(of: $0.line.pricedLine(units: $0.line.quantity)) }, currency: Self.currency(state))
                state = try await OrderRepository.changeTotal(of: state, by: added.minorUnits, sql: sql)
            }
            if !reweighed.isEmpty {
                // Weighed goods change the order's total by what they weigh over or under the
                // estimate (the card was authorised for the most they may come to), and the stock
                // by the grams picked over or under the estimate's.
                let currency = Self.currency(state)
                let change = Pricing.remaining(of: Pricing.sum(reweighed.map(\.total), currency: currency),
                                               after: Pricing.sum(reweighed.map(\.line.lineTotal), currency: currency))
                state = try await OrderRepository.changeTotal(of: state, by: change.minorUnits, sql: sql)
                stockChanged = try await catalog.settleStock(reweighed.map {
                    StockItem(productID: $0.line.productID, quantity: $0.grams - ($0.line.weighed?.orderedGrams ?? $0.grams))
                }, in: sql)
                note = "Weighed: " + reweighed.map {
                    "\(Weighing.format(grams: $0.grams)) of \($0.line.name), \($0.total.formatted) (estimated \($0.line.lineTotal.formatted))"
                }.joined(separator: "; ")
            }
            if !short.isEmpty {
                // Nothing picked gives back everything left of the total (delivery and the shop's
                // charges too); otherwise the missing units at the price of the order.
                let amount = nothingFound ? state.remaining
                    : Pricing.refund(short.map { $0.line.pricedLine(units: $0.missing) }, remaining: state.remaining)
                let reason = nothingFound ? "Nothing could be picked"
                    : "Not available: " + short.map { "\($0.missing) × \($0.line.name)" }.joined(separator: ", ")
                if amount.minorUnits > 0 {
                    refund = try await Self.recordRefund(state, key: "\(state.publicID):picking", amount: amount, reason: reason, actor: actor,
                                                         now: timestamp, sql: sql)
                }
                let shortNote = state.payment.isUncaptured ? "\(amount.formatted) not charged. \(reason)" : "\(amount.formatted) refunded. \(reason)"
                note = [note, shortNote].compactMap { $0 }.joined(separator: ". ")
            }
            // The payment follows what was picked: capture what is left of the total (never more
            // than was authorised), or void the authorisation when nothing could be picked.
            var payment: PaymentStep?
            if state.payment.isUncaptured, let authorisation = state.paymentReference, nothingFound || (state.idCheckAge == 0 && substituted.isEmpty) {
                // An order with an ID check or substitutes is captured when it is handed over
                // (``handOver``): what the driver keeps back for want of proof of age, and what
                // the shopper rejects, is never charged.
                if nothingFound {
                    try await OrderRepository.setCapture(orderID: state.internalID, state: "voided", amountMinor: 0, now: timestamp, sql: sql)
                    payment = .void(authorisation)
                } else {
                    let released = refund?.amount.minorUnits ?? 0
                    let currency = Self.currency(state)
                    let capture = Pricing.capture(
                        remaining: Money(minorUnits: state.remaining.minorUnits - released, currency: currency),
                        authorised: Money(minorUnits: state.payment.authorisedMinor, currency: currency)
                    )
                    try await OrderRepository.setCapture(orderID: state.internalID, state: "pending", amountMinor: capture.minorUnits, now: timestamp, sql: sql)
                    payment = .capture(authorisation, capture)
                }
            }
            if !substituted.isEmpty {
                let words = "Substituted: " + substituted.map { "\($0.line.quantity) × \($0.line.name) for \($0.original.name)" }.joined(separator: "; ")
                note = [note, words].compactMap { $0 }.joined(separator: ". ")
            }
            try await OrderRepository.appendEvent(orderID: state.internalID, status: transition.target, note: note, actor: actor.label, now: timestamp, sql: sql)
            try await OrderRepository.appendOutbox(topic: transition.topic, aggregateID: state.publicID,
                                                   payload: Self.payload(state, transition.target, refund: refund), now: timestamp, sql: sql)
            if !substituted.isEmpty {
                // The shopper hears of the substitutes at once, to accept or reject them before dispatch.
                try await OrderRepository.appendOutbox(topic: .orderSubstituted, aggregateID: state.publicID,
                                                       payload: ["order_id": state.publicID, "number": state.number, "lines": String(substituted.count)],
                                                       now: timestamp, sql: sql)
            }
            try await also?(sql, OrderChange(from: state.status, to: transition.target, refunded: refund?.amount))
            return (refund, payment, stockChanged)
        }
        if stockChanged { catalog.stockDidChange() }
        if let refund { await send(refund) }
        switch payment {
        case .capture(let authorisation, let amount)?: await capture(authorisation, amount: amount, orderID: id.publicString)
        case .void(let authorisation)?: await void(authorisation, orderID: id.publicString)
        case nil: break
        }
        return try await order(id: id)
    }

    /// The door, for an order going out (in the caller's transaction): delivered, delivered
    /// without its age-restricted goods (kept back: back to stock, not charged), or refused. An
    /// order with an ID check is captured here, for what was handed over; refused, its
    /// authorisation is voided.
    static func handOver(_ state: OrderRepository.State, _ transition: OrderTransition, actor: OrderActor, now: Int64, catalog: CatalogService,
                         sql: any SQLDatabase) async throws -> (refund: PendingRefund?, note: String?, payment: PaymentStep?, stockChanged: Bool) {
        var refund: PendingRefund?
        var note: String?
        var released = Money(minorUnits: 0, currency: currency(state))
        var stockChanged = false
        if transition == .deliverWithoutRestricted {
            let lines = try await OrderRepository.lines(orderID: state.internalID, currency: state.currency, sql: sql)
            var kept: [(line: OrderLine, units: Int)] = []
            for line in lines where line.minimumAge > 0 && line.quantity - line.refundedQuantity > 0 {
                let units = line.quantity - line.refundedQuantity
                guard try await OrderRepository.refundUnits(orderID: state.internalID, lineNumber: line.number, quantity: units, sql: sql) else {
                    throw FulfilmentError.invalidRefund("Line \(line.number) was refunded meanwhile; reload the order.")
                }
                kept.append((line, units))
            }
            stockChanged = try await catalog.returnStock(kept.map { StockItem(productID: $0.line.productID, quantity: $0.line.weighed == nil ? $0.units : $0.line.stockUnits) }, in: sql)
            let amount = Pricing.refund(kept.map { $0.line.pricedLine(units: $0.units) }, remaining: state.remaining)
            let reason = "Kept back at the door, no proof of age: " + kept.map { "\($0.units) × \($0.line.name)" }.joined(separator: ", ")
            if amount.minorUnits > 0 {
                refund = try await recordRefund(state, key: "\(state.publicID):no-proof-of-age", amount: amount, reason: reason, actor: actor, now: now, sql: sql)
                released = amount
                note = state.payment.isUncaptured ? "\(amount.formatted) not charged. \(reason)" : "\(amount.formatted) refunded. \(reason)"
            }
        }
        // Not captured at packing (an ID check, or substitutes to accept or reject): captured now.
        guard state.payment.isUncaptured, state.payment.captureState == nil, let authorisation = state.paymentReference else {
            return (refund, note, nil, stockChanged)
        }
        let left = Pricing.remaining(of: state.remaining, after: released)
        if transition == .refuse {
            if left.minorUnits > 0 {
                refund = try await recordRefund(state, key: "\(state.publicID):refused", amount: left, reason: "Refused at the door", actor: actor, now: now, sql: sql)
                note = "Nothing charged: the \(left.formatted) reserved on the card is released"
            }
            try await OrderRepository.setCapture(orderID: state.internalID, state: "voided", amountMinor: 0, now: now, sql: sql)
            return (refund, note, .void(authorisation), stockChanged)
        }
        let capture = Pricing.capture(remaining: left, authorised: Money(minorUnits: state.payment.authorisedMinor, currency: currency(state)))
        guard capture.minorUnits > 0 else {
            try await OrderRepository.setCapture(orderID: state.internalID, state: "voided", amountMinor: 0, now: now, sql: sql)
            return (refund, note, .void(authorisation), stockChanged)
        }
        try await OrderRepository.setCapture(orderID: state.internalID, state: "pending", amountMinor: capture.minorUnits, now: now, sql: sql)
        return (refund, note, .capture(authorisation, capture), stockChanged)
    }

    /// The shopper's answer to a substitute (or, at the door, the driver's for them): accepted, or
    /// rejected, when it comes off the order, back to stock and is not charged. The shopper may
    /// answer until the order leaves; the driver while it is out for delivery.
    @discardableResult
    public func answerSubstitute(_ id: OrderID, line number: Int, accept: Bool, by actor: OrderActor, customerID: CustomerID? = nil,
                                 also: AlsoInTransaction? = nil) async throws -> Order {
        let timestamp = checkout.timestamp()
        let catalog = checkout.catalog
        let (refund, stockChanged) = try await database.transaction { sql -> (PendingRefund?, Bool) in
            guard let state = try await OrderRepository.state(publicID: id.publicString, customerID: customerID, sql: sql) else {
                throw FulfilmentError.orderNotFound
            }
            let open: [OrderStatus] = actor == .customer ? [.packed] : [.packed, .outForDelivery]
            guard open.contains(state.status) else { throw FulfilmentError.conflict(current: state.status) }
            let lines = try await OrderRepository.lines(orderID: state.internalID, currency: state.currency, sql: sql)
            guard let line = lines.first(where: { $0.number == number }), let substitute = line.substitute else {
                throw FulfilmentError.invalidPicks("The order has no substitute on line \(number).")
            }
            let original = lines.first { $0.number == substitute.forLine }?.name ?? "an item"
            if substitute.state == .rejected || (accept && substitute.state == .accepted) { return (nil, false) }
            guard accept || substitute.state == .proposed || substitute.state == .accepted else { return (nil, false) }
            try await OrderRepository.setSubstituteState(orderID: state.internalID, lineNumber: number, accept ? .accepted : .rejected, sql: sql)
            var refund: PendingRefund?
            var stockChanged = false
            var note = "\(line.name) accepted instead of \(original)"
            if !accept {
                let units = line.quantity - line.refundedQuantity
                guard units > 0, try await OrderRepository.refundUnits(orderID: state.internalID, lineNumber: number, quantity: units, sql: sql) else {
                    throw FulfilmentError.invalidRefund("\(line.name) was refunded meanwhile; reload the order.")
                }
                // Back on the shelf: nothing of it is with the order any more (a later cancellation
                // returns nothing twice).
                stockChanged = try await catalog.returnStock([StockItem(productID: line.productID, quantity: units)], in: sql)
                try await OrderRepository.recordPick(orderID: state.internalID, lineNumber: number, picked: 0, sql: sql)
                let amount = Pricing.refund([line.pricedLine(units: units)], remaining: state.remaining)
                let reason = "Substitute rejected\(state.status == .outForDelivery ? " at the door" : ""): \(units) × \(line.name) for \(original)"
                if amount.minorUnits > 0 {
                    refund = try await Self.recordRefund(state, key: "\(state.publicID):substitute-\(number)", amount: amount, reason: reason, actor: actor,
                                                         now: timestamp, sql: sql)
                }
                note = state.payment.isUncaptured ? "\(amount.formatted) not charged. \(reason)" : "\(amount.formatted) refunded. \(reason)"
            }
            try await OrderRepository.appendEvent(orderID: state.internalID, status: state.status, note: note, actor: actor.label, now: timestamp, sql: sql)
            try await also?(sql, OrderChange(from: state.status, to: state.status, refunded: refund?.amount))
            return (refund, stockChanged)
        }
        if stockChanged { catalog.stockDidChange() }
        if let refund { await send(refund) }
        return try await order(id: id)
    }

    /// What packing asks of the payment provider once its transaction has committed.
    enum PaymentStep: Sendable {
        case capture(String, Money)
        case void(String)
    }

    /// Takes `amount` of the order's authorisation, with the order's one capture key, and records
    /// it. An authorisation that can no longer be captured (it expired) is replaced by a new one on
    /// the card saved with it, captured at once; when that fails too the capture is marked failed
    /// for staff to settle. A processing error leaves it pending for ``completePendingCaptures(olderThan:)``.
    @discardableResult
    func capture(_ authorisation: String, amount: Money, orderID: String) async -> Bool {
        var captureLogger = logger
        captureLogger[metadataKey: "order_id"] = .string(orderID)
        do {
            let receipt: CaptureReceipt
            do {
                receipt = try await withSpan("payment.capture", ofKind: .client) { _ in
                    try await payments.capture(authorisation: authorisation, amount: amount, idempotencyKey: "\(orderID):capture")
                }
            } catch PaymentError.captureRejected(let reason) {
                captureLogger.warning("the authorisation could not be captured; authorising again on the saved card", metadata: ["reason": "\(reason)"])
                receipt = try await reauthoriseAndCapture(amount: amount, orderID: orderID)
                await void(authorisation, orderID: orderID + ":lapsed")
            }
            try await repository.recordCapture(publicID: orderID, amount: receipt.amount, reference: receipt.reference, now: checkout.timestamp())
            BusinessMetrics.captured(receipt.amount)
            return true
        } catch PaymentError.captureRejected(let reason) {
            captureLogger.error("the payment could not be captured; settle it with the customer", metadata: ["reason": "\(reason)"])
            try? await repository.failCapture(publicID: orderID, now: checkout.timestamp())
            return false
        } catch {
            captureLogger.warning("a capture was not confirmed and will be retried", metadata: ["error": "\(String(describing: type(of: error)))"])
            return false
        }
    }

    /// A new authorisation for `amount` on the card saved with the order's first one, captured at
    /// once; throws ``PaymentError/captureRejected(_:)`` when the card declines.
    func reauthoriseAndCapture(amount: Money, orderID: String) async throws -> CaptureReceipt {
        guard let method = try await repository.paymentMethod(publicID: orderID) else {
            throw PaymentError.captureRejected("The order has no saved card to authorise again.")
        }
        switch try await payments.authorise(amount: amount, source: .saved(method), orderReference: orderID, idempotencyKey: "\(orderID):reauthorise-capture") {
        case .authorised(let fresh):
            try await repository.replaceAuthorisation(publicID: orderID, with: fresh, now: checkout.timestamp())
            return try await payments.capture(authorisation: fresh.reference, amount: amount, idempotencyKey: "\(orderID):capture-reauthorised")
        case .declined(let reason):
            throw PaymentError.captureRejected("The saved card was declined: \(reason.rawValue).")
        }
    }

    /// Releases an authorisation that will not be captured; a failure is logged (it lapses anyway).
    func void(_ authorisation: String, orderID: String) async {
        do {
            try await payments.void(authorisation: authorisation, idempotencyKey: "\(orderID):void")
        } catch {
            var voidLogger = logger
            voidLogger[metadataKey: "order_id"] = .string(orderID)
            voidLogger.warning("an authorisation could not be voided; it lapses on its own", metadata: ["error": "\(String(describing: type(of: error)))"])
        }
    }

    /// Asks the provider again for captures packing decided but it has not confirmed (a failure,
    /// or a crash between the capture and recording it), with the same keys. Returns how many
    /// were confirmed.
    @discardableResult
    public func completePendingCaptures(olderThan age: TimeInterval = 30) async throws -> Int {
        var confirmed = 0
        for (publicID, authorisation, amount) in try await repository.pendingCaptures(updatedBefore: checkout.timestamp() - Int64(age), limit: 200) {
            if await capture(authorisation, amount: amount, orderID: publicID) { confirmed += 1 }
        }
        return confirmed
    }

    /// Authorises again, on the saved card, orders not yet captured whose authorisation expires
    /// within `margin` (card authorisations last about 7 days; a slot can be further off), and
    /// voids the old one. Returns how many were renewed.
    @discardableResult
    public func renewExpiringAuthorisations(within margin: TimeInterval = 86_400) async throws -> Int {
        var renewed = 0
        for order in try await repository.expiringAuthorisations(before: checkout.timestamp() + Int64(margin), limit: 200) {
            var renewLogger = logger
            renewLogger[metadataKey: "order_id"] = .string(order.publicID)
            do {
                let outcome = try await payments.authorise(amount: order.amount, source: .saved(order.paymentMethod), orderReference: order.publicID,
                                                           idempotencyKey: "\(order.publicID):renew:\(order.expiresAt)")
                guard case .authorised(let fresh) = outcome else {
                    renewLogger.error("the saved card declined a renewed authorisation; the order needs a new payment")
                    continue
                }
                try await repository.replaceAuthorisation(publicID: order.publicID, with: fresh, now: checkout.timestamp())
                await void(order.reference, orderID: order.publicID + ":renewed")
                renewed += 1
            } catch {
                renewLogger.warning("could not renew an authorisation; will retry", metadata: ["error": "\(String(describing: type(of: error)))"])
            }
        }
        return renewed
    }

    /// Gives money back on an order that has left the shelf (packed, out for delivery, delivered
    /// or refused): `lines[lineNumber]` units of each line at the price paid, and the delivery
    /// charge when `delivery` is true. Repeating the call with the same `idempotencyKey` refunds
    /// nothing more. When everything has been given back the order is `refunded`.
    @discardableResult
    public func refund(_ id: OrderID, lines wanted: [Int: Int], delivery: Bool, reason: String, idempotencyKey: String,
                       by actor: OrderActor, also: AlsoInTransaction? = nil) async throws -> Order {
        try await withSpan("fulfilment.refund") { _ in
            try await giveBack(id, lines: wanted, delivery: delivery, reason: reason, idempotencyKey: idempotencyKey, by: actor, also: also)
        }
    }

    private func giveBack(_ id: OrderID, lines wanted: [Int: Int], delivery: Bool, reason: String, idempotencyKey: String,
                          by actor: OrderActor, also: AlsoInTransaction?) async throws -> Order {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(reason.count) else { throw FulfilmentError.invalidRefund("Give a reason for the refund, up to 200 characters.") }
        guard (8...100).contains(idempotencyKey.count),
              idempotencyKey.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { throw FulfilmentError.invalidRefund("An idempotency key of 8 to 100 letters, digits, '-' or '_' is required.") }
        let timestamp = checkout.timestamp()
        let (refund, everything) = try await database.transaction { sql -> (PendingRefund?, Bool) in
            guard let state = try await OrderRepository.state(publicID: id.publicString, customerID: nil, sql: sql) else {
                throw FulfilmentError.orderNotFound
            }
            try Self.refuseWhileCapturing(state)
            let key = "\(state.publicID):\(idempotencyKey)"
            if try await OrderRepository.refund(key: key, sql: sql) != nil { return (nil, false) } // a repeat: already done
            guard state.status.allowsRefund else {
                throw FulfilmentError.conflict(current: state.status)
            }
            let lines = try await OrderRepository.lines(orderID: state.internalID, currency: state.currency, sql: sql)
            var priced: [PricedLine] = []
            for (number, quantity) in wanted.sorted(by: { $0.key < $1.key }) where quantity != 0 {
                guard let line = lines.first(where: { $0.number == number }) else { throw FulfilmentError.invalidRefund("The order has no line \(number).") }
                if line.weighed != nil && quantity != line.quantity - line.refundedQuantity {
                    throw FulfilmentError.invalidRefund("\(line.name) was weighed: refund the whole line (\(line.quantity - line.refundedQuantity)) or none of it.")
                }
                guard quantity > 0, try await OrderRepository.refundUnits(orderID: state.internalID, lineNumber: number, quantity: quantity, sql: sql) else {
                    throw FulfilmentError.invalidRefund("\(line.name): at most \(line.quantity - line.refundedQuantity) can still be refunded.")
                }
                priced.append(line.pricedLine(units: quantity))
            }
            let currency = Self.currency(state)
            let remaining = state.remaining
            let amount = Pricing.refund(priced, delivery: delivery ? Money(minorUnits: state.deliveryMinor, currency: currency) : nil, remaining: remaining)
            guard amount.minorUnits > 0 else { throw FulfilmentError.invalidRefund("Choose what to refund; nothing is left to refund, or nothing was chosen.") }
            guard let recorded = try await Self.recordRefund(state, key: key, amount: amount, reason: reason, actor: actor, now: timestamp, sql: sql) else {
                return (nil, false)
            }
            let everything = amount == remaining
            if everything {
                guard try await OrderRepository.move(orderID: state.internalID, from: state.status, to: .refunded, now: timestamp, sql: sql) else {
                    throw FulfilmentError.conflict(current: try await Self.currentStatus(state, sql: sql))
                }
            }
            try await OrderRepository.appendEvent(orderID: state.internalID, status: everything ? .refunded : state.status,
                                                  note: "\(amount.formatted) refunded. \(reason)", actor: actor.label, now: timestamp, sql: sql)
            try await OrderRepository.appendOutbox(topic: .orderRefunded, aggregateID: state.publicID,
                                                   payload: Self.payload(state, everything ? .refunded : state.status, refund: recorded), now: timestamp, sql: sql)
            try await also?(sql, OrderChange(from: state.status, to: everything ? .refunded : state.status, refunded: amount))
            return (recorded, everything)
        }
        if everything { BusinessMetrics.refundedInFull() }
        if let refund { await send(refund) }
        return try await order(id: id)
    }

    /// Sends refunds the provider has not confirmed (a failure or a crash after recording them)
    /// again, with the same idempotency keys. Returns how many were confirmed.
    @discardableResult
    public func completePendingRefunds(olderThan age: TimeInterval = 30) async throws -> Int {
        let cutoff = checkout.timestamp() - Int64(age)
        var confirmed = 0
        for (stored, chargeReference, currency) in try await repository.pendingRefunds(createdBefore: cutoff, limit: 200) {
            let refund = PendingRefund(stored: stored, chargeReference: chargeReference,
                                       amount: Money(minorUnits: stored.amountMinor, currency: Currency(code: currency) ?? checkout.catalog.currency))
            if await send(refund) { confirmed += 1 }
        }
        return confirmed
    }

    // MARK: - Helpers

    /// A refund recorded in the database, to send to the provider after the transaction.
    struct PendingRefund: Sendable {
        var stored: OrderRepository.StoredRefund
        var chargeReference: String?
        var amount: Money
        /// Released from an authorisation, not refunded: nothing to send.
        var released = false
    }

    /// Asks the provider for the money; true when it confirmed. A refusal (an unknown charge)
    /// marks the refund failed for staff to settle by hand; a processing error leaves it pending.
    @discardableResult
    func send(_ refund: PendingRefund) async -> Bool {
        if refund.released { return true }
        var refundLogger = logger
        refundLogger[metadataKey: "refund_id"] = "\(refund.stored.internalID)"
        do {
            guard let charge = refund.chargeReference else { throw PaymentError.refundRejected("The order has no charge to refund.") }
            let receipt = try await withSpan("payment.refund", ofKind: .client) { _ in
                try await payments.refund(chargeReference: charge, amount: refund.amount, idempotencyKey: refund.stored.idempotencyKey)
            }
            try await repository.completeRefund(id: refund.stored.internalID, state: .succeeded, reference: receipt.reference, now: checkout.timestamp())
            BusinessMetrics.refunded(refund.amount)
            return true
        } catch PaymentError.refundRejected(let reason) {
            refundLogger.error("the payment provider refused a refund; it must be settled by hand", metadata: ["reason": "\(reason)"])
            try? await repository.completeRefund(id: refund.stored.internalID, state: .failed, reference: nil, now: checkout.timestamp())
            return false
        } catch {
            refundLogger.warning("a refund was not confirmed and will be retried", metadata: ["error": "\(String(describing: type(of: error)))"])
            return false
        }
    }

    /// Checks the state and moves the order one step; throws ``FulfilmentError/conflict(current:)``.
    static func step(_ state: OrderRepository.State, _ transition: OrderTransition, expecting: OrderStatus?, by actor: OrderActor,
                     now: Int64, sql: any SQLDatabase) async throws {
        if let expecting, state.status != expecting { throw FulfilmentError.conflict(current: state.status) }
        guard transition.startsFrom(by: actor).contains(state.status) else {
            throw FulfilmentError.conflict(current: state.status)
        }
        guard try await OrderRepository.move(orderID: state.internalID, from: state.status, to: transition.target, now: now, sql: sql) else {
            throw FulfilmentError.conflict(current: try await currentStatus(state, sql: sql))
        }
    }

    static func currentStatus(_ state: OrderRepository.State, sql: any SQLDatabase) async throws -> OrderStatus {
        try await OrderRepository.state(publicID: state.publicID, customerID: nil, sql: sql)?.status ?? state.status
    }

    /// Checks picked counts and weights against the lines: every key a line, every count within
    /// 0...ordered (a line bought by weight is found whole or not at all: 0 or its grams), every
    /// weight of a line found within its tolerance of the estimate for the items picked. Returns
    /// the counts, and the grams of each weighed line found (its estimate when no weight was given).
    static func checkPicks(_ picked: [Int: Int]?, weights: [Int: Int], lines: [OrderLine]) throws -> (counts: [Int: Int], grams: [Int: Int]) {
        var counts: [Int: Int] = [:]
        for line in lines { counts[line.number] = line.quantity - line.refundedQuantity }
        for number in Set(picked?.keys.map { $0 } ?? []).union(weights.keys) where !lines.contains(where: { $0.number == number }) {
            throw FulfilmentError.invalidPicks("The order has no line \(number).")
        }
        for (number, count) in picked ?? [:] {
            guard let line = lines.first(where: { $0.number == number }) else { continue }
            let most = line.quantity - line.refundedQuantity
            if line.weighed?.mode == .weight {
                guard count == 0 || count == most else { throw FulfilmentError.invalidPicks("\(line.name): enter 0 when none was found, else its weight.") }
            } else {
                guard (0...most).contains(count) else { throw FulfilmentError.invalidPicks("\(line.name): enter from 0 to \(most) picked.") }
            }
            counts[number] = count
        }
        var grams: [Int: Int] = [:]
        for line in lines {
            guard let weighed = line.weighed else {
                if weights[line.number] != nil { throw FulfilmentError.invalidPicks("\(line.name) is not weighed.") }
                continue
            }
            if weights[line.number] == 0 { counts[line.number] = 0 }
            let count = counts[line.number] ?? 0
            guard count > 0 else { continue }
            // The estimate for what was picked: the whole line by weight, the items found by count.
            let estimate = weighed.mode == .weight ? weighed.orderedGrams : weighed.orderedGrams * count / max(line.quantity, 1)
            let acceptable = OrderLine.Weighed(mode: weighed.mode, orderedGrams: estimate, pickedGrams: nil, tolerancePercent: weighed.tolerancePercent,
                                               estimatedTotal: weighed.estimatedTotal).acceptableGrams
            let weight = weights[line.number] ?? estimate
            guard acceptable.contains(weight) else {
                throw FulfilmentError.invalidPicks("\(line.name): the weight must be from \(Weighing.format(grams: acceptable.lowerBound)) to "
                                                   + "\(Weighing.format(grams: acceptable.upperBound)) (the \(Weighing.format(grams: estimate)) ordered, "
                                                   + "±\(weighed.tolerancePercent) %), or 0 when none was found.")
            }
            grams[line.number] = weight
        }
        return (counts, grams)
    }

    static func recordRefund(_ state: OrderRepository.State, key: String, amount: Money, reason: String, actor: OrderActor, now: Int64,
                             sql: any SQLDatabase) async throws -> PendingRefund? {
        // Before the capture nothing was taken: what is given back is released from the
        // authorisation, and there is nothing to send to the provider.
        let released = state.payment.isUncaptured
        let recorded = try await OrderRepository.recordRefund(orderID: state.internalID, key: key, amountMinor: amount.minorUnits, reason: reason,
                                                              actor: actor.label, state: released ? .released : .pending, now: now, sql: sql)
        guard recorded.fits else { throw FulfilmentError.invalidRefund("The refunds would exceed what was paid; reload the order.") }
        return recorded.refund.map { PendingRefund(stored: $0, chargeReference: state.paymentReference, amount: amount, released: released) }
    }

    /// Money cannot be given back while the provider is still taking the payment: the amount to
    /// capture was fixed at packing.
    static func refuseWhileCapturing(_ state: OrderRepository.State) throws {
        if state.payment.kind == "authorisation" && state.payment.captureState == "pending" {
            throw FulfilmentError.invalidRefund("The payment for this order is still being taken; try again in a minute.")
        }
    }

    static func currency(_ state: OrderRepository.State) -> Currency {
        Currency(code: state.currency) ?? .gbp
    }

    static func payload(_ state: OrderRepository.State, _ status: OrderStatus, refund: PendingRefund?) -> [String: String] {
        var payload = ["order_id": state.publicID, "number": state.number, "status": status.rawValue]
        if let refund {
            payload["refund_minor"] = String(refund.amount.minorUnits)
            payload["currency"] = refund.amount.currency.code
        }
        return payload
    }
}
