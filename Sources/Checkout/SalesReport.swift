import Foundation
import GoMartModels
import Pricing
import SQLKit
import Storage

/// What sold: today and the last 30 days (UTC), for the back office's dashboard.
public struct SalesReport: Sendable {
    /// Totals over a period.
    public struct Period: Sendable, Hashable {
        /// Orders paid in the period (cancelled ones left out).
        public var orders: Int
        /// What those orders came to, less what was refunded on them.
        public var revenue: Money
        /// Revenue per order.
        public var averageBasket: Money
        /// Money refunded in the period, on any order.
        public var refunds: Money
    }

    /// One day of the chart.
    public struct Day: Sendable, Hashable {
        /// Midnight UTC.
        public var date: Date
        public var orders: Int
        public var revenue: Money
    }

    /// A best seller.
    public struct Seller: Sendable, Hashable {
        public var productID: ProductID
        public var name: String
        /// Units sold, less units refunded.
        public var units: Int
        /// What the lines came to when ordered.
        public var sales: Money
    }

    public var today: Period
    public var last30Days: Period
    /// The last 30 days, oldest first, every day present.
    public var days: [Day]
    /// The ten products sold most (by units) in the last 30 days.
    public var topProducts: [Seller]
    /// Orders placed in the last 30 days, by their state now.
    public var ordersByState: [(status: OrderStatus, count: Int)]
}

/// Builds the ``SalesReport`` in a handful of aggregate queries over the indexed `paid_at` and
/// `created_at` columns, so that it stays fast on hundreds of thousands of orders.
public struct SalesReports: Sendable {
    let database: Database
    let currency: Currency

    /// Creates the reports over `database`, in `currency`.
    public init(database: Database, currency: Currency) {
        self.database = database
        self.currency = currency
    }

    /// The report as of `now`. Its four aggregates run side by side, each on its own read.
    public func report(now: Date = Date()) async throws -> SalesReport {
        let today = Calendar.utc.startOfDay(for: now)
        let start = Int64(today.timeIntervalSince1970) - 29 * 86_400
        let end = Int64(today.timeIntervalSince1970) + 86_400
        let currency = currency
        let money: @Sendable (Int64) -> Money = { Money(minorUnits: $0, currency: currency) }
        async let dayTotals = days(from: start, to: end)
        async let sellers = bestSellers(from: start, to: end)
        async let states = ordersByState(from: start, to: end)
        async let refundedToday = refunds(from: end - 86_400, to: end)
        async let refundedInMonth = refunds(from: start, to: end)

        let byDay = try await dayTotals
        let days = (0..<30).map { offset -> SalesReport.Day in
            let day = start / 86_400 + Int64(offset)
            let (orders, revenue) = byDay[day] ?? (0, 0)
            return SalesReport.Day(date: Date(timeIntervalSince1970: TimeInterval(day * 86_400)), orders: orders, revenue: money(revenue))
        }
        let period = { (days: ArraySlice<SalesReport.Day>, refunded: Int64) -> SalesReport.Period in
            let orders = days.reduce(0) { $0 + $1.orders }
            let revenue = Pricing.sum(days.map(\.revenue), currency: currency)
            return SalesReport.Period(orders: orders, revenue: revenue, averageBasket: Pricing.average(of: revenue, over: orders),
                                      refunds: money(refunded))
        }
        let counts = try await states
        return SalesReport(
            today: period(days.suffix(1), try await refundedToday),
            last30Days: period(days[...], try await refundedInMonth),
            days: days,
            topProducts: try await sellers.map { SalesReport.Seller(productID: $0.id, name: $0.name, units: $0.units, sales: money($0.sales)) },
            ordersByState: OrderStatus.allCases.compactMap { status in counts[status].map { (status, $0) } }
        )
    }

    /// Paid orders (not cancelled) and their revenue net of refunds, by UTC day number.
    func days(from start: Int64, to end: Int64) async throws -> [Int64: (Int, Int64)] {
        try await database.read { sql in
            var byDay: [Int64: (Int, Int64)] = [:]
            for row in try await sql.raw("""
                SELECT paid_at / 86400 AS day, COUNT(*) AS orders, CAST(SUM(total_minor - refunded_minor) AS BIGINT) AS revenue
                FROM orders WHERE paid_at >= \(bind: start) AND paid_at < \(bind: end) AND status <> 'cancelled'
                GROUP BY paid_at / 86400
                """).all() {
                byDay[try row.decode(column: "day", as: Int64.self)] = (try row.decode(column: "orders", as: Int.self), try row.decode(column: "revenue", as: Int64?.self) ?? 0)
            }
            return byDay
        }
    }

    /// The ten products sold most by units, with their sales in minor units and the name they sold under.
    func bestSellers(from start: Int64, to end: Int64) async throws -> [(id: ProductID, name: String, units: Int, sales: Int64)] {
        try await database.read { sql in
            let rows = try await sql.raw("""
                SELECT order_lines.product_id AS product_id,
                       CAST(SUM(order_lines.quantity - order_lines.refunded_quantity) AS BIGINT) AS units,
                       CAST(SUM(order_lines.line_total_minor) AS BIGINT) AS sales
                FROM order_lines JOIN orders ON orders.id = order_lines.order_id
                WHERE orders.paid_at >= \(bind: start) AND orders.paid_at < \(bind: end) AND orders.status <> 'cancelled'
                GROUP BY order_lines.product_id
                ORDER BY units DESC, product_id
                LIMIT 10
                """).all()
            var sellers: [(id: ProductID, name: String, units: Int, sales: Int64)] = []
            for row in rows {
                let productText = try row.decode(column: "product_id", as: String.self)
                guard let id = ProductID(publicString: productText) else { continue }
                // The name as sold (the product may have been renamed or withdrawn since): one
                // probe per best seller, kept out of the aggregate so that it stays within the
                // covering indexes.
                let name = try await sql.raw("""
                    SELECT order_lines.name AS name FROM orders JOIN order_lines ON order_lines.order_id = orders.id
                    WHERE orders.paid_at >= \(bind: start) AND orders.paid_at < \(bind: end) AND order_lines.product_id = \(bind: productText)
                    LIMIT 1
                    """).first()?.decode(column: "name", as: String.self) ?? productText
                sellers.append((id, name, try row.decode(column: "units", as: Int.self), try row.decode(column: "sales", as: Int64.self)))
            }
            return sellers
        }
    }

    /// Orders placed in the period, by their state now.
    func ordersByState(from start: Int64, to end: Int64) async throws -> [OrderStatus: Int] {
        try await database.read { sql in
            var counts: [OrderStatus: Int] = [:]
            for row in try await sql.raw("""
                SELECT status, COUNT(*) AS orders FROM orders WHERE created_at >= \(bind: start) AND created_at < \(bind: end) GROUP BY status
                """).all() {
                if let status = OrderStatus(rawValue: try row.decode(column: "status", as: String.self)) {
                    counts[status] = try row.decode(column: "orders", as: Int.self)
                }
            }
            return counts
        }
    }

    /// Money refunded in the period, on any order (refunds the provider refused left out).
    func refunds(from start: Int64, to end: Int64) async throws -> Int64 {
        try await database.read { sql in
            try await sql.raw("""
                SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) AS refunded FROM order_refunds
                WHERE created_at >= \(bind: start) AND created_at < \(bind: end) AND state <> 'failed'
                """).first()?.decode(column: "refunded", as: Int64.self) ?? 0
        }
    }
}
