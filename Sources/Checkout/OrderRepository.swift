import Cart
import Catalog
import Foundation
import GoMartModels
import Pricing
import SQLKit
import Storage

/// An order row with its sealed delivery details still sealed.
struct StoredOrder: Sendable {
    var internalID: Int64
    var publicID: String
    var number: String
    var customerID: CustomerID
    var status: String
    var subtotalMinor: Int64
    var deliveryMinor: Int64
    var totalMinor: Int64
    var currency: String
    var deliverySealed: String
    var cardBrand: String?
    var cardLastFour: String?
    var failureReason: String?
    var createdAt: Int64
    var paidAt: Int64?
    var refundedMinor: Int64
    var paymentReference: String?
    var slot: SlotSnapshot?
    var payment: PaymentSnapshot
    var idCheckAge: Int
    /// Changes the shopper has made (see ``Order/version``).
    var version: Int
    /// The voucher the order used.
    var voucherCode: String? = nil
}

/// How an order is paid, as stored.
struct PaymentSnapshot: Sendable, Hashable {
    /// `authorisation`, or nil for an order charged in full at checkout.
    var kind: String?
    var authorisedMinor: Int64
    var expiresAt: Int64?
    var paymentMethod: String?
    var captureState: String?
    var captureMinor: Int64?
    var capturedMinor: Int64
    var captureReference: String?

    /// True while the money is reserved, not taken: refunds before then are releases.
    var isUncaptured: Bool { kind == "authorisation" && captureState != "captured" }
}

/// The booked slot as an order keeps it.
struct SlotSnapshot: Sendable, Hashable {
    var method: String
    var slotID: String
    var place: String
    var startsAt: Int64
    var endsAt: Int64
    /// The slot's cut-off when the order was placed: the last moment to change the order.
    var cutoffAt: Int64?
}

/// The checkout module's SQL. Functions taking `sql` run inside the caller's transaction.
struct OrderRepository: Sendable {
    let database: Database

    /// Claims `key` for `customerID`; returns false if it was already claimed.
    static func claimIdempotencyKey(customerID: CustomerID, key: String, fingerprint: String, now: Int64, sql: any SQLDatabase) async throws -> Bool {
        let inserted = try await sql.insert(into: "idempotency_keys")
            .columns("customer_id", "idempotency_key", "fingerprint", "created_at")
            .values(SQLBind(customerID.rawValue), SQLBind(key), SQLBind(fingerprint), SQLBind(now))
            .ignoringConflicts(with: ["customer_id", "idempotency_key"])
            .returning("idempotency_key")
            .first()
        return inserted != nil
    }

    static func attachOrder(_ orderID: Int64, toKey key: String, customerID: CustomerID, sql: any SQLDatabase) async throws {
        try await sql.update("idempotency_keys").set("order_id", to: SQLBind(orderID))
            .where("customer_id", .equal, SQLBind(customerID.rawValue)).where("idempotency_key", .equal, SQLBind(key)).run()
    }

    /// The fingerprint and order (if any) recorded for a key.
    func idempotencyRecord(customerID: CustomerID, key: String) async throws -> (fingerprint: String, orderID: Int64?)? {
        try await database.read { sql in
            guard let row = try await sql.select().columns("fingerprint", "order_id").from("idempotency_keys")
                .where("customer_id", .equal, SQLBind(customerID.rawValue)).where("idempotency_key", .equal, SQLBind(key)).first() else { return nil }
            return (try row.decode(column: "fingerprint", as: String.self), try row.decode(column: "order_id", as: Int64?.self))
        }
    }

    struct NewOrder: Sendable {
        var publicID: String
        var number: String
        var customerID: CustomerID
        var subtotalMinor: Int64
        var deliveryMinor: Int64
        var totalMinor: Int64
        var currency: String
        var deliverySealed: String
        var lines: [OrderLine]
        var idCheckAge: Int = 0
        var slot: SlotSnapshot?
        /// Savings and charges besides delivery, as priced.
        var charges: [Adjustment] = []
        /// The voucher it uses.
        var voucherCode: String? = nil
    }

