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

    public init(database: Database) {
        self.database = database
    }

    /// Every line of every order sold (paid, and not cancelled, refused or refunded).
    public func paidLines() async throws -> [PaidOrderLine] {
        try await database.read { sql in
            try await sql.select()
                .column(SQLColumn("public_id", table: "orders"), as: "order_id")
                .column(SQLColumn("customer_id", table: "orders"))
                .column(SQLFunction("COALESCE", args: SQLColumn("paid_at", table: "orders"), SQLColumn("created_at", table: "orders")), as: "paid_at")
                .column(SQLColumn("product_id", table: "order_lines"))
                .column(SQLColumn("quantity", table: "order_lines"))
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
        let rows = try await database.read { sql in
            try await sql.select()
                .column(SQLColumn("public_id", table: "orders"), as: "order_id")
                .column(SQLColumn("product_id", table: "order_lines"))
                .from("order_lines")
                .join("orders", on: SQLColumn("order_id", table: "order_lines"), .equal, SQLColumn("id", table: "orders"))
                .where(SQLColumn("id", table: "orders"), .equal, SQLSubquery.select { latest in
                    latest.column("id").from("orders")
                        .where("customer_id", .equal, SQLBind(customerID.rawValue)).where("status", .in, SQLBind.group(OrderStatus.sold.map(\.rawValue)))
                        .orderBy("created_at", .descending).orderBy("id", .descending).limit(1)
                })
                .orderBy(SQLColumn("line_number", table: "order_lines"))
                .all()
        }
        guard let first = rows.first else { return nil }
        return (try first.decode(column: "order_id", as: String.self), try rows.map { try $0.decode(column: "product_id", as: String.self) })
    }

    /// The `limit` products ordered most (units across paid orders), most first; ties by id.
    public func mostOrdered(limit: Int) async throws -> [String] {
        try await database.read { sql in
            try await sql.select()
                .column(SQLColumn("product_id", table: "order_lines"))
                .column(SQLFunction("SUM", args: SQLColumn("quantity", table: "order_lines")), as: "units")
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
