import Accounts
import BackOffice
import Foundation
import GoMartModels
import Hummingbird
import Web

/// The back office's door: staff sign-in (with the second factor for owners and managers),
/// sign-out and the back-office home. Staff have their own cookie, scoped to `/admin`; a
/// shopper's session opens nothing here.
public struct StaffController: Sendable {
    public typealias Context = ShopRequestContext
    let staff: StaffService
    let renderer: PageRenderer
    let shop: ShopSettings
    let cookies: CookieSettings
    let pages: AdminPages

    /// Creates the controller.
    public init(staff: StaffService, renderer: PageRenderer, shop: ShopSettings, cookies: CookieSettings) {
        self.staff = staff
        self.renderer = renderer
        self.shop = shop
        self.cookies = cookies
        self.pages = AdminPages(staff: staff, renderer: renderer, shop: shop)
    }

    /// Adds the routes under `/admin`.
    public func addRoutes(to router: Router<Context>) {
        router.get("/admin", use: home)
        router.get("/admin/sign-in", use: signInForm)
        router.post("/admin/sign-in", use: signIn)
        router.post("/admin/sign-out", use: signOut)
        router.get("/admin/audit", use: audit)
    }

    typealias AdminChrome = AdminPages.Chrome
    typealias MemberView = AdminPages.MemberView

    struct SignInPage: Sendable {
        var chrome: AdminChrome
        var email: String
        var next: String
        var error: String?
        var askCode: Bool
    }

    struct HomePage: Sendable {
        var chrome: AdminChrome
        var member: MemberView
        var permissions: [String]
    }

    struct AuditPage: Sendable {
        struct Entry: Sendable {
            var at: String
            var actor: String
            var action: String
            var subject: String
            var changes: [String]
        }

        struct ActionOption: Sendable {
            var value: String
            var selected: Bool
        }

        struct MemberOption: Sendable {
            var value: String
            var label: String
            var selected: Bool
        }

        var chrome: AdminChrome
        var actions: [ActionOption]
        var members: [MemberOption]
        var subject: String
        var entries: [Entry]
        var hasEntries: Bool
    }

    @Sendable func audit(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let query = FormURLEncoded.parse(request.uri.query)
            let chosen = query["action"]?.first.flatMap(AuditAction.init(rawValue:))
            let who = query["by"]?.first.flatMap(UUID.init(uuidString:))
            let subject = String((query["subject"]?.first ?? "").prefix(100))
            let entries = try await staff.auditLog(for: member, action: chosen, by: who, subject: subject)
            let team = member.may(.manageStaff) ? try await staff.members(for: member) : []
            let page = AuditPage(
                chrome: pages.chrome("Audit log", member, context, request: request),
                actions: AuditAction.allCases.map { .init(value: $0.rawValue, selected: $0 == chosen) },
                members: team.map { .init(value: $0.id.publicString, label: $0.name, selected: $0.id == who) },
                subject: subject,
                entries: entries.map { entry in
                    AuditPage.Entry(
                        at: entry.at.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
                            .timeSeparator(.colon)),
                        actor: entry.actor, action: entry.action.rawValue, subject: entry.subject,
                        changes: Set(entry.before.keys).union(entry.after.keys).sorted().map { key in
                            "\(key): \(entry.before[key] ?? "–") → \(entry.after[key] ?? "–")"
                        }
                    )
                },
                hasEntries: !entries.isEmpty
            )
            return try pages.html(page, template: "admin-audit", request: request, context: context)
        }
    }

    @Sendable func home(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let page = HomePage(
                chrome: pages.chrome("Back office", member, context, request: request), member: AdminPages.view(member),
                permissions: StaffPermission.allCases.filter(member.may).map(Self.describe)
            )
            return try pages.html(page, template: "admin-home", request: request, context: context)
        }
    }

    @Sendable func signInForm(_ request: Request, context: Context) async throws -> Response {
        if try await pages.member(request) != nil { return .redirect(to: "/admin", type: .normal) }
        let next = Self.adminPath(FormURLEncoded.parse(request.uri.query)["next"]?.first)
        return try signInPage(context: context, email: "", next: next, error: nil, askCode: false, status: .ok).response(from: request, context: context)
    }

    @Sendable func signIn(_ request: Request, context: Context) async throws -> Response {
        let email = context.formValue("email")
        let next = Self.adminPath(context.formValue("next"))
        let code = context.formValue("code").trimmingCharacters(in: .whitespaces)
        do {
            let session = try await staff.signIn(email: email, password: context.formValue("password"), oneTimeCode: code.isEmpty ? nil : code)
            if let old = request.cookies[cookies.staffCookie]?.value, !old.isEmpty { try await staff.signOut(sessionToken: old) }
            var response = Response.redirect(to: next, type: .normal)
            response.setCookie(cookies.staffSession(session.token, maxAgeSeconds: max(0, Int(session.expiresAt.timeIntervalSinceNow))))
            return response
        } catch let locked as SignInThrottle.Locked {
            var response = try signInPage(context: context, email: email, next: next, error: locked.description, askCode: false, status: .tooManyRequests)
                .response(from: request, context: context)
            response.headers[.retryAfter] = String(locked.retryAfter)
            return response
        } catch let error as StaffError {
            let askCode = error == .oneTimeCodeRequired || error == .wrongOneTimeCode
            return try signInPage(context: context, email: email, next: next, error: error.description, askCode: askCode, status: .unauthorized)
                .response(from: request, context: context)
        }
    }

    @Sendable func signOut(_ request: Request, context: Context) async throws -> Response {
        if let token = request.cookies[cookies.staffCookie]?.value, !token.isEmpty { try await staff.signOut(sessionToken: token) }
        var response = Response.redirect(to: "/admin/sign-in", type: .normal)
        response.setCookie(cookies.staffSession(nil, maxAgeSeconds: 0))
        return response
    }

    private func signInPage(context: Context, email: String, next: String, error: String?, askCode: Bool,
                            status: HTTPResponse.Status) throws -> HTMLResponse {
        let page = SignInPage(chrome: AdminChrome(title: "Staff sign-in", shopName: shop.name, csrfToken: context.csrfToken, member: nil, links: []),
                              email: email, next: next, error: error, askCode: askCode)
        return HTMLResponse(html: try renderer.render(page, template: "admin-sign-in"), status: status, privatePage: true)
    }

    /// `next` when it is a back-office address, else the back-office home.
    static func adminPath(_ next: String?) -> String {
        let safe = LocalPath.safe(next)
        return safe == "/admin" || safe.hasPrefix("/admin/") ? safe : "/admin"
    }

    static func describe(_ permission: StaffPermission) -> String {
        switch permission {
        case .manageStaff: "Manage staff and their roles"
        case .readAuditLog: "Read the audit log"
        case .editCatalogue: "Edit products, aisles and prices"
        case .adjustStock: "Adjust stock"
        case .viewOrders: "See orders"
        case .pickOrders: "Pick and pack orders"
        case .deliverOrders: "Deliver orders"
        case .cancelOrders: "Cancel orders"
        case .refundOrders: "Refund orders"
        case .viewCustomers: "Find customers and see their details"
        case .handleCustomerData: "Export or erase a customer's data on request"
        case .addNotes: "Add notes to orders and customers"
        case .viewReports: "See the dashboard and reports"
        case .manageWebhooks: "Register webhook endpoints for integrators"
        case .manageSlots: "Set up delivery areas, collection points and slots"
        case .managePromotions: "Run offers and voucher codes"
        }
    }
}
