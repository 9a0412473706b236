import Catalog
import Checkout
import Foundation
import GoMartModels

/// What the dashboard shows: sales, and the products that ran out or are running low.
public struct Dashboard: Sendable {
    public var sales: SalesReport
    /// Products on sale with no stock (the first 10), and how many there are.
    public var stockOuts: [ManagedProduct]
    public var stockOutCount: Int
    /// Products on sale at or below their low-stock threshold.
    public var lowStockCount: Int
}

/// Reports for those whose role includes them (owners and managers).
public struct ReportsDesk: Sendable {
    let staff: StaffService
    let reports: SalesReports
    let catalogue: CatalogueAdmin

    /// Creates the desk.
    public init(staff: StaffService, reports: SalesReports, catalogue: CatalogueAdmin) {
        self.staff = staff
        self.reports = reports
        self.catalogue = catalogue
    }

    /// Today and the last 30 days.
    public func dashboard(for member: StaffMember, now: Date = Date()) async throws -> Dashboard {
        try staff.authorize(member, to: .viewReports)
        async let sales = reports.report(now: now)
        async let outs = catalogue.products(showing: .outOfStock, limit: 10)
        async let low = catalogue.products(showing: .lowStock, limit: 1)
        let (stockOuts, lowStock) = try await (outs, low)
        return Dashboard(sales: try await sales, stockOuts: stockOuts.products, stockOutCount: stockOuts.total, lowStockCount: lowStock.total)
    }
}
