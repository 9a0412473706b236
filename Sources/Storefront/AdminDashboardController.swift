import BackOffice
import Catalog
import Checkout
import Foundation
import GoMartModels
import Hummingbird
import Web

/// The back office's dashboard: today and the last 30 days, with charts drawn as SVG.
public struct AdminDashboardController: Sendable {
    public typealias Context = ShopRequestContext
    let desk: ReportsDesk
    let pages: AdminPages

    /// Creates the controller.
    public init(desk: ReportsDesk, staff: StaffService, renderer: PageRenderer, shop: ShopSettings) {
        self.desk = desk
        self.pages = AdminPages(staff: staff, renderer: renderer, shop: shop)
    }

    /// Adds `/admin/dashboard`.
    public func addRoutes(to router: Router<Context>) {
        router.get("/admin/dashboard", use: show)
    }

    struct Tile: Sendable {
        var label: String
        var today: String
        var month: String
    }

    struct Row: Sendable {
        var label: String
        var figure: String
        var href: String?
    }

    struct Page: Sendable {
        var chrome: AdminPages.Chrome
        var tiles: [Tile]
        var revenueChart: String
        var ordersChart: String
        var topChart: String
        var stateChart: String
        var days: [Row]
        var top: [Row]
        var hasTop: Bool
        var states: [Row]
        var stockOuts: [Row]
        var stockOutCount: Int
        var lowStockCount: Int
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let dashboard = try await desk.dashboard(for: member)
            let sales = dashboard.sales
            let dayLabel = { (date: Date) in date.formatted(Date.FormatStyle(timeZone: TimeZone(identifier: "UTC")!).day().month(.abbreviated)) }
            let page = Page(
                chrome: pages.chrome("Dashboard", member, context, request: request),
                tiles: [
                    Tile(label: "Orders", today: String(sales.today.orders), month: String(sales.last30Days.orders)),
                    Tile(label: "Revenue", today: sales.today.revenue.formatted, month: sales.last30Days.revenue.formatted),
                    Tile(label: "Average basket", today: sales.today.averageBasket.formatted, month: sales.last30Days.averageBasket.formatted),
                    Tile(label: "Refunds", today: sales.today.refunds.formatted, month: sales.last30Days.refunds.formatted),
                ],
                revenueChart: SVGChart.columns(sales.days.map { .init(label: dayLabel($0.date), value: $0.revenue.minorUnits, display: $0.revenue.formatted) },
                                               title: "Revenue per day, last 30 days"),
                ordersChart: SVGChart.columns(sales.days.map { .init(label: dayLabel($0.date), value: Int64($0.orders), display: "\($0.orders) orders") },
                                              title: "Orders per day, last 30 days"),
                topChart: SVGChart.rows(sales.topProducts.map { .init(label: $0.name, value: Int64($0.units), display: "\($0.units) units") },
                                        title: "Best sellers by units, last 30 days"),
                stateChart: SVGChart.rows(sales.ordersByState.map { .init(label: $0.status.label, value: Int64($0.count), display: String($0.count)) },
                                          title: "Orders of the last 30 days by state"),
                days: sales.days.reversed().map { Row(label: dayLabel($0.date), figure: "\($0.orders) orders, \($0.revenue.formatted)", href: nil) },
                top: sales.topProducts.map { Row(label: $0.name, figure: "\($0.units) units, \($0.sales.formatted)", href: "/admin/products/\($0.productID.publicString)") },
                hasTop: !sales.topProducts.isEmpty,
                states: sales.ordersByState.map { Row(label: $0.status.label, figure: String($0.count), href: "/admin/orders?status=\($0.status.rawValue)") },
                stockOuts: dashboard.stockOuts.map { Row(label: $0.product.name, figure: $0.product.sku, href: "/admin/products/\($0.product.id.publicString)") },
                stockOutCount: dashboard.stockOutCount, lowStockCount: dashboard.lowStockCount
            )
            return try pages.html(page, template: "admin-dashboard", request: request, context: context)
        }
    }
}
