import BackOffice
import Catalog
import Checkout
import Foundation
import GoMartModels
import Hummingbird
import Web

/// What every back-office page shares: the signed-in member of staff (or the sign-in page for
/// anyone else), the chrome with the links the member's role opens, and one page for refusals
/// and conflicts.
struct AdminPages: Sendable {
    typealias Context = ShopRequestContext
    let staff: StaffService
    let renderer: PageRenderer
    let shop: ShopSettings

    struct MemberView: Sendable {
        var name: String
        var email: String
        var role: String
    }

    struct NavLink: Sendable {
        var href: String
        var label: String
        var current: Bool
    }

    /// What every back-office page's head needs.
    struct Chrome: Sendable {
        var title: String
        var shopName: String
        var csrfToken: String
        var member: MemberView?
        var links: [NavLink]
    }

    struct MessagePage: Sendable {
        var chrome: Chrome
        var heading: String
        var message: String
    }

    /// The signed-in member of staff, or nil.
    func member(_ request: Request) async throws -> StaffMember? {
        guard let token = request.cookies[shop.cookies.staffCookie]?.value, !token.isEmpty else { return nil }
        return try await staff.member(sessionToken: token)
    }

    /// Runs `body` for the signed-in member. Anyone else is sent to the staff sign-in, coming back
    /// here after; a refusal of the member's role is a 403 page, a stale or impossible step on an
    /// order a 409 or 422 page.
    func page(_ request: Request, _ context: Context, _ body: (StaffMember) async throws -> Response) async throws -> Response {
        guard let member = try await member(request) else {
            var next = request.uri.path
            if let query = request.uri.query, !query.isEmpty, request.method == .get { next += "?" + query }
            let encoded = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-_."))) ?? "%2Fadmin"
            return .redirect(to: "/admin/sign-in?next=\(encoded)", type: .normal)
        }
        do {
            return try await body(member)
        } catch let error as StaffError {
            switch error {
            case .forbidden:
                return try message(request, context, member, status: .forbidden, heading: "Not for your role", message: error.description)
            case .memberNotFound:
                return try message(request, context, member, status: .notFound, heading: "Not found", message: error.description)
            default:
                throw error
            }
        } catch let error as CatalogueAdminError {
            let status: HTTPResponse.Status = switch error {
            case .productNotFound, .aisleNotFound: .notFound
            case .stockWouldGoNegative, .changedMeanwhile: .conflict
            case .invalidFields: .unprocessableContent
            }
            return try message(request, context, member, status: status, heading: status == .notFound ? "Not found" : "That cannot be done",
                               message: error.description)
        } catch let error as CustomerDeskError where error == .customerNotFound {
            return try message(request, context, member, status: .notFound, heading: "Not found", message: error.description)
        } catch let error as FulfilmentError {
            let status: HTTPResponse.Status = switch error {
            case .orderNotFound: .notFound
            case .conflict: .conflict
            case .invalidPicks, .invalidRefund, .invalidNote: .unprocessableContent
            }
            return try message(request, context, member, status: status, heading: status == .conflict ? "The order has moved on" : "That cannot be done",
                               message: error.description)
        }
    }

    func message(_ request: Request, _ context: Context, _ member: StaffMember?, status: HTTPResponse.Status, heading: String,
                 message: String) throws -> Response {
        let page = MessagePage(chrome: chrome(heading, member, context, request: request), heading: heading, message: message)
        return try html(page, template: "admin-message", status: status, request: request, context: context)
    }

    /// A back-office page: never cached, anywhere.
    func html(_ model: some Sendable, template: String, status: HTTPResponse.Status = .ok, request: Request, context: Context) throws -> Response {
        try HTMLResponse(html: renderer.render(model, template: template), status: status, privatePage: true).response(from: request, context: context)
    }

    func chrome(_ title: String, _ member: StaffMember?, _ context: Context, request: Request) -> Chrome {
        Chrome(title: title, shopName: shop.name, csrfToken: context.csrfToken, member: member.map(Self.view),
               links: member.map { Self.links(for: $0, path: request.uri.path) } ?? [])
    }

    /// The sections the member's role opens.
    static func links(for member: StaffMember, path: String) -> [NavLink] {
        var links: [NavLink] = []
        if member.may(.viewReports) { links.append(NavLink(href: "/admin/dashboard", label: "Dashboard", current: false)) }
        if member.may(.viewOrders) { links.append(NavLink(href: "/admin/orders", label: "Orders", current: false)) }
        if member.may(.pickOrders) { links.append(NavLink(href: "/admin/picking", label: "Picking", current: false)) }
        if member.may(.editCatalogue) || member.may(.adjustStock) { links.append(NavLink(href: "/admin/products", label: "Products", current: false)) }
        if member.may(.deliverOrders) { links.append(NavLink(href: "/admin/deliveries", label: "Deliveries", current: false)) }
        if member.may(.viewCustomers) {
            links.append(NavLink(href: "/admin/customers", label: "Customers", current: false))
            links.append(NavLink(href: "/admin/messages", label: "Messages", current: false))
        }
        if member.may(.manageStaff) { links.append(NavLink(href: "/admin/staff", label: "Staff", current: false)) }
        if member.may(.manageSlots) { links.append(NavLink(href: "/admin/slots", label: "Slots", current: false)) }
        if member.may(.managePromotions) {
            links.append(NavLink(href: "/admin/offers", label: "Offers", current: false))
            links.append(NavLink(href: "/admin/vouchers", label: "Vouchers", current: false))
        }
        if member.may(.manageWebhooks) { links.append(NavLink(href: "/admin/webhooks", label: "Webhooks", current: false)) }
        if member.may(.readAuditLog) { links.append(NavLink(href: "/admin/audit", label: "Audit log", current: false)) }
        return links.map { link in
            var link = link
            link.current = path == link.href || path.hasPrefix(link.href + "/")
            return link
        }
    }

    static func view(_ member: StaffMember) -> MemberView {
        MemberView(name: member.name, email: member.email, role: member.role.rawValue)
    }

    /// A date and time as the back office shows it, in UTC: `2026-11-30 14:05`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day().dateSeparator(.dash)
            .dateTimeSeparator(.space).time(includingFractionalSeconds: false).timeSeparator(.colon)).dropLast(3).description
    }
}
