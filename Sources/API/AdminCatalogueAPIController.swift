import BackOffice
import Catalog
import Checkout
import Foundation
import GoMartModels
import HTTPTypes
import Hummingbird
import Web

/// The back office's catalogue, notes and dashboard in the JSON API, with staff bearer tokens and
/// the same role checks and audit log as the pages.
public struct AdminCatalogueAPIController: Sendable {
    public typealias Context = ShopRequestContext
    let staff: StaffService
    let catalogue: CatalogueDesk
    let orders: OrderDesk
    let reports: ReportsDesk

    /// Creates the controller.
    public init(staff: StaffService, catalogue: CatalogueDesk, orders: OrderDesk, reports: ReportsDesk) {
        self.staff = staff
        self.catalogue = catalogue
        self.orders = orders
        self.reports = reports
    }

    /// Adds the routes under `/api/v1/admin`.
    public func addRoutes(to router: Router<Context>) {
        let api = router.group("api/v1/admin")
        api.get("products", use: products)
        api.post("products", use: create)
        api.get("products/:id", use: product)
        api.put("products/:id", use: update)
        api.post("products/:id/withdraw", use: withdraw)
        api.post("products/:id/reinstate", use: reinstate)
        api.get("products/:id/stock-adjustments", use: history)
        api.post("products/:id/stock-adjustments", use: adjust)
        api.get("orders/:id/notes", use: notes)
        api.post("orders/:id/notes", use: addNote)
        api.get("dashboard", use: dashboard)
    }

    struct ManagedProductDTO: ResponseEncodable, Sendable {
        var id: String
        var sku: String
        var name: String
        var brand: String
        var aisle: String
        var price: MoneyDTO
        var packSize: String
        var soldByWeight: Bool
        var description: String
        var featured: Bool
        var keywords: String
        var stock: Int
        var lowStockThreshold: Int
        var lowStock: Bool
        var onSale: Bool
        var image: String?

        init(_ managed: ManagedProduct) {
            let product = managed.product
            id = product.id.publicString
            sku = product.sku
            name = product.name
            brand = product.brand
            aisle = product.aisleName
            price = MoneyDTO(product.price)
            packSize = product.packSize
            soldByWeight = product.soldByWeight
            description = product.description
            featured = product.featured
            keywords = managed.keywords
            stock = product.stock
            lowStockThreshold = managed.lowStockThreshold
            lowStock = managed.isLow
            onSale = managed.onSale
            image = product.image.map { "/images/\($0)" }
        }
    }

    struct ProductListDTO: ResponseEncodable, Sendable {
        var products: [ManagedProductDTO]
        var total: Int
    }

