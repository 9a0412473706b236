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
}
