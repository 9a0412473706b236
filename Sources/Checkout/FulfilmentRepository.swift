import Cart
import Foundation
import GoMartModels
import Payments
import Pricing
import SQLKit
import Storage

/// The SQL of fulfilment: the order's state read and changed inside the caller's transaction,
/// each change a conditional update so that two members of staff can never both win.
extension OrderRepository {
    /// What a transition needs to know of an order.
    struct State: Sendable {
        var internalID: Int64
        var publicID: String
        var number: String
        var customerID: CustomerID
        var status: OrderStatus
        var deliveryMinor: Int64
        var totalMinor: Int64
        var refundedMinor: Int64
        var currency: String
        var paymentReference: String?
        var payment: PaymentSnapshot
        /// The age to check at the door (0: none); such orders are captured on delivery.
        var idCheckAge: Int

        /// What is left of the payment after the refunds so far.
        var remaining: Money {
            let currency = Currency(code: currency) ?? .gbp
            return Pricing.remaining(of: Money(minorUnits: totalMinor, currency: currency), after: Money(minorUnits: refundedMinor, currency: currency))
        }
    }

    static func state(publicID: String, customerID: CustomerID?, sql: any SQLDatabase) async throws -> State? {
        var query = sql.select().columns("id", "public_id", "number", "customer_id", "status", "delivery_minor", "total_minor", "refunded_minor",
                                         "currency", "payment_reference", "payment_kind", "authorised_minor", "authorisation_expires_at", "payment_method",
                                         "capture_state", "capture_minor", "captured_minor", "capture_reference", "id_check_age")
            .from("orders").where("public_id", .equal, SQLBind(publicID))
        if let customerID { query = query.where("customer_id", .equal, SQLBind(customerID.rawValue)) }
        guard let row = try await query.first() else { return nil }
        let status = try row.decode(column: "status", as: String.self)
        guard let known = OrderStatus(rawValue: status) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Unknown order status \(status)"))
        }
        return State(
            internalID: try row.decode(column: "id", as: Int64.self), publicID: try row.decode(column: "public_id", as: String.self),
            number: try row.decode(column: "number", as: String.self), customerID: CustomerID(try row.decode(column: "customer_id", as: Int64.self)),
            status: known, deliveryMinor: try row.decode(column: "delivery_minor", as: Int64.self),
            totalMinor: try row.decode(column: "total_minor", as: Int64.self), refundedMinor: try row.decode(column: "refunded_minor", as: Int64.self),
            currency: try row.decode(column: "currency", as: String.self), paymentReference: try row.decode(column: "payment_reference", as: String?.self),
            payment: try payment(row), idCheckAge: try row.decode(column: "id_check_age", as: Int.self)
        )
    }

    /// Moves the order from `from` to `to`; false if it was no longer in `from`.
    static func move(orderID: Int64, from: OrderStatus, to: OrderStatus, now: Int64, sql: any SQLDatabase) async throws -> Bool {
        guard let moved = try await sql.update("orders").set("status", to: SQLBind(to.rawValue)).set("updated_at", to: SQLBind(now))
            .where("id", .equal, SQLBind(orderID)).where("status", .equal, SQLBind(from.rawValue))
            .returning("id", "customer_id").first() else { return false }
        try await noteStatusChange(customerID: try moved.decode(column: "customer_id", as: Int64.self), sql: sql)
        return true
    }

    static func appendEvent(orderID: Int64, status: OrderStatus, note: String?, actor: String, now: Int64, sql: any SQLDatabase) async throws {
        try await sql.insert(into: "order_events").columns("order_id", "status", "note", "actor", "created_at")
            .values(SQLBind(orderID), SQLBind(status.rawValue), SQLBind(note), SQLBind(actor), SQLBind(now))
            .run()
    }

    /// Records the quantity picked for one line.
    static func recordPick(orderID: Int64, lineNumber: Int, picked: Int, sql: any SQLDatabase) async throws {
        try await sql.update("order_lines").set("picked_quantity", to: SQLBind(picked))
            .where("order_id", .equal, SQLBind(orderID)).where("line_number", .equal, SQLBind(lineNumber)).run()
    }

    /// Adds a substitute the picker chose as a new line of the order.
    static func insertSubstitute(_ line: OrderLine, orderID: Int64, sql: any SQLDatabase) async throws {
        try await sql.insert(into: "order_lines")
            .columns("order_id", "line_number", "product_id", "sku", "name", "pack_size", "unit_price_minor", "quantity", "line_total_minor", "minimum_age",
                     "estimated_minor", "picked_quantity", "substitution", "substitute_for", "substitute_state", "deposit_minor")
            .values(SQLBind(orderID), SQLBind(line.number), SQLBind(line.productID.publicString), SQLBind(line.sku), SQLBind(line.name), SQLBind(line.packSize),
                    SQLBind(line.unitPrice.minorUnits), SQLBind(line.quantity), SQLBind(line.lineTotal.minorUnits), SQLBind(line.minimumAge),
                    SQLBind(line.lineTotal.minorUnits), SQLBind(line.quantity), SQLBind(SubstitutionChoice.none.stored),
                    SQLBind(line.substitute?.forLine), SQLBind(line.substitute?.state.rawValue), SQLBind(line.deposit))
            .run()
    }

    /// Records the shopper's answer to a substitute.
    static func setSubstituteState(orderID: Int64, lineNumber: Int, _ state: OrderLine.Substitute.State, sql: any SQLDatabase) async throws {
        try await sql.update("order_lines").set("substitute_state", to: SQLBind(state.rawValue))
            .where("order_id", .equal, SQLBind(orderID)).where("line_number", .equal, SQLBind(lineNumber)).run()
    }

    /// Records what a weighed line weighed when picked, and the line's price for that weight.
    static func recordWeight(orderID: Int64, lineNumber: Int, grams: Int, lineTotal: Money, sql: any SQLDatabase) async throws {
        try await sql.update("order_lines").set("picked_grams", to: SQLBind(grams)).set("line_total_minor", to: SQLBind(lineTotal.minorUnits))
            .where("order_id", .equal, SQLBind(orderID)).where("line_number", .equal, SQLBind(lineNumber)).run()
    }

    /// Changes the order's goods and total by `change` (weighed goods picked over or under their
    /// estimate); returns the state with the new total.
    static func changeTotal(of state: State, by change: Int64, sql: any SQLDatabase) async throws -> State {
        guard change != 0 else { return state }
        try await sql.update("orders")
            .set(SQLColumn("subtotal_minor"), to: SQLBinaryExpression(SQLColumn("subtotal_minor"), .add, SQLBind(change)))
            .set(SQLColumn("total_minor"), to: SQLBinaryExpression(SQLColumn("total_minor"), .add, SQLBind(change)))
            .where("id", .equal, SQLBind(state.internalID)).run()
        var changed = state
        changed.totalMinor += change
        return changed
    }

    /// Counts `quantity` more units of a line as refunded; false if that would refund more than was ordered.
    static func refundUnits(orderID: Int64, lineNumber: Int, quantity: Int, sql: any SQLDatabase) async throws -> Bool {
        try await sql.update("order_lines")
            .set("refunded_quantity", to: SQLBinaryExpression(SQLColumn("refunded_quantity"), .add, SQLBind(quantity)))
            .where("order_id", .equal, SQLBind(orderID)).where("line_number", .equal, SQLBind(lineNumber))
            .where(SQLBinaryExpression(SQLBinaryExpression(SQLColumn("refunded_quantity"), .add, SQLBind(quantity)), .lessThanOrEqual, SQLColumn("quantity")))
            .returning("line_number").first() != nil
    }

    /// Records a refund of `amountMinor` against the order, keyed by `key`. Returns nil when the key
    /// was used before (nothing changed); throws nothing but returns false in `fits` when the
    /// refunds would exceed the total.
    /// Records money given back: `pending` until the provider confirms a refund, or `released`
    /// for money that was only reserved and will not be captured.
    static func recordRefund(orderID: Int64, key: String, amountMinor: Int64, reason: String, actor: String, state: OrderRefund.State = .pending,
                             now: Int64, sql: any SQLDatabase) async throws -> (refund: StoredRefund?, fits: Bool) {
        let inserted = try await sql.insert(into: "order_refunds")
            .columns("order_id", "idempotency_key", "amount_minor", "reason", "state", "actor", "created_at")
            .values(SQLBind(orderID), SQLBind(key), SQLBind(amountMinor), SQLBind(reason), SQLBind(state.rawValue),
                    SQLBind(actor), SQLBind(now))
            .ignoringConflicts(with: ["idempotency_key"])
            .returning("id").first()
        guard let inserted else { return (nil, true) }
        let fits = try await sql.update("orders")
            .set("refunded_minor", to: SQLBinaryExpression(SQLColumn("refunded_minor"), .add, SQLBind(amountMinor)))
            .set("updated_at", to: SQLBind(now))
            .where("id", .equal, SQLBind(orderID))
            .where(SQLBinaryExpression(SQLBinaryExpression(SQLColumn("refunded_minor"), .add, SQLBind(amountMinor)), .lessThanOrEqual, SQLColumn("total_minor")))
            .returning("id").first() != nil
        let refund = StoredRefund(internalID: try inserted.decode(column: "id", as: Int64.self), orderID: orderID, idempotencyKey: key,
                                  amountMinor: amountMinor, reason: reason, state: state.rawValue, providerReference: nil, createdAt: now)
        return (refund, fits)
    }

    /// The refund recorded under `key`, if any.
    static func refund(key: String, sql: any SQLDatabase) async throws -> StoredRefund? {
        try await refundColumns(sql.select()).from("order_refunds").where("idempotency_key", .equal, SQLBind(key)).first().map(storedRefund)
    }

    /// Marks a pending refund confirmed (`reference`) or failed for good (nil).
    func completeRefund(id: Int64, state: OrderRefund.State, reference: String?, now: Int64) async throws {
        try await database.transaction { sql in
            try await sql.update("order_refunds").set("state", to: SQLBind(state.rawValue)).set("provider_reference", to: SQLBind(reference))
                .set("completed_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(id)).where("state", .equal, SQLBind(OrderRefund.State.pending.rawValue)).run()
        }
    }

    /// Refunds still waiting for the provider, recorded before `cutoff`, with their charge.
    func pendingRefunds(createdBefore cutoff: Int64, limit: Int) async throws -> [(refund: StoredRefund, chargeReference: String?, currency: String)] {
        try await database.read { sql in
            try await sql.select()
                .column(SQLColumn("id", table: "order_refunds")).column(SQLColumn("order_id", table: "order_refunds"))
                .columns("idempotency_key", "amount_minor", "reason", "state", "provider_reference")
                .column(SQLColumn("created_at", table: "order_refunds")).columns("payment_reference", "currency")
                .from("order_refunds").join("orders", on: SQLColumn("order_id", table: "order_refunds"), .equal, SQLColumn("id", table: "orders"))
                .where("state", .equal, SQLBind(OrderRefund.State.pending.rawValue))
                .where(SQLColumn("created_at", table: "order_refunds"), .lessThan, SQLBind(cutoff))
                .orderBy(SQLColumn("id", table: "order_refunds")).limit(limit).all()
                .map { (try Self.storedRefund($0), try $0.decode(column: "payment_reference", as: String?.self), try $0.decode(column: "currency", as: String.self)) }
        }
    }

    // MARK: - Captures

    /// Sets the order's capture state (and the amount decided), in the caller's transaction.
    static func setCapture(orderID: Int64, state: String, amountMinor: Int64, now: Int64, sql: any SQLDatabase) async throws {
        try await sql.update("orders").set("capture_state", to: SQLBind(state)).set("capture_minor", to: SQLBind(amountMinor))
            .set("updated_at", to: SQLBind(now)).where("id", .equal, SQLBind(orderID)).run()
    }

    /// Records a capture the provider confirmed.
    func recordCapture(publicID: String, amount: Money, reference: String, now: Int64) async throws {
        try await database.transaction { sql in
            try await sql.update("orders").set("capture_state", to: SQLBind("captured")).set("captured_minor", to: SQLBind(amount.minorUnits))
                .set("capture_reference", to: SQLBind(reference)).set("updated_at", to: SQLBind(now))
                .where("public_id", .equal, SQLBind(publicID)).where("capture_state", .equal, SQLBind("pending")).run()
        }
    }

    /// Marks a capture the provider refused for good.
    func failCapture(publicID: String, now: Int64) async throws {
        try await database.transaction { sql in
            try await sql.update("orders").set("capture_state", to: SQLBind("failed")).set("updated_at", to: SQLBind(now))
                .where("public_id", .equal, SQLBind(publicID)).where("capture_state", .equal, SQLBind("pending")).run()
        }
    }

    /// The payment method saved with the order's authorisation.
    func paymentMethod(publicID: String) async throws -> String? {
        try await database.read { sql in
            try await sql.select().column("payment_method").from("orders").where("public_id", .equal, SQLBind(publicID)).first()?
                .decode(column: "payment_method", as: String?.self)
        }
    }

    /// Puts a new authorisation in the place of the order's old one.
    func replaceAuthorisation(publicID: String, with fresh: Authorisation, now: Int64) async throws {
        try await database.transaction { sql in
            try await sql.update("orders").set("payment_reference", to: SQLBind(fresh.reference))
                .set("authorised_minor", to: SQLBind(fresh.amount.minorUnits))
                .set("authorisation_expires_at", to: SQLBind(Int64(fresh.expiresAt.timeIntervalSince1970)))
                .set("updated_at", to: SQLBind(now)).where("public_id", .equal, SQLBind(publicID)).run()
        }
    }

    /// Captures decided at packing and not yet confirmed, last touched before `cutoff`.
    func pendingCaptures(updatedBefore cutoff: Int64, limit: Int) async throws -> [(publicID: String, authorisation: String, amount: Money)] {
        try await database.read { sql in
            try await sql.select().columns("public_id", "payment_reference", "capture_minor", "currency").from("orders")
                .where("capture_state", .equal, SQLBind("pending")).where("updated_at", .lessThan, SQLBind(cutoff))
                .orderBy("updated_at").limit(limit).all().compactMap { row in
                    guard let reference = try row.decode(column: "payment_reference", as: String?.self) else { return nil }
                    let currency = Currency(code: try row.decode(column: "currency", as: String.self)) ?? .gbp
                    return (try row.decode(column: "public_id", as: String.self), reference,
                            Money(minorUnits: try row.decode(column: "capture_minor", as: Int64?.self) ?? 0, currency: currency))
                }
        }
    }

    /// Orders not yet packed whose authorisation expires before `cutoff`.
    func expiringAuthorisations(before cutoff: Int64, limit: Int) async throws
        -> [(publicID: String, reference: String, amount: Money, paymentMethod: String, expiresAt: Int64)] {
        try await database.read { sql in
            try await sql.select().columns("public_id", "payment_reference", "authorised_minor", "currency", "payment_method", "authorisation_expires_at")
                .from("orders").where("payment_kind", .equal, SQLBind("authorisation")).where("capture_state", .is, SQLLiteral.null)
                .where("status", .in, SQLBind.group([OrderStatus.paid, .picking, .packed, .outForDelivery].map(\.rawValue)))
                .where("authorisation_expires_at", .lessThan, SQLBind(cutoff))
                .orderBy("authorisation_expires_at").limit(limit).all().compactMap { row in
                    guard let reference = try row.decode(column: "payment_reference", as: String?.self),
                          let method = try row.decode(column: "payment_method", as: String?.self) else { return nil }
                    let currency = Currency(code: try row.decode(column: "currency", as: String.self)) ?? .gbp
                    return (try row.decode(column: "public_id", as: String.self), reference,
                            Money(minorUnits: try row.decode(column: "authorised_minor", as: Int64.self), currency: currency), method,
                            try row.decode(column: "authorisation_expires_at", as: Int64?.self) ?? 0)
                }
        }
    }

    /// Orders in `statuses` (every state when empty), newest first, with their unit counts.
    func orders(statuses: [OrderStatus], paidFrom: Int64?, paidBefore: Int64?, limit: Int) async throws -> [(StoredOrder, Int)] {
        try await database.read { sql in
            var query = Self.orderColumns(sql.select())
                .column(SQLSubquery.select { $0.column(SQLFunction("SUM", args: OrderRepository.lineItems))
                    .from("order_lines").where(SQLColumn("order_id", table: "order_lines"), .equal, SQLColumn("id", table: "orders")) }, as: "item_count")
                .from("orders")
            if !statuses.isEmpty { query = query.where("status", .in, SQLBind.group(statuses.map(\.rawValue))) }
            if let paidFrom { query = query.where("paid_at", .greaterThanOrEqual, SQLBind(paidFrom)) }
            if let paidBefore { query = query.where("paid_at", .lessThan, SQLBind(paidBefore)) }
            return try await query.orderBy("created_at", .descending).orderBy("id", .descending).limit(limit).all()
                .map { (try Self.storedOrder($0), try $0.decode(column: "item_count", as: Int?.self) ?? 0) }
        }
    }

    /// Orders placed in `[from, before)`, oldest first, with their unit counts (at most 100,000).
    func export(from: Int64, before: Int64) async throws -> [(StoredOrder, Int)] {
        try await database.read { sql in
            try await Self.orderColumns(sql.select())
                .column(SQLSubquery.select { $0.column(SQLFunction("SUM", args: OrderRepository.lineItems))
                    .from("order_lines").where(SQLColumn("order_id", table: "order_lines"), .equal, SQLColumn("id", table: "orders")) }, as: "item_count")
                .from("orders").where("created_at", .greaterThanOrEqual, SQLBind(from)).where("created_at", .lessThan, SQLBind(before))
                .orderBy("created_at").orderBy("id").limit(100_000).all()
                .map { (try Self.storedOrder($0), try $0.decode(column: "item_count", as: Int?.self) ?? 0) }
        }
    }

    /// The lines of orders in `statuses` paid in `[from, before)`, with their order numbers.
    /// Which orders a picking list covers.
    enum PickingWindow: Sendable {
        /// Orders without a slot, paid in [from, before).
        case paidWithoutSlot(from: Int64, before: Int64)
        /// Orders whose slot starts in [from, before).
        case slotStarting(from: Int64, before: Int64)
    }

    /// The lines of the orders in `statuses` that `window` covers, with each order's number and
    /// slot, by slot start (or payment) and order.
    func lines(statuses: [OrderStatus], window: PickingWindow) async throws -> [(number: String, slot: SlotSnapshot?, line: OrderLine)] {
        try await database.read { sql in
            var query = Self.orderColumns(sql.select()).from("orders").where("status", .in, SQLBind.group(statuses.map(\.rawValue)))
            switch window {
            case .paidWithoutSlot(let from, let before):
                query = query.where("slot_id", .is, SQLLiteral.null)
                    .where("paid_at", .greaterThanOrEqual, SQLBind(from)).where("paid_at", .lessThan, SQLBind(before)).orderBy("paid_at")
            case .slotStarting(let from, let before):
                query = query.where("slot_starts_at", .greaterThanOrEqual, SQLBind(from)).where("slot_starts_at", .lessThan, SQLBind(before))
                    .orderBy("slot_starts_at").orderBy("slot_place")
            }
            let orders = try await query.orderBy(SQLColumn("id", table: "orders")).limit(2_000).all().map(Self.storedOrder)
            var result: [(String, SlotSnapshot?, OrderLine)] = []
            for order in orders {
                for line in try await Self.lines(orderID: order.internalID, currency: order.currency, sql: sql) {
                    result.append((order.number, order.slot, line))
                }
            }
            return result
        }
    }

    /// The idempotency key an order was placed with, which is also its charge's key.
    func idempotencyKey(orderID: Int64) async throws -> String? {
        try await database.read { sql in
            try await sql.select().column("idempotency_key").from("idempotency_keys").where("order_id", .equal, SQLBind(orderID)).first()?
                .decode(column: "idempotency_key", as: String.self)
        }
    }
}