    static func insertOrder(_ order: NewOrder, now: Int64, sql: any SQLDatabase) async throws -> Int64 {
        let row = try await sql.insert(into: "orders")
            .columns("public_id", "number", "customer_id", "status", "subtotal_minor", "delivery_minor", "total_minor", "currency",
                     "delivery_sealed", "created_at", "updated_at", "fulfilment_method", "slot_id", "slot_place", "slot_starts_at", "slot_ends_at",
                     "id_check_age", "slot_cutoff_at", "voucher_code")
            .values(SQLBind(order.publicID), SQLBind(order.number), SQLBind(order.customerID.rawValue), SQLBind(OrderStatus.pendingPayment.rawValue),
                    SQLBind(order.subtotalMinor), SQLBind(order.deliveryMinor), SQLBind(order.totalMinor), SQLBind(order.currency),
                    SQLBind(order.deliverySealed), SQLBind(now), SQLBind(now), SQLBind(order.slot?.method), SQLBind(order.slot?.slotID),
                    SQLBind(order.slot?.place), SQLBind(order.slot?.startsAt), SQLBind(order.slot?.endsAt), SQLBind(order.idCheckAge),
                    SQLBind(order.slot?.cutoffAt), SQLBind(order.voucherCode))
            .returning("id")
            .first()
        guard let orderID = try row?.decode(column: "id", as: Int64.self) else { throw StorageError.closed }
        try await insertCharges(order.charges, orderID: orderID, sql: sql)
        try await insertLines(order.lines.enumerated().map { ($0.offset + 1, $0.element) }, orderID: orderID, sql: sql)
        return orderID
    }

    /// Writes an order's savings and charges besides delivery, in order.
    static func insertCharges(_ charges: [Adjustment], orderID: Int64, sql: any SQLDatabase) async throws {
        for (position, charge) in charges.enumerated() {
            try await sql.insert(into: "order_charges").columns("order_id", "position", "kind", "label", "amount_minor")
                .values(SQLBind(orderID), SQLBind(position), SQLBind(charge.kind.rawValue), SQLBind(charge.label), SQLBind(charge.amount.minorUnits))
                .run()
        }
    }

    /// Writes order lines under their numbers.
    static func insertLines(_ lines: [(number: Int, line: OrderLine)], orderID: Int64, sql: any SQLDatabase) async throws {
        // One statement per hundred lines, not one per line: a weekly shop of 40 lines is one
        // round trip to the database's writer (17 binds a line keeps far below any bind limit).
        for start in stride(from: 0, to: lines.count, by: 100) {
            let insert = sql.insert(into: "order_lines")
                .columns("order_id", "line_number", "product_id", "sku", "name", "pack_size", "unit_price_minor", "quantity", "line_total_minor", "minimum_age",
                         "weighing", "ordered_grams", "tolerance_percent", "estimated_minor", "substitution", "deposit_minor", "saving_minor")
            for (number, line) in lines[start..<min(start + 100, lines.count)] {
                insert.values(SQLBind(orderID), SQLBind(number), SQLBind(line.productID.publicString), SQLBind(line.sku),
                              SQLBind(line.name), SQLBind(line.packSize), SQLBind(line.unitPrice.minorUnits), SQLBind(line.quantity),
                              SQLBind(line.lineTotal.minorUnits), SQLBind(line.minimumAge), SQLBind(line.weighed?.mode.rawValue ?? ""),
                              SQLBind(line.weighed?.orderedGrams ?? 0), SQLBind(line.weighed?.tolerancePercent ?? 0),
                              SQLBind(line.weighed?.estimatedTotal.minorUnits ?? line.lineTotal.minorUnits), SQLBind(line.substitution.stored), SQLBind(line.deposit),
                              SQLBind(line.saving))
            }
            try await insert.run()
        }
    }

