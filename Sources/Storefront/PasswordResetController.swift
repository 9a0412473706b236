import Accounts
import Catalog
import Cart
import Foundation
import GoMartModels
import Hummingbird
import Web

/// "Forgotten your password?": asking for a link by e-mail, and setting a new password with it.
///
/// The answer to a request is the same page whether or not an account uses the e-mail, and
/// whether or not the account's hourly allowance of links is spent (``PasswordReset``).
public struct PasswordResetController: Sendable {
    public typealias Context = ShopRequestContext
    let accounts: AccountsService
    let renderer: PageRenderer
    let shop: ShopSettings
    let chrome: PageChromeBuilder

    public init(accounts: AccountsService, catalog: CatalogService, cart: CartService, renderer: PageRenderer, shop: ShopSettings) {
        self.accounts = accounts
        self.renderer = renderer
        self.shop = shop
        self.chrome = PageChromeBuilder(catalog: catalog, cart: cart, shop: shop)
    }

    public func addRoutes(to router: Router<Context>) {
        router.get("/account/password/forgot", use: forgotForm)
        router.post("/account/password/forgot", use: requestLink)
        router.get("/account/password/reset", use: resetForm)
        router.post("/account/password/reset", use: reset)
    }

    struct PageModel: Sendable {
        var shop: ShopView
        var meta: PageMeta
        var header: HeaderModel
        var forgot = false
        var sent = false
        var reset = false
        var invalid = false
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
        return HTMLResponse(html: try renderer.render(model, template: "password"), status: status, privatePage: true)
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
}
