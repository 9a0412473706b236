import Cart
import Catalog
import Foundation
import GoMartModels
import Logging
import Payments
import Pricing
import Promotions
import Slots
import SQLKit
import Storage
import Tracing

/// Why an order could not be changed; controllers map these to 4xx answers.
public enum AmendmentError: Error, Equatable, CustomStringConvertible {
    /// The order can no longer be changed (picking started, the slot's cut-off passed, …): why.
    case closed(String)
    /// The order was changed since the version the change was made from.
    case changedMeanwhile(current: Int)
    /// The change would leave the order empty.
    case nothingLeft
    /// The card did not accept the higher amount the change needs; the order is unchanged.
    case declined(DeclineReason, needed: Money)

    public var description: String {
        switch self {
        case .closed(let reason): reason
        case .changedMeanwhile: "This order was changed meanwhile (in another window, perhaps). Reload it and make your change again."
        case .nothingLeft: "That would leave nothing in the order. To call it off, cancel the order."
        case .declined(_, let needed):
            "Your card did not accept the new total of \(needed.formatted), so the order is unchanged. Take something out, or cancel and order again with another card."
        }
    }
}

extension CheckoutService {
    /// Changes the quantities of `items` in the customer's order (each product once; a product
    /// not in the order is added, a quantity of 0 takes its line out, products not named stay as
    /// they are), until the slot's cut-off and while the order is not yet picked.
    ///
    /// - `version` is the ``Order/version`` the change was made from: a change made from an
    ///   older page is ``AmendmentError/changedMeanwhile(current:)``.
    /// - Products already in the order keep the price they were sold at; products added are at
    ///   today's price. Stock follows each line's change, in the same transaction as the lines.
    /// - When the new total (with the weighed goods' margin) is above what the card holds, the
    ///   saved card is authorised for it first and the old authorisation voided after; a decline
    ///   leaves the order as it was (``AmendmentError/declined(_:needed:)``).
    /// - The change and picking cannot both win: the change is a conditional update of a paid
    ///   order at `version`, picking a conditional update of a paid order.
    /// - `substitutions` are the shopper's choices for products added (else any similar);
    ///   `emptying` empties that cart in the same transaction (the cart added to the order).
    @discardableResult
    public func amend(_ id: OrderID, customerID: CustomerID, to items: [StockItem], version: Int, ageDeclared: Bool = false,
                      substitutions: [ProductID: SubstitutionChoice] = [:], emptying owner: CartOwner? = nil) async throws -> Order {
        try await withSpan("checkout.amend_order") { span in
            span.attributes["order.lines"] = items.count
            return try await change(id, customerID: customerID, to: items, version: version, ageDeclared: ageDeclared, substitutions: substitutions,
                                    emptying: owner)
        }
    }

    /// Adds everything in the customer's cart to their order (quantities add up for products
    /// already in it, with the cart's substitution choices for the rest) and empties the cart.
    @discardableResult
    public func addCart(to id: OrderID, customerID: CustomerID, version: Int, ageDeclared: Bool = false) async throws -> Order {
        let owner = CartOwner.customer(id: customerID)
        let summary = try await cart.cart(for: owner)
        guard !summary.lines.isEmpty else { throw AmendmentError.closed("Your cart is empty: add what you want to the cart first.") }
        let order = try await order(id: id, customerID: customerID)
        let ordered = Dictionary(order.lines.map { ($0.productID, $0.quantity) }, uniquingKeysWith: { first, _ in first })
        let items = summary.lines.map { StockItem(productID: $0.productID, quantity: (ordered[$0.productID] ?? 0) + $0.quantity) }
        let choices = Dictionary(summary.lines.map { ($0.productID, $0.substitution) }, uniquingKeysWith: { first, _ in first })
        return try await amend(id, customerID: customerID, to: items, version: version, ageDeclared: ageDeclared, substitutions: choices, emptying: owner)
    }

