import Foundation
import GoMartModels
import SQLKit
import Storage

/// One line of a paid order, for exports that must not carry personal data.
public struct PaidOrderLine: Sendable, Hashable {
    public var orderID: String
    /// The customer's internal id: exporters replace it with a pseudonym.
    public var customerID: CustomerID
    /// When the order was paid (seconds since 1970).
    public var paidAt: Int64
    public var productID: String
    public var quantity: Int
}

/// What customers bought, for recommendations: every paid line for training, a customer's last
/// paid order, and the most ordered products.
public struct PurchaseHistory: Sendable {
    let database: Database
    /// Each customer's last sold order, kept exact by the change feed; nil: read every time.
    let lastOrders: FeedCache<LastSoldOrder>?

    /// A customer's last sold order, if any, as cached.
    struct LastSoldOrder: Sendable {
        var order: (orderID: String, productIDs: [String])?
    }

    /// The change feed's topic for a customer's orders changing status; keys are internal ids.
    public static let changeTopic = "orders"

    /// Creates the history; with a `feed`, each customer's last order is cached in this process.
    public init(database: Database, feed: ChangeFeed? = nil) {
        self.database = database
        lastOrders = feed.map { FeedCache(name: "last-orders", topic: Self.changeTopic, capacity: 20_000, timeToLive: .seconds(600), feed: $0) }
    }

    /// Every line of every order sold (paid, and not cancelled, refused or refunded).
    public func paidLines() async throws -> [PaidOrderLine] {
        try await database.read { sql in
            try await sql.select()
                .column(SQLColumn("public_id", table: "orders"), as: "order_id")
                .column(SQLColumn("customer_id", table: "orders"))
                .column(SQLFunction("COALESCE", args: SQLColumn("paid_at", table: "orders"), SQLColumn("created_at", table: "orders")), as: "paid_at")
                .column(SQLColumn("product_id", table: "order_lines"))
                .column(OrderRepository.lineItems, as: "quantity")
                .from("order_lines")
                .join("orders", on: SQLColumn("order_id", table: "order_lines"), .equal, SQLColumn("id", table: "orders"))
                .where(SQLColumn("status", table: "orders"), .in, SQLBind.group(OrderStatus.sold.map(\.rawValue)))
                .orderBy(SQLColumn("paid_at"))
                .orderBy(SQLColumn("id", table: "orders"))
                .orderBy(SQLColumn("line_number", table: "order_lines"))
                .all()
                .map { row in
                    PaidOrderLine(
                        orderID: try row.decode(column: "order_id", as: String.self), customerID: CustomerID(try row.decode(column: "customer_id", as: Int64.self)),
                        paidAt: try row.decode(column: "paid_at", as: Int64.self), productID: try row.decode(column: "product_id", as: String.self),
                        quantity: try row.decode(column: "quantity", as: Int.self)
                    )
                }
        }
    }

    /// The products of the customer's most recent paid order, in line order; nil when they have
    /// none. One query: it runs on every page a signed-in customer views.
    public func lastPaidOrder(customerID: CustomerID) async throws -> (orderID: String, productIDs: [String])? {
        guard let lastOrders else { return try await readLastPaidOrder(customerID: customerID) }
        return try await lastOrders.value(for: String(customerID.rawValue)) {
            LastSoldOrder(order: try await readLastPaidOrder(customerID: customerID))
        }.order
    }

    private func readLastPaidOrder(customerID: CustomerID) async throws -> (orderID: String, productIDs: [String])? {
        // Written as one string: assembling it from the query builder's tree cost more than running it.
        let statuses = OrderStatus.sold.map(\.rawValue)
        let rows = try await database.read { sql in
            try await sql.raw("""
                SELECT orders.public_id AS order_id, order_lines.product_id FROM order_lines \
                JOIN orders ON order_lines.order_id = orders.id \
                WHERE orders.id = (SELECT id FROM orders WHERE customer_id = \(bind: customerID.rawValue) AND status IN (\(binds: statuses)) \
                ORDER BY created_at DESC, id DESC LIMIT 1) \
                ORDER BY order_lines.line_number
                """).all()
        }
        guard let first = rows.first else { return nil }
        return (try first.decode(column: "order_id", as: String.self), try rows.map { try $0.decode(column: "product_id", as: String.self) })
    }

