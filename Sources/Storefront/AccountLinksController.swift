import Accounts
import Catalog
import Cart
import Foundation
import GoMartModels
import Hummingbird
import Web

/// The links accounts send by e-mail, and the pages around them:
///
/// - "Forgotten your password?": asking for a link, and setting a new password with it. The
///   answer to a request is the same page whether or not an account uses the e-mail, and whether
///   or not the account's hourly allowance of links is spent (``PasswordReset``).
/// - Confirming a new account's e-mail: the link opens a page whose button (a POST: following a
///   link never changes anything, so mail scanners that fetch links spend nothing) confirms the
///   e-mail and signs the account in.
/// - "Check your e-mail" after sign-up, when the shop requires confirmation.
public struct AccountLinksController: Sendable {
    public typealias Context = ShopRequestContext
    let accounts: AccountsService
    let cart: CartService
    let renderer: PageRenderer
    let shop: ShopSettings
    let cookies: CookieSettings
    let chrome: PageChromeBuilder

    public init(accounts: AccountsService, catalog: CatalogService, cart: CartService, renderer: PageRenderer, shop: ShopSettings, cookies: CookieSettings) {
        self.accounts = accounts
        self.cart = cart
        self.renderer = renderer
        self.shop = shop
        self.cookies = cookies
        self.chrome = PageChromeBuilder(catalog: catalog, cart: cart, shop: shop)
    }

    public func addRoutes(to router: Router<Context>) {
        router.get("/account/password/forgot", use: forgotForm)
        router.post("/account/password/forgot", use: requestLink)
        router.get("/account/password/reset", use: resetForm)
        router.post("/account/password/reset", use: reset)
        router.get("/account/confirm", use: confirmForm)
        router.post("/account/confirm", use: confirm)
    }

    struct PageModel: Sendable {
        var shop: ShopView
        var meta: PageMeta
        var header: HeaderModel
        var forgot = false
        var sent = false
        var reset = false
        var invalid = false
        var checkEmail = false
        var confirm = false
        var confirmInvalid = false
        var unsubscribe = false
        var unsubscribed = false
        var unsubscribeInvalid = false
        var customer = ""
        var email = ""
        var token = ""
        var errors: [FormErrorItem] = []
        var hasErrors: Bool { !errors.isEmpty }
    }

    private func page(_ context: Context, title: String, status: HTTPResponse.Status = .ok, _ fill: (inout PageModel) -> Void) async throws -> HTMLResponse {
        var model = PageModel(
            shop: ShopView(name: shop.name),
            meta: PageMeta(title: "\(title) | \(shop.name)", description: "\(title) at \(shop.name).",
                           canonicalURL: "\(shop.publicBaseURL)/account/password/forgot", noIndex: true),
            header: try await chrome.header(context)
        )
        fill(&model)
        return HTMLResponse(html: try renderer.render(model, template: "account-links"), status: status, privatePage: true)
    }

    @Sendable func forgotForm(_ request: Request, context: Context) async throws -> Response {
        try await page(context, title: "Forgotten your password?") { $0.forgot = true }.response(from: request, context: context)
    }

    @Sendable func requestLink(_ request: Request, context: Context) async throws -> Response {
        let email = context.formValue("email").trimmingCharacters(in: .whitespaces)
        guard !EmailAddress.hasHiddenCharacters(email), SignUpForm.looksLikeEmail(EmailAddress.normalise(email)) else {
            return try await page(context, title: "Forgotten your password?", status: .unprocessableContent) {
                $0.forgot = true
                $0.email = email
                $0.errors = [FormErrorItem(field: "email", message: "Enter the e-mail address of your account, like name@example.com.")]
            }.response(from: request, context: context)
        }
        _ = try await accounts.passwordReset.request(email: email)
        return try await page(context, title: "Check your e-mail") {
            $0.sent = true
            $0.email = email
        }.response(from: request, context: context)
    }

    @Sendable func resetForm(_ request: Request, context: Context) async throws -> Response {
        let token = FormURLEncoded.parse(request.uri.query)["token"]?.first ?? ""
        return try await page(context, title: "Choose a new password") {
            $0.reset = true
            $0.token = token
        }.response(from: request, context: context)
    }

    @Sendable func reset(_ request: Request, context: Context) async throws -> Response {
        let token = context.formValue("token")
        do {
            try await accounts.passwordReset.complete(token: token, newPassword: context.formValue("new_password"))
            return .redirect(to: "/account/sign-in?reset=done", type: .normal)
        } catch AccountsError.invalidFields(let fields) {
            return try await page(context, title: "Choose a new password", status: .unprocessableContent) {
                $0.reset = true
                $0.token = token
                $0.errors = fields.sorted { $0.key < $1.key }.map { FormErrorItem(field: $0.key, message: $0.value) }
            }.response(from: request, context: context)
        } catch is PasswordReset.LinkNotValid {
            return try await page(context, title: "This link no longer works", status: .gone) { $0.invalid = true }
                .response(from: request, context: context)
        }
    }

    /// "Stop these e-mails?", with the button that does it.
    func unsubscribePage(_ context: Context, customer: String, token: String) async throws -> HTMLResponse {
        try await page(context, title: "Stop update e-mails") {
            $0.unsubscribe = true
            $0.customer = customer
            $0.token = token
        }
    }

    /// What stopping update e-mails did.
    func unsubscribeResult(_ context: Context, done: Bool) async throws -> HTMLResponse {
        try await page(context, title: done ? "No more update e-mails" : "This link does not work", status: done ? .ok : .notFound) {
            if done { $0.unsubscribed = true } else { $0.unsubscribeInvalid = true }
        }
    }

    /// The answer to every sign-up when the shop requires confirmation, new e-mail or not.
    func checkEmailPage(_ context: Context, email: String) async throws -> HTMLResponse {
        try await page(context, title: "Check your e-mail") {
            $0.checkEmail = true
            $0.email = email
        }
    }

    @Sendable func confirmForm(_ request: Request, context: Context) async throws -> Response {
        let token = FormURLEncoded.parse(request.uri.query)["token"]?.first ?? ""
        return try await page(context, title: "Confirm your e-mail") {
            $0.confirm = true
            $0.token = token
        }.response(from: request, context: context)
    }

    @Sendable func confirm(_ request: Request, context: Context) async throws -> Response {
        do {
            let issued = try await accounts.confirmEmail(token: context.formValue("token"))
            try await cart.mergeVisitorCart(context.visitorCartOwner, into: .customer(id: issued.customer.internalID))
            var response = Response.redirect(to: "/account?confirmed=1", type: .normal)
            cookies.setSession(issued.token, expiresAt: issued.expiresAt, on: &response)
            return response
        } catch is AccountsService.ConfirmationLinkNotValid {
            return try await page(context, title: "This link no longer works", status: .gone) { $0.confirmInvalid = true }
                .response(from: request, context: context)
        }
    }
}