    /// Why the order cannot be changed now, in words for the shopper.
    public func whyUnchangeable(_ order: Order) -> String {
        if order.status != .paid { return "The order is now “\(order.status.label)”: it can no longer be changed." }
        if order.payment == nil || order.refunded.minorUnits > 0 { return "This order can no longer be changed online: please contact us." }
        if let deadline = order.changeDeadline, now() >= deadline {
            return "The time for changes to this order has passed (\(Slot.moment(deadline, in: slots.timeZone)))."
        }
        return "This order can no longer be changed."
    }

    private func change(_ id: OrderID, customerID: CustomerID, to items: [StockItem], version: Int, ageDeclared: Bool,
                        substitutions: [ProductID: SubstitutionChoice], emptying owner: CartOwner?) async throws -> Order {
        let order = try await order(id: id, customerID: customerID)
        guard order.version == version else { throw AmendmentError.changedMeanwhile(current: order.version) }
        guard order.isChangeable else { throw AmendmentError.closed(whyUnchangeable(order)) }
        guard Set(items.map(\.productID)).count == items.count else {
            throw CheckoutError.invalidFields(["items": "A product appears twice; give each product once."])
        }
        // The order's lines as they are, with the quantities asked for (0 takes a line out).
        var quantities = Dictionary(order.lines.map { ($0.productID, $0.quantity) }, uniquingKeysWith: { first, _ in first })
        var products = order.lines.map(\.productID)
        for item in items {
            if quantities.updateValue(item.quantity, forKey: item.productID) == nil { products.append(item.productID) }
        }
        let wanted = products.compactMap { id in quantities[id].flatMap { $0 == 0 ? nil : StockItem(productID: id, quantity: $0) } }
        guard !wanted.isEmpty else { throw AmendmentError.nothingLeft }
        let kept = Dictionary(order.lines.map { ($0.productID, $0) }, uniquingKeysWith: { first, _ in first })
        // Today's offers, and the voucher the order used (already redeemed: its terms only).
        var promotions = try await runningOffers()
        if let code = order.voucherCode, let service = cart.promotions { promotions.voucher = try await service.voucherTerms(code: code) }
        let quote = try await quote(wanted, reading: .current, slot: nil, delivery: try await deliveryCharge(for: order), kept: kept,
                                    promotions: promotions)
        guard quote.isValid else { throw CheckoutError.orderInvalid(quote) }
        if quote.minimumAge > order.idCheckAge && !ageDeclared {
            throw CheckoutError.invalidFields(["age_declaration": Self.ageDeclaration(quote.minimumAge)])
        }
        guard let current = try await repository.amendable(publicID: id.publicString) else { throw AmendmentError.closed(whyUnchangeable(order)) }

        let plan = Self.plan(quote, order: order, kept: kept, substitutions: substitutions)
        let (changes, stockTaken, stockReturned, words) = (plan.changes, plan.taken, plan.returned, plan.words)
        guard !words.isEmpty else { return order }

        // A higher total needs the card to hold more: authorised before anything is written, so
        // that a decline changes nothing.
        let needed = quote.quote.authorisation
        let fresh: Authorisation? = needed.minorUnits > current.authorisedMinor
            ? try await authoriseMore(needed, order: order, method: current.paymentMethod, version: version) : nil
        var orderLogger = logger
        orderLogger[metadataKey: "order_id"] = .string(id.publicString)
        let timestamp = timestamp()
        let publicID = id.publicString
        let catalog = catalog
        let cart = cart
        let note = "Changed: " + words.joined(separator: "; ") + ". Total \(order.total.formatted) → \(quote.total.formatted)"
            + (fresh.map { ". \($0.amount.formatted) now reserved on your card" } ?? "") + "."
        let written: (stockChanged: Bool, emptied: CartService.Emptied?)
        do {
            written = try await database.transaction { sql -> (Bool, CartService.Emptied?) in
                let claimed = try await OrderRepository.claimChange(
                    orderID: current.internalID, version: version, paymentReference: current.paymentReference,
                    totals: (quote.subtotal.minorUnits, quote.deliveryFee.minorUnits, quote.total.minorUnits),
                    idCheckAge: max(order.idCheckAge, quote.minimumAge), authorisation: fresh, now: timestamp, sql: sql)
                guard claimed else {
                    let status = try await OrderRepository.state(publicID: publicID, customerID: nil, sql: sql)?.status ?? order.status
                    if status != .paid { throw AmendmentError.closed("The order is now “\(status.label)”: it can no longer be changed.") }
                    throw AmendmentError.changedMeanwhile(current: version + 1)
                }
                let take = try await catalog.takeStock(stockTaken, in: sql)
                guard take.shortfalls.isEmpty else { throw StockRace(shortfalls: take.shortfalls) }
                let returned = try await catalog.returnStock(stockReturned, in: sql)
                try await OrderRepository.apply(changes, orderID: current.internalID, sql: sql)
                try await OrderRepository.replaceCharges(quote.quote.savingsAndCharges, orderID: current.internalID, sql: sql)
                try await OrderRepository.appendEvent(orderID: current.internalID, status: .paid, note: note, actor: OrderActor.customer.label,
                                                      now: timestamp, sql: sql)
                try await OrderRepository.appendOutbox(topic: .orderAmended, aggregateID: publicID, payload: [
                    "order_id": publicID, "number": order.number, "version": String(version + 1), "total_minor": String(quote.total.minorUnits),
                    "currency": quote.total.currency.code, "changes": words.joined(separator: "; "),
                ], now: timestamp, sql: sql)
                return (take.changedShownLevels || returned, try await owner.asyncMap { try await cart.clear($0, in: sql) })
            }
        } catch {
            // Nothing was written: the new authorisation is not needed.
            if let fresh { await release(fresh.reference, key: "\(publicID):amend-\(version)-unused", logger: orderLogger) }
            if let race = error as? StockRace {
                var refreshed = quote
                refreshed.problems = race.shortfalls.map {
                    OrderProblem(code: .insufficientStock, productID: $0.productID, message: "Only \($0.available) more left in stock.")
                }
                throw CheckoutError.orderInvalid(refreshed)
            }
            throw error
        }
        if written.stockChanged { catalog.stockDidChange() }
        if let emptied = written.emptied { cart.committed(emptied) }
        if fresh != nil, let old = current.paymentReference {
            await release(old, key: "\(publicID):amend-\(version)-replaced", logger: orderLogger)
        }
        orderLogger.info("order changed", metadata: ["version": "\(version + 1)", "total_minor": "\(quote.total.minorUnits)"])
        return try await self.order(id: id, customerID: customerID)
    }