    /// The `limit` products ordered most (units across paid orders), most first; ties by id.
    public func mostOrdered(limit: Int) async throws -> [String] {
        try await database.read { sql in
            try await sql.select()
                .column(SQLColumn("product_id", table: "order_lines"))
                .column(SQLFunction("SUM", args: OrderRepository.lineItems), as: "units")
                .from("order_lines")
                .join("orders", on: SQLColumn("order_id", table: "order_lines"), .equal, SQLColumn("id", table: "orders"))
                .where(SQLColumn("status", table: "orders"), .in, SQLBind.group(OrderStatus.sold.map(\.rawValue)))
                .groupBy(SQLColumn("product_id", table: "order_lines"))
                .orderBy("units", .descending)
                .orderBy(SQLColumn("product_id", table: "order_lines"))
                .limit(limit)
                .all()
                .map { try $0.decode(column: "product_id", as: String.self) }
        }
    }

    /// What the customer has bought, for "Buy it again": each product of their last 100 sold
    /// orders (substitutes left out), ranked by how often and how recently. Each order that took
    /// a product counts 1,024, halved for every 30 whole days since it was placed (an order this
    /// month 1,024, one two months ago 256); ties go to the one bought more recently, then by id.
    /// A product is one of the customer's usuals when at least 2 of their last 10 orders took it.
    public func boughtBefore(customerID: CustomerID, now: Date) async throws -> [BoughtBefore] {
        let statuses = OrderStatus.sold.map(\.rawValue)
        let rows = try await database.read { sql in
            try await sql.raw("""
                SELECT orders.id AS order_id, orders.created_at, order_lines.product_id, order_lines.quantity FROM order_lines \
                JOIN orders ON order_lines.order_id = orders.id \
                WHERE orders.id IN (SELECT id FROM orders WHERE customer_id = \(bind: customerID.rawValue) AND status IN (\(binds: statuses)) \
                ORDER BY created_at DESC, id DESC LIMIT 100) AND order_lines.substitute_for IS NULL \
                ORDER BY orders.created_at DESC, orders.id DESC, order_lines.line_number
                """).all()
        }
        var orderRank: [Int64: Int] = [:]
        var found: [String: BoughtBefore] = [:]
        var order: [String] = []
        let today = Int64(now.timeIntervalSince1970)
        for row in rows {
            let orderID = try row.decode(column: "order_id", as: Int64.self)
            let rank = orderRank[orderID] ?? orderRank.count
            orderRank[orderID] = rank
            let key = try row.decode(column: "product_id", as: String.self)
            guard let productID = ProductID(publicString: key) else { continue }
            let placed = try row.decode(column: "created_at", as: Int64.self)
            let weight = Int64(1_024) >> min(max(today - placed, 0) / (30 * 86_400), 10)
            if var known = found[key] {
                guard known.lastOrder != orderID else { continue }
                known.orders += 1
                known.score += weight
                if rank < 10 { known.inLastTen += 1 }
                known.lastOrder = orderID
                found[key] = known
            } else {
                order.append(key)
                found[key] = BoughtBefore(productID: productID, orders: 1, lastBought: Date(timeIntervalSince1970: TimeInterval(placed)),
                                          lastQuantity: try row.decode(column: "quantity", as: Int.self), score: weight, inLastTen: rank < 10 ? 1 : 0,
                                          lastOrder: orderID)
            }
        }
        return order.compactMap { found[$0] }.sorted { ($0.score, $0.lastBought, $1.productID) > ($1.score, $1.lastBought, $0.productID) }
    }
}

/// A product a customer bought before, as "Buy it again" lists it.
public struct BoughtBefore: Sendable, Hashable {
    public var productID: ProductID
    /// How many of their orders took it.
    public var orders: Int
    /// When the latest of them was placed.
    public var lastBought: Date
    /// How many (grams for goods sold by weight) the latest took: what "add" adds.
    public var lastQuantity: Int
    /// Its rank: see ``PurchaseHistory/boughtBefore(customerID:now:)``.
    public var score: Int64
    /// How many of their last 10 orders took it.
    var inLastTen: Int
    var lastOrder: Int64

    /// True when it is one of the customer's usuals (at least 2 of their last 10 orders).
    public var isUsual: Bool { inLastTen >= 2 }
}