    /// Moves an order from pending to `status`; returns false if it was no longer pending.
    /// With `authorisation`, the payment was reserved (to capture after picking), not taken.
    static func settle(orderID: Int64, status: OrderStatus, receipt: (provider: String, reference: String, brand: String, lastFour: String)?,
                       authorisation: (amountMinor: Int64, expiresAt: Int64, paymentMethod: String)? = nil,
                       failureReason: String?, now: Int64, sql: any SQLDatabase) async throws -> Bool {
        var update = sql.update("orders")
            .set("status", to: SQLBind(status.rawValue))
            .set("updated_at", to: SQLBind(now))
        if let receipt {
            update = update.set("payment_provider", to: SQLBind(receipt.provider)).set("payment_reference", to: SQLBind(receipt.reference))
                .set("card_brand", to: SQLBind(receipt.brand)).set("card_last4", to: SQLBind(receipt.lastFour)).set("paid_at", to: SQLBind(now))
        }
        if let authorisation {
            update = update.set("payment_kind", to: SQLBind("authorisation")).set("authorised_minor", to: SQLBind(authorisation.amountMinor))
                .set("authorisation_expires_at", to: SQLBind(authorisation.expiresAt)).set("payment_method", to: SQLBind(authorisation.paymentMethod))
        }
        if let failureReason { update = update.set("failure_reason", to: SQLBind(failureReason)) }
        let changed = try await update.where("id", .equal, SQLBind(orderID))
            .where("status", .equal, SQLBind(OrderStatus.pendingPayment.rawValue))
            .returning("id", "customer_id").first()
        guard let changed else { return false }
        try await noteStatusChange(customerID: try changed.decode(column: "customer_id", as: Int64.self), sql: sql)
        return true
    }

    /// Tells the change feed that a customer's orders changed status (their last sold order,
    /// which recommendations start from, may be another now).
    static func noteStatusChange(customerID: Int64, sql: any SQLDatabase) async throws {
        try await ChangeFeed.record(PurchaseHistory.changeTopic, key: String(customerID), in: sql)
    }

    static func appendOutbox(topic: OutboxTopic, aggregateID: String, payload: [String: String], now: Int64, sql: any SQLDatabase) async throws {
        try await Outbox.append(topic: topic.rawValue, aggregateID: aggregateID, payload: payload, now: now, in: sql)
    }

    /// An order with its lines, timeline and refunds.
    struct Detail: Sendable {
        var stored: StoredOrder
        var lines: [OrderLine]
        var events: [StoredEvent]
        var refunds: [StoredRefund]
        var charges: [Adjustment] = []
    }

    struct StoredEvent: Sendable {
        var status: String
        var note: String?
        var actor: String
        var createdAt: Int64
    }

    struct StoredRefund: Sendable {
        var internalID: Int64
        var orderID: Int64
        var idempotencyKey: String
        var amountMinor: Int64
        var reason: String
        var state: String
        var providerReference: String?
        var createdAt: Int64
    }

    func order(internalID: Int64) async throws -> Detail? {
        try await database.read { sql in try await Self.detail(Self.orderColumns(sql.select()).from("orders").where("id", .equal, SQLBind(internalID)), sql: sql) }
    }

    /// An order by its public id, for its customer only when `customerID` is given.
    func order(publicID: String, customerID: CustomerID?) async throws -> Detail? {
        try await database.read { sql in
            var query = Self.orderColumns(sql.select()).from("orders").where("public_id", .equal, SQLBind(publicID))
            if let customerID { query = query.where("customer_id", .equal, SQLBind(customerID.rawValue)) }
            return try await Self.detail(query, sql: sql)
        }
    }

    private static func detail(_ query: SQLSelectBuilder, sql: any SQLDatabase) async throws -> Detail? {
        guard let row = try await query.first() else { return nil }
        let stored = try storedOrder(row)
        let events = try await sql.select().columns("status", "note", "actor", "created_at").from("order_events")
            .where("order_id", .equal, SQLBind(stored.internalID)).orderBy("id").all()
            .map { StoredEvent(status: try $0.decode(column: "status", as: String.self), note: try $0.decode(column: "note", as: String?.self),
                               actor: try $0.decode(column: "actor", as: String.self), createdAt: try $0.decode(column: "created_at", as: Int64.self)) }
        let refunds = try await refundColumns(sql.select()).from("order_refunds")
            .where("order_id", .equal, SQLBind(stored.internalID)).orderBy("id").all().map(storedRefund)
        let currency = Currency(code: stored.currency) ?? .gbp
        let charges = try await sql.select().columns("kind", "label", "amount_minor").from("order_charges")
            .where("order_id", .equal, SQLBind(stored.internalID)).orderBy("position").all().map { row in
                Adjustment(kind: Adjustment.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .bagCharge,
                           label: try row.decode(column: "label", as: String.self),
                           amount: Money(minorUnits: try row.decode(column: "amount_minor", as: Int64.self), currency: currency))
            }
        return Detail(stored: stored, lines: try await lines(orderID: stored.internalID, currency: stored.currency, sql: sql), events: events, refunds: refunds,
                      charges: charges)
    }