    /// What a change does: the lines it updates, adds and takes out, the stock it takes and
    /// gives back, and the change in words. Kept lines keep their numbers; new ones follow.
    static func plan(_ quote: OrderQuote, order: Order, kept: [ProductID: OrderLine], substitutions: [ProductID: SubstitutionChoice])
        -> (changes: OrderRepository.LineChanges, taken: [StockItem], returned: [StockItem], words: [String]) {
        var nextNumber = (order.lines.map(\.number).max() ?? 0) + 1
        var changes = OrderRepository.LineChanges()
        var stockTaken: [StockItem] = []
        var stockReturned: [StockItem] = []
        var words: [String] = []
        for quoted in quote.lines {
            var line = Self.orderLine(quoted)
            if let old = kept[quoted.productID] {
                line.substitution = old.substitution
                // A line whose quantity stays may still save more or less (an offer it shares
                // with a changed line): its saving is rewritten, without a word.
                guard old.quantity != line.quantity || old.saving != line.saving else { continue }
                line.number = old.number
                changes.updated.append(line)
                guard old.quantity != line.quantity else { continue }
                words.append("\(line.name) \(old.quantityText) → \(line.quantityText)")
                let delta = quoted.stockUnits - old.stockUnits
                if delta > 0 { stockTaken.append(StockItem(productID: line.productID, quantity: delta)) }
                if delta < 0 { stockReturned.append(StockItem(productID: line.productID, quantity: -delta)) }
            } else {
                line.substitution = substitutions[quoted.productID] ?? .anySimilar
                line.number = nextNumber
                nextNumber += 1
                changes.added.append(line)
                words.append("added \(line.quantityText) × \(line.name)".replacingOccurrences(of: " g × ", with: " g of "))
                stockTaken.append(StockItem(productID: line.productID, quantity: quoted.stockUnits))
            }
        }
        let staying = Set(quote.lines.map(\.productID))
        for old in order.lines where !staying.contains(old.productID) {
            changes.removed.append(old.number)
            words.append("took out \(old.name)")
            stockReturned.append(StockItem(productID: old.productID, quantity: old.stockUnits))
        }
        return (changes, stockTaken, stockReturned, words)
    }

