import Cart
import Catalog
import Foundation
import GoMartModels
import Payments
import Pricing
import SQLKit
import Security
import Storage

/// A past order to record as paid: demo history. Recording it takes no stock and charges no card.
public struct PastOrder: Sendable {
    public var customerID: CustomerID
    /// When it was placed and paid (seconds since 1970).
    public var paidAt: Int64
    /// The products and quantities, priced at the catalogue's current prices.
    public var lines: [(product: Product, quantity: Int)]

    public init(customerID: CustomerID, paidAt: Int64, lines: [(product: Product, quantity: Int)]) {
        self.customerID = customerID
        self.paidAt = paidAt
        self.lines = lines
    }
}

extension CheckoutService {
    /// Replaces every order of the customers `customerIDs` with `orders` (whose customers must be
    /// among them), in one transaction: either all of the new history is there afterwards or
    /// none of it and the old history stands. Returns how many orders were recorded.
    ///
    /// For demo data: the orders are paid with a sandbox card ending 4242, numbered `DM-…`, and
    /// delivered to a demo address; no stock is taken and no outbox events are written (search
    /// counts the orders that took each product).
    /// `progress` hears how many orders are written.
    public func replaceOrderHistory(
        of customerIDs: [CustomerID], with orders: [PastOrder],
        progress: @escaping @Sendable (_ written: Int, _ total: Int) -> Void = { _, _ in }
    ) async throws -> Int {
        let allowed = Set(customerIDs)
        guard orders.allSatisfy({ allowed.contains($0.customerID) }) else { throw PastOrderOutsideHistory() }
        let delivery = DeliveryDetails(name: "Demo Shopper", line1: "1 Demo Street", city: "Exampleton", postcode: "EX1 1AA", phone: "01632 960000")
        let sealed = try vault.seal(String(decoding: try JSONEncoder().encode(delivery), as: UTF8.self))
        let policy = cart.policy
        let currency = catalog.currency
        let newOrders = orders.enumerated().map { number, order in
            // A past line of loose goods bought by weight is that many times its usual weight
            // (500 g), weighed at the estimate.
            let quantities = order.lines.map { line in
                line.product.weighing.map { $0.mode == .weight ? min($0.defaultQuantity * line.quantity, $0.maximumGrams) : line.quantity } ?? line.quantity
            }
            let quote = Pricing.quote(zip(order.lines, quantities).map { $0.product.pricedLine(quantity: $1) }, rules: policy.pricing, currency: currency)
            let lines = zip(zip(order.lines, quantities), quote.lineTotals).map { item, lineTotal in
                let (line, quantity) = item
                return OrderLine(productID: line.product.id, sku: line.product.sku, name: line.product.name, packSize: line.product.packSize,
                                 unitPrice: line.product.price, quantity: quantity, lineTotal: lineTotal, deposit: line.product.deposit.minorUnits,
                                 weighed: line.product.weighing.map {
                                     OrderLine.Weighed(mode: $0.mode, orderedGrams: $0.estimatedGrams(quantity), pickedGrams: $0.estimatedGrams(quantity),
                                                       tolerancePercent: $0.tolerancePercent, estimatedTotal: lineTotal)
                                 })
            }
            return (OrderRepository.NewOrder(
                publicID: UUID().publicString, number: String(format: "DM-%06d", number + 1), customerID: order.customerID,
                subtotalMinor: quote.subtotal.minorUnits, deliveryMinor: quote.deliveryCharge.minorUnits, totalMinor: quote.total.minorUnits,
                currency: currency.code, deliverySealed: sealed, lines: lines, charges: quote.charges
            ), order.paidAt)
        }
        let provider = payments.name
        let catalog = catalog
        try await database.transaction { sql in
            // Search counts how many orders took each product: the old history's go, the new one's come.
            var ordered: [ProductID: Int] = [:]
            for (order, _) in newOrders { for line in order.lines { ordered[line.productID, default: 0] += 1 } }
            for chunk in stride(from: 0, to: customerIDs.count, by: 500).map({ Array(customerIDs[$0..<min($0 + 500, customerIDs.count)]) }) {
                let old = try await sql.select().column("product_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "lines").from("order_lines")
                    .where("order_id", .in, SQLSubquery.select { select in
                        select.column("id").from("orders").where("customer_id", .in, SQLBind.group(chunk.map(\.rawValue)))
                    }).groupBy("product_id").all()
                for row in old {
                    guard let product = ProductID(publicString: try row.decode(column: "product_id", as: String.self)) else { continue }
                    ordered[product, default: 0] -= try row.decode(column: "lines", as: Int.self)
                }
            }
            try await catalog.recordOrders(ordered, in: sql)
            for chunk in stride(from: 0, to: customerIDs.count, by: 500).map({ Array(customerIDs[$0..<min($0 + 500, customerIDs.count)]) }) {
                try await sql.delete(from: "idempotency_keys").where("customer_id", .in, SQLBind.group(chunk.map(\.rawValue))).run()
                for table in ["order_lines", "order_events", "order_refunds"] {
                    try await sql.delete(from: table).where("order_id", .in, SQLSubquery.select { select in
                        select.column("id").from("orders").where("customer_id", .in, SQLBind.group(chunk.map(\.rawValue)))
                    }).run()
                }
                try await sql.delete(from: "orders").where("customer_id", .in, SQLBind.group(chunk.map(\.rawValue))).run()
            }
            for (number, (order, paidAt)) in newOrders.enumerated() {
                if number % 100 == 0 { progress(number, newOrders.count) }
                let id = try await OrderRepository.insertOrder(order, now: paidAt, sql: sql)
                _ = try await OrderRepository.settle(orderID: id, status: .paid, receipt: (provider, "demo-\(order.publicID.prefix(8))", "Visa", "4242"),
                                                     failureReason: nil, now: paidAt, sql: sql)
            }
            // Past orders were delivered long ago: they are history, not work for the pickers.
            try await sql.update("orders").set("status", to: SQLBind(OrderStatus.delivered.rawValue))
                .where("status", .equal, SQLBind(OrderStatus.paid.rawValue)).where("number", .like, SQLBind("DM-%")).run()
            // Every customer whose history was replaced, with or without new orders.
            try await ChangeFeed.record(PurchaseHistory.changeTopic, keys: customerIDs.map { String($0.rawValue) }, in: sql)
            progress(newOrders.count, newOrders.count)
        }
        return newOrders.count
    }
}

/// A past order named a customer whose history was not being replaced; nothing was written.
public struct PastOrderOutsideHistory: Error, CustomStringConvertible {
    public var description: String { "a past order names a customer whose order history is not being replaced" }
}
