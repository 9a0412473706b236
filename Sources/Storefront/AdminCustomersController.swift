import Accounts
import BackOffice
import Checkout
import Foundation
import GoMartModels
import Hummingbird
import Web

/// The back office's customers: find one by e-mail, see their orders, and export or erase their
/// personal data on their request.
public struct AdminCustomersController: Sendable {
    public typealias Context = ShopRequestContext
    let desk: CustomerDesk
    let pages: AdminPages

    /// Creates the controller.
    public init(desk: CustomerDesk, staff: StaffService, renderer: PageRenderer, shop: ShopSettings) {
        self.desk = desk
        self.pages = AdminPages(staff: staff, renderer: renderer, shop: shop)
    }

    /// Adds the routes under `/admin/customers`.
    public func addRoutes(to router: Router<Context>) {
        router.get("/admin/customers", use: search)
        router.get("/admin/customers/:id", use: show)
        router.get("/admin/customers/:id/export.json", use: export)
        router.post("/admin/customers/:id/erase", use: erase)
    }

    struct SearchPage: Sendable {
        var chrome: AdminPages.Chrome
        var email: String
        var notFound: Bool
    }

    @Sendable func search(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let email = String((FormURLEncoded.parse(request.uri.query)["email"]?.first ?? "").prefix(254))
            var notFound = false
            if !email.isEmpty {
                if let customer = try await desk.find(email: email, for: member) {
                    return .redirect(to: "/admin/customers/\(customer.id.publicString)", type: .normal)
                }
                notFound = true
            } else {
                _ = try await desk.find(email: "", for: member) // checks the role
            }
            let page = SearchPage(chrome: pages.chrome("Customers", member, context, request: request), email: email, notFound: notFound)
            return try pages.html(page, template: "admin-customers", status: notFound ? .notFound : .ok, request: request, context: context)
        }
    }

    struct CustomerPage: Sendable {
        var chrome: AdminPages.Chrome
        var id: String
        var name: String
        var email: String
        var phone: String?
        var joined: String
        var erased: Bool
        var orders: [AdminOrdersController.ListPage.Row]
        var hasOrders: Bool
        var canHandleData: Bool
        var error: String?
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            try pages.html(try await customerPage(request, context, member, error: nil), template: "admin-customer", request: request, context: context)
        }
    }

    func customerPage(_ request: Request, _ context: Context, _ member: StaffMember, error: String?) async throws -> CustomerPage {
        let (customer, orders) = try await desk.customer(try Self.customerID(context), for: member)
        return CustomerPage(
            chrome: pages.chrome(customer.name, member, context, request: request), id: customer.id.publicString, name: customer.name,
            email: customer.email, phone: customer.phone, joined: AdminPages.timestamp(customer.createdAt), erased: customer.isErased,
            orders: orders.map(AdminOrdersController.row), hasOrders: !orders.isEmpty,
            canHandleData: member.may(.handleCustomerData) && !customer.isErased, error: error
        )
    }

    @Sendable func export(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let export = try await desk.export(try Self.customerID(context), for: member)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"customer-\(export.account.id).json\""
            headers[.cacheControl] = "private, no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(export))))
        }
    }

    @Sendable func erase(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let id = try Self.customerID(context)
            do {
                try await desk.erase(id, confirmed: context.formValue("confirm") == "on", by: member)
                return .redirect(to: "/admin/customers/\(id.publicString)", type: .normal)
            } catch let error as CustomerDeskError {
                guard error != .customerNotFound else { throw error }
                return try pages.html(try await customerPage(request, context, member, error: error.description), template: "admin-customer",
                                      status: error == .notConfirmed ? .unprocessableContent : .conflict, request: request, context: context)
            }
        }
    }

    static func customerID(_ context: Context) throws -> UUID {
        guard let id = UUID(publicString: try context.parameters.require("id")) else { throw CustomerDeskError.customerNotFound }
        return id
    }
}