    /// The delivery charge of a changed order: the fee it was placed with (its slot's price when
    /// delivery was free), free from the slot's threshold; nil (the shop's flat rules) without a slot.
    private func deliveryCharge(for order: Order) async throws -> DeliveryCharge? {
        guard let booked = order.slot else { return nil }
        let slot = try await UUID(publicString: booked.slotID).asyncFlatMap { try await slots.slot(id: $0) }
        let fee = order.deliveryFee.minorUnits > 0 ? order.deliveryFee : slot?.price ?? order.deliveryFee
        return DeliveryCharge(label: "\(booked.method.title), \(booked.window)", fee: fee, freeFrom: slot?.freeFrom)
    }

    /// Authorises `amount` on the order's saved card for a change from `version`.
    private func authoriseMore(_ amount: Money, order: Order, method: String?, version: Int) async throws -> Authorisation {
        guard let method else { throw AmendmentError.closed("This order's card cannot be charged more: please contact us.") }
        let outcome: AuthorisationOutcome
        do {
            outcome = try await withSpan("payment.authorise", ofKind: .client) { _ in
                try await payments.authorise(amount: amount, source: .saved(method), orderReference: order.id.publicString,
                                             idempotencyKey: "\(order.id.publicString):amend-\(version)-\(amount.minorUnits)")
            }
        } catch {
            logger.warning("could not authorise a changed order's new total", metadata: ["order_id": "\(order.id.publicString)",
                                                                                          "error": "\(String(describing: type(of: error)))"])
            throw CheckoutError.paymentFailed
        }
        switch outcome {
        case .authorised(let authorisation): return authorisation
        case .declined(let reason): throw AmendmentError.declined(reason, needed: amount)
        }
    }

    /// Voids an authorisation the order no longer uses; a failure is logged (it lapses anyway).
    private func release(_ reference: String, key: String, logger orderLogger: Logger) async {
        do {
            try await payments.void(authorisation: reference, idempotencyKey: key)
        } catch {
            orderLogger.warning("an authorisation could not be voided; it lapses on its own", metadata: ["error": "\(String(describing: type(of: error)))"])
        }
    }

    /// An order line for a priced line, as placed.
    static func orderLine(_ line: QuotedLine) -> OrderLine {
        OrderLine(productID: line.productID, sku: line.sku, name: line.name, packSize: line.packSize, unitPrice: line.unitPrice,
                  quantity: line.quantity, lineTotal: line.lineTotal, minimumAge: line.minimumAge, deposit: line.deposit,
                  saving: line.saving?.minorUnits ?? 0, substitution: line.substitution,
                  weighed: line.weighing.map { OrderLine.Weighed(mode: $0.mode, orderedGrams: $0.estimatedGrams(line.quantity), pickedGrams: nil,
                                                                 tolerancePercent: $0.tolerancePercent, estimatedTotal: line.lineTotal) })
    }
}


extension OrderRepository {
    /// What a change needs of the order as stored.
    struct Amendable: Sendable {
        var internalID: Int64
        var paymentReference: String?
        var paymentMethod: String?
        var authorisedMinor: Int64
    }