    @Sendable func products(_ request: Request, context: Context) async throws -> ProductListDTO {
        let member = try await member(request)
        let query = FormURLEncoded.parse(request.uri.query)
        guard let showing = CatalogueAdmin.Showing(rawValue: query["show"]?.first ?? "all") else {
            throw HTTPError(.badRequest, message: "show must be one of \(CatalogueAdmin.Showing.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let offset = try Self.integer(query["offset"]?.first, name: "offset", range: 0...1_000_000) ?? 0
        let limit = try Self.integer(query["limit"]?.first, name: "limit", range: 1...500) ?? 100
        let found = try await catalogue.products(for: member, containing: String((query["q"]?.first ?? "").prefix(100)),
                                                 aisleSlug: query["aisle"]?.first.flatMap { $0.isEmpty ? nil : $0 }, showing: showing,
                                                 offset: offset, limit: limit)
        return ProductListDTO(products: found.products.map(ManagedProductDTO.init), total: found.total)
    }

    @Sendable func product(_ request: Request, context: Context) async throws -> ManagedProductDTO {
        let member = try await member(request)
        return ManagedProductDTO(try await catalogue.product(try Self.productID(context), for: member).product)
    }

    struct ProductRequest: Decodable, Sendable {
        var sku: String?
        var name: String
        var brand: String
        var aisle: String
        var price: String
        var packSize: String
        var stock: Int?
        var soldByWeight: Bool?
        var description: String?
        var featured: Bool?
        var keywords: String?
        var lowStockThreshold: Int?

        /// The catalogue file's columns.
        var values: [String: String] {
            ["sku": sku ?? "", "name": name, "brand": brand, "aisle": aisle, "price": price, "pack_size": packSize, "stock": String(stock ?? 0),
             "sold_by_weight": soldByWeight == true ? "yes" : "no", "description": description ?? "", "featured": featured == true ? "yes" : "no",
             "keywords": keywords ?? ""]
        }
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> EditedResponse<ManagedProductDTO> {
        let member = try await member(request)
        let body = try await request.decode(as: ProductRequest.self, context: context)
        let created = try await catalogue.create(body.values, lowStockThreshold: body.lowStockThreshold ?? 5, by: member)
        return EditedResponse(status: .created, response: ManagedProductDTO(created))
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> ManagedProductDTO {
        let member = try await member(request)
        let body = try await request.decode(as: ProductRequest.self, context: context)
        let id = try Self.productID(context)
        var threshold = body.lowStockThreshold
        if threshold == nil { threshold = try await catalogue.product(id, for: member).product.lowStockThreshold }
        return ManagedProductDTO(try await catalogue.update(id, body.values, lowStockThreshold: threshold ?? 5, by: member))
    }

    @Sendable func withdraw(_ request: Request, context: Context) async throws -> ManagedProductDTO {
        ManagedProductDTO(try await catalogue.setOnSale(try Self.productID(context), false, by: try await member(request)))
    }

    @Sendable func reinstate(_ request: Request, context: Context) async throws -> ManagedProductDTO {
        ManagedProductDTO(try await catalogue.setOnSale(try Self.productID(context), true, by: try await member(request)))
    }

    struct AdjustmentDTO: Encodable, Sendable {
        var at: Date
        var change: Int
        var stockAfter: Int
        var reason: String
        var note: String
    }

    struct HistoryDTO: ResponseEncodable, Sendable {
        var adjustments: [AdjustmentDTO]
    }

    @Sendable func history(_ request: Request, context: Context) async throws -> HistoryDTO {
        let member = try await member(request)
        let history = try await catalogue.product(try Self.productID(context), for: member).history
        return HistoryDTO(adjustments: history.map { AdjustmentDTO(at: $0.at, change: $0.change, stockAfter: $0.stockAfter, reason: $0.reason.rawValue, note: $0.note) })
    }

    struct AdjustRequest: Decodable, Sendable {
        /// Units to add (negative: to remove).
        var change: Int?
        /// Or the level a count found.
        var count: Int?
        var reason: String
        var note: String?
    }

    @Sendable func adjust(_ request: Request, context: Context) async throws -> ManagedProductDTO {
        let member = try await member(request)
        let body = try await request.decode(as: AdjustRequest.self, context: context)
        guard let reason = StockReason(rawValue: body.reason) else {
            throw CatalogueAdminError.invalidFields(["reason": "must be delivery, count, waste or correction"])
        }
        let change: CatalogueAdmin.StockChange
        switch (body.change, body.count) {
        case (let units?, nil): change = .by(units)
        case (nil, let level?): change = .to(level)
        default: throw CatalogueAdminError.invalidFields(["change": "give either change (units added or removed) or count (the level found)"])
        }
        return ManagedProductDTO(try await catalogue.adjustStock(try Self.productID(context), change, reason: reason, note: body.note ?? "", by: member))
    }

    struct NoteDTO: Encodable, Sendable {
        var at: Date
        var author: String
        var text: String
    }

    struct NotesDTO: ResponseEncodable, Sendable {
        var notes: [NoteDTO]
    }

    struct NoteRequest: Decodable, Sendable {
        var text: String
    }

    @Sendable func notes(_ request: Request, context: Context) async throws -> NotesDTO {
        let member = try await member(request)
        return NotesDTO(notes: try await orders.notes(on: try AdminAPIController.orderID(context), for: member).map { NoteDTO(at: $0.at, author: $0.author, text: $0.text) })
    }

    @Sendable func addNote(_ request: Request, context: Context) async throws -> EditedResponse<NotesDTO> {
        let member = try await member(request)
        let body = try await request.decode(as: NoteRequest.self, context: context)
        let id = try AdminAPIController.orderID(context)
        try await orders.addNote(to: id, text: body.text, by: member)
        return EditedResponse(status: .created, response: NotesDTO(notes: try await orders.notes(on: id, for: member).map {
            NoteDTO(at: $0.at, author: $0.author, text: $0.text)
        }))
    }

    struct DashboardDTO: ResponseEncodable, Sendable {
        struct Period: Encodable, Sendable {
            var orders: Int
            var revenue: MoneyDTO
            var averageBasket: MoneyDTO
            var refunds: MoneyDTO
        }

        struct Day: Encodable, Sendable {
            var date: String
            var orders: Int
            var revenue: MoneyDTO
        }

        struct Seller: Encodable, Sendable {
            var productId: String
            var name: String
            var units: Int
            var sales: MoneyDTO
        }

        struct State: Encodable, Sendable {
            var status: String
            var orders: Int
        }

        var today: Period
        var last30Days: Period
        var days: [Day]
        var topProducts: [Seller]
        var ordersByState: [State]
        var outOfStock: Int
        var lowStock: Int
    }

    @Sendable func dashboard(_ request: Request, context: Context) async throws -> DashboardDTO {
        let member = try await member(request)
        let dashboard = try await reports.dashboard(for: member)
        let sales = dashboard.sales
        let period = { (period: SalesReport.Period) in
            DashboardDTO.Period(orders: period.orders, revenue: MoneyDTO(period.revenue), averageBasket: MoneyDTO(period.averageBasket),
                                refunds: MoneyDTO(period.refunds))
        }
        let day = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day().dateSeparator(.dash)
        return DashboardDTO(
            today: period(sales.today), last30Days: period(sales.last30Days),
            days: sales.days.map { .init(date: $0.date.formatted(day), orders: $0.orders, revenue: MoneyDTO($0.revenue)) },
            topProducts: sales.topProducts.map { .init(productId: $0.productID.publicString, name: $0.name, units: $0.units, sales: MoneyDTO($0.sales)) },
            ordersByState: sales.ordersByState.map { .init(status: $0.status.rawValue, orders: $0.count) },
            outOfStock: dashboard.stockOutCount, lowStock: dashboard.lowStockCount
        )
    }

    // MARK: - Helpers

    func member(_ request: Request) async throws -> StaffMember {
        try await AdminAPIController.member(request, staff: staff)
    }

    static func productID(_ context: Context) throws -> ProductID {
        guard let id = ProductID(publicString: try context.parameters.require("id")) else { throw CatalogueAdminError.productNotFound }
        return id
    }

    static func integer(_ text: String?, name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw HTTPError(.badRequest, message: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }
}