    static func refundColumns(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
        select.columns("id", "order_id", "idempotency_key", "amount_minor", "reason", "state", "provider_reference", "created_at")
    }

    static func storedRefund(_ row: any SQLRow) throws -> StoredRefund {
        StoredRefund(
            internalID: try row.decode(column: "id", as: Int64.self), orderID: try row.decode(column: "order_id", as: Int64.self),
            idempotencyKey: try row.decode(column: "idempotency_key", as: String.self), amountMinor: try row.decode(column: "amount_minor", as: Int64.self),
            reason: try row.decode(column: "reason", as: String.self), state: try row.decode(column: "state", as: String.self),
            providerReference: try row.decode(column: "provider_reference", as: String?.self), createdAt: try row.decode(column: "created_at", as: Int64.self)
        )
    }

    func orders(customerID: CustomerID, limit: Int) async throws -> [(StoredOrder, Int)] {
        try await database.read { sql in
            let rows = try await Self.orderColumns(sql.select())
                .column(SQLSubquery.select { $0.column(SQLFunction("SUM", args: Self.lineItems))
                    .from("order_lines").where(SQLColumn("order_id", table: "order_lines"), .equal, SQLColumn("id", table: "orders")) }, as: "item_count")
                .from("orders").where("customer_id", .equal, SQLBind(customerID.rawValue))
                .orderBy("created_at", .descending).orderBy("id", .descending).limit(limit).all()
            return try rows.map { (try Self.storedOrder($0), try $0.decode(column: "item_count", as: Int?.self) ?? 0) }
        }
    }

    /// Internal ids of orders still pending payment that were created before `cutoff`.
    func pendingOrders(createdBefore cutoff: Int64) async throws -> [Int64] {
        try await database.read { sql in
            try await sql.select().column("id").from("orders")
                .where("status", .equal, SQLBind(OrderStatus.pendingPayment.rawValue))
                .where("created_at", .lessThan, SQLBind(cutoff)).orderBy("id").limit(500).all()
                .map { try $0.decode(column: "id", as: Int64.self) }
        }
    }

    /// The items an order line counts for: a line bought by weight (quantity in grams) counts once.
    static let lineItems = SQLRaw("CASE WHEN order_lines.weighing = 'weight' THEN 1 ELSE order_lines.quantity END")