    func amendable(publicID: String) async throws -> Amendable? {
        try await database.read { sql in
            guard let state = try await Self.state(publicID: publicID, customerID: nil, sql: sql) else { return nil }
            return Amendable(internalID: state.internalID, paymentReference: state.paymentReference, paymentMethod: state.payment.paymentMethod,
                             authorisedMinor: state.payment.authorisedMinor)
        }
    }

    /// The lines a change updates (quantity and price), adds and takes out (by number).
    struct LineChanges: Sendable {
        var updated: [OrderLine] = []
        var added: [OrderLine] = []
        var removed: [Int] = []
    }

    /// Takes the next version of a paid, unpicked, unrefunded order still on the authorisation
    /// `paymentReference`, with its new totals (and authorisation); false when any of that no
    /// longer holds (picking started, another change or a renewal got there first).
    static func claimChange(orderID: Int64, version: Int, paymentReference: String?, totals: (subtotal: Int64, delivery: Int64, total: Int64),
                            idCheckAge: Int, authorisation: Authorisation?, now: Int64, sql: any SQLDatabase) async throws -> Bool {
        var update = sql.update("orders")
            .set(SQLColumn("version"), to: SQLBinaryExpression(SQLColumn("version"), .add, SQLBind(1)))
            .set("subtotal_minor", to: SQLBind(totals.subtotal)).set("delivery_minor", to: SQLBind(totals.delivery))
            .set("total_minor", to: SQLBind(totals.total)).set("id_check_age", to: SQLBind(idCheckAge)).set("updated_at", to: SQLBind(now))
        if let authorisation {
            update = update.set("payment_reference", to: SQLBind(authorisation.reference))
                .set("authorised_minor", to: SQLBind(authorisation.amount.minorUnits))
                .set("authorisation_expires_at", to: SQLBind(Int64(authorisation.expiresAt.timeIntervalSince1970)))
                .set("payment_method", to: SQLBind(authorisation.paymentMethod))
        }
        return try await update.where("id", .equal, SQLBind(orderID)).where("status", .equal, SQLBind(OrderStatus.paid.rawValue))
            .where("version", .equal, SQLBind(version)).where("refunded_minor", .equal, SQLBind(Int64(0)))
            .where(SQLColumn("capture_state"), .is, SQLLiteral.null)
            .where("payment_reference", .equal, SQLBind(paymentReference))
            .returning("id").first() != nil
    }

    /// Writes a change's lines.
    static func apply(_ changes: LineChanges, orderID: Int64, sql: any SQLDatabase) async throws {
        for line in changes.updated {
            try await sql.update("order_lines").set("quantity", to: SQLBind(line.quantity)).set("line_total_minor", to: SQLBind(line.lineTotal.minorUnits))
                .set("saving_minor", to: SQLBind(line.saving))
                .set("ordered_grams", to: SQLBind(line.weighed?.orderedGrams ?? 0))
                .set("estimated_minor", to: SQLBind(line.weighed?.estimatedTotal.minorUnits ?? line.lineTotal.minorUnits))
                .where("order_id", .equal, SQLBind(orderID)).where("line_number", .equal, SQLBind(line.number)).run()
        }
        if !changes.removed.isEmpty {
            try await sql.delete(from: "order_lines").where("order_id", .equal, SQLBind(orderID))
                .where("line_number", .in, SQLBind.group(changes.removed)).run()
        }
        try await insertLines(changes.added.map { ($0.number, $0) }, orderID: orderID, sql: sql)
    }

    /// Replaces the order's charges besides delivery with a change's.
    static func replaceCharges(_ charges: [Adjustment], orderID: Int64, sql: any SQLDatabase) async throws {
        try await sql.delete(from: "order_charges").where("order_id", .equal, SQLBind(orderID)).run()
        try await insertCharges(charges, orderID: orderID, sql: sql)
    }
}