    static func lines(orderID: Int64, currency: String, sql: any SQLDatabase) async throws -> [OrderLine] {
        let money = { (minor: Int64) in Money(minorUnits: minor, currency: Currency(code: currency) ?? .gbp) }
        return try await sql.select().columns("product_id", "sku", "name", "pack_size", "unit_price_minor", "quantity", "line_total_minor",
                                              "picked_quantity", "refunded_quantity", "line_number", "minimum_age",
                                              "weighing", "ordered_grams", "picked_grams", "tolerance_percent", "estimated_minor",
                                              "substitution", "substitute_for", "substitute_state", "deposit_minor", "saving_minor")
            .from("order_lines").where("order_id", .equal, SQLBind(orderID)).orderBy("line_number").all()
            .map { row in
                let productText = try row.decode(column: "product_id", as: String.self)
                guard let productID = ProductID(publicString: productText) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Malformed product id \(productText)"))
                }
                return OrderLine(
                    productID: productID,
                    sku: try row.decode(column: "sku", as: String.self),
                    name: try row.decode(column: "name", as: String.self),
                    packSize: try row.decode(column: "pack_size", as: String.self),
                    unitPrice: money(try row.decode(column: "unit_price_minor", as: Int64.self)),
                    quantity: try row.decode(column: "quantity", as: Int.self),
                    lineTotal: money(try row.decode(column: "line_total_minor", as: Int64.self)),
                    pickedQuantity: try row.decode(column: "picked_quantity", as: Int?.self),
                    refundedQuantity: try row.decode(column: "refunded_quantity", as: Int.self),
                    number: try row.decode(column: "line_number", as: Int.self),
                    minimumAge: try row.decode(column: "minimum_age", as: Int.self),
                    deposit: try row.decode(column: "deposit_minor", as: Int64.self),
                    saving: try row.decode(column: "saving_minor", as: Int64.self),
                    substitution: SubstitutionChoice(stored: try row.decode(column: "substitution", as: String.self)) ?? .none,
                    substitute: try row.decode(column: "substitute_for", as: Int?.self).map { forLine in
                        OrderLine.Substitute(forLine: forLine, state: OrderLine.Substitute.State(rawValue: try row.decode(column: "substitute_state", as: String?.self) ?? "") ?? .proposed)
                    },
                    weighed: try Weighing.Mode(rawValue: row.decode(column: "weighing", as: String.self)).map { mode in
                        OrderLine.Weighed(mode: mode, orderedGrams: try row.decode(column: "ordered_grams", as: Int.self),
                                          pickedGrams: try row.decode(column: "picked_grams", as: Int?.self),
                                          tolerancePercent: try row.decode(column: "tolerance_percent", as: Int.self),
                                          estimatedTotal: money(try row.decode(column: "estimated_minor", as: Int64.self)))
                    }
                )
            }
    }

    static func orderColumns(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
        select.column(SQLColumn("id", table: "orders")).column(SQLColumn("public_id", table: "orders"))
            .columns("number", "customer_id", "status", "subtotal_minor", "delivery_minor", "total_minor", "currency",
                     "delivery_sealed", "card_brand", "card_last4", "failure_reason", "created_at", "paid_at", "refunded_minor",
                     "payment_reference", "fulfilment_method", "slot_id", "slot_place", "slot_starts_at", "slot_ends_at", "slot_cutoff_at", "version")
            .columns("voucher_code", "id_check_age", "payment_kind", "authorised_minor", "authorisation_expires_at", "payment_method", "capture_state", "capture_minor",
                     "captured_minor", "capture_reference")
    }

    static func storedOrder(_ row: any SQLRow) throws -> StoredOrder {
        StoredOrder(
            internalID: try row.decode(column: "id", as: Int64.self),
            publicID: try row.decode(column: "public_id", as: String.self),
            number: try row.decode(column: "number", as: String.self),
            customerID: CustomerID(try row.decode(column: "customer_id", as: Int64.self)),
            status: try row.decode(column: "status", as: String.self),
            subtotalMinor: try row.decode(column: "subtotal_minor", as: Int64.self),
            deliveryMinor: try row.decode(column: "delivery_minor", as: Int64.self),
            totalMinor: try row.decode(column: "total_minor", as: Int64.self),
            currency: try row.decode(column: "currency", as: String.self),
            deliverySealed: try row.decode(column: "delivery_sealed", as: String.self),
            cardBrand: try row.decode(column: "card_brand", as: String?.self),
            cardLastFour: try row.decode(column: "card_last4", as: String?.self),
            failureReason: try row.decode(column: "failure_reason", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            paidAt: try row.decode(column: "paid_at", as: Int64?.self),
            refundedMinor: try row.decode(column: "refunded_minor", as: Int64.self),
            paymentReference: try row.decode(column: "payment_reference", as: String?.self),
            slot: try row.decode(column: "slot_id", as: String?.self).map { slotID in
                SlotSnapshot(method: try row.decode(column: "fulfilment_method", as: String?.self) ?? "delivery", slotID: slotID,
                             place: try row.decode(column: "slot_place", as: String?.self) ?? "",
                             startsAt: try row.decode(column: "slot_starts_at", as: Int64?.self) ?? 0, endsAt: try row.decode(column: "slot_ends_at", as: Int64?.self) ?? 0,
                             cutoffAt: try row.decode(column: "slot_cutoff_at", as: Int64?.self))
            },
            payment: try payment(row),
            idCheckAge: try row.decode(column: "id_check_age", as: Int.self),
            version: try row.decode(column: "version", as: Int.self),
            voucherCode: try row.decode(column: "voucher_code", as: String?.self)
        )
    }

    static func payment(_ row: any SQLRow) throws -> PaymentSnapshot {
        PaymentSnapshot(
            kind: try row.decode(column: "payment_kind", as: String?.self), authorisedMinor: try row.decode(column: "authorised_minor", as: Int64.self),
            expiresAt: try row.decode(column: "authorisation_expires_at", as: Int64?.self), paymentMethod: try row.decode(column: "payment_method", as: String?.self),
            captureState: try row.decode(column: "capture_state", as: String?.self), captureMinor: try row.decode(column: "capture_minor", as: Int64?.self),
            capturedMinor: try row.decode(column: "captured_minor", as: Int64.self), captureReference: try row.decode(column: "capture_reference", as: String?.self)
        )
    }
}
