import Accounts
import Cart
import Catalog
import Foundation
import Hummingbird
import Web

/// Sign-up, sign-in, sign-out and the account page.
public struct AccountController: Sendable {
    public typealias Context = ShopRequestContext
    let accounts: AccountsService
    let cart: CartService
    let renderer: PageRenderer
    let shop: ShopSettings
    let cookies: CookieSettings
    let chrome: PageChromeBuilder
    /// The pages of links sent by e-mail (password reset, e-mail confirmation).
    let links: AccountLinksController

    /// Creates the controller.
    public init(accounts: AccountsService, catalog: CatalogService, cart: CartService, renderer: PageRenderer, shop: ShopSettings, cookies: CookieSettings) {
        self.accounts = accounts
        self.cart = cart
        self.renderer = renderer
        self.shop = shop
        self.cookies = cookies
        self.chrome = PageChromeBuilder(catalog: catalog, cart: cart, shop: shop)
        self.links = AccountLinksController(accounts: accounts, catalog: catalog, cart: cart, renderer: renderer, shop: shop, cookies: cookies)
    }

    /// Adds the account routes to `router`.
    public func addRoutes(to router: Router<Context>) {
        router.get("/account", use: account)
        router.get("/account/sign-up", use: signUpForm)
        router.post("/account/sign-up", use: signUp)
        router.get("/account/sign-in", use: signInForm)
        router.post("/account/sign-in", use: signIn)
        router.post("/account/sign-out", use: signOut)
        router.post("/account/password", use: changePassword)
        router.post("/account/sign-out-everywhere", use: signOutEverywhere)
        router.post("/account/updates", use: chooseUpdates)
        router.get("/account/unsubscribe", use: unsubscribeForm)
        router.post("/account/unsubscribe", use: unsubscribe)
        links.addRoutes(to: router)
    }

    @Sendable func account(_ request: Request, context: Context) async throws -> Response {
        guard context.session != nil else {
            return .redirect(to: "/account/sign-in?next=%2Faccount", type: .normal)
        }
        let query = Self.query(request)
        let notice = query["password"]?.first == "changed" ? "Your password is changed. You stay signed in here; every other session has ended."
            : query["confirmed"]?.first == "1" ? "Your e-mail is confirmed. Welcome!"
            : query["updates"]?.first == "saved" ? "Saved: that is how we will keep you posted about your orders." : nil
        return try await accountPage(context, notice: notice)
            .response(from: request, context: context)
    }

    private func accountPage(_ context: Context, notice: String?, errors: [String: String] = [:],
                             status: HTTPResponse.Status = .ok) async throws -> HTMLResponse {
        let customer = try context.requireSession().customer
        let model = AccountPageModel(
            shop: ShopView(name: shop.name),
            meta: PageMeta(title: "Your account | \(shop.name)", description: "Your \(shop.name) account.",
                           canonicalURL: "\(shop.publicBaseURL)/account", noIndex: true),
            header: try await header(context),
            customer: .init(name: customer.name, email: customer.email, phone: customer.phone,
                            since: customer.createdAt.formatted(.dateTime.day().month(.wide).year())),
            notice: notice, currentPasswordError: errors["current_password"], newPasswordError: errors["new_password"],
            updateChoices: UpdateChannels.allCases.filter { shop.sendsTextMessages || !$0.bySMS }.map {
                .init(value: $0.rawValue, label: $0.label, checked: $0 == customer.updatesBy)
            },
            updatesError: errors["updates_by"]
        )
        return HTMLResponse(html: try renderer.render(model, template: "account"), status: status, privatePage: true)
    }

    /// Sets how the customer hears about their order's progress.
    @Sendable func chooseUpdates(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        guard let channels = UpdateChannels(rawValue: context.formValue("updates_by")) else {
            return try await accountPage(context, notice: nil, errors: ["updates_by": "Choose one of the ways below."], status: .unprocessableContent)
                .response(from: request, context: context)
        }
        do {
            try await accounts.setUpdateChannels(channels, for: session.customer, smsAvailable: shop.sendsTextMessages)
            return .redirect(to: "/account?updates=saved", type: .normal)
        } catch AccountsError.invalidFields(let errors) {
            return try await accountPage(context, notice: nil, errors: errors, status: .unprocessableContent).response(from: request, context: context)
        }
    }

    /// The page behind an update e-mail's "stop these e-mails" link: a button, so that a mail
    /// scanner fetching the link changes nothing.
    @Sendable func unsubscribeForm(_ request: Request, context: Context) async throws -> Response {
        let query = Self.query(request)
        return try await links.unsubscribePage(context, customer: query["customer"]?.first ?? "", token: query["token"]?.first ?? "")
            .response(from: request, context: context)
    }

    /// Stops update e-mails: the link's token is its authority (RFC 8058's one-click POST comes
    /// from the mail client, without cookies or a CSRF token).
    @Sendable func unsubscribe(_ request: Request, context: Context) async throws -> Response {
        let query = Self.query(request)
        let customer = query["customer"]?.first ?? context.formValue("customer")
        let token = query["token"]?.first ?? context.formValue("token")
        guard let id = UUID(publicString: customer), try await accounts.unsubscribeFromUpdateEmails(customerID: id, token: token) else {
            return try await links.unsubscribeResult(context, done: false).response(from: request, context: context)
        }
        return try await links.unsubscribeResult(context, done: true).response(from: request, context: context)
    }

    /// Changes the password; every other session ends.
    @Sendable func changePassword(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        do {
            try await accounts.changePassword(session: session, current: context.formValue("current_password"), new: context.formValue("new_password"))
            return .redirect(to: "/account?password=changed", type: .normal)
        } catch AccountsError.invalidFields(let errors) {
            return try await accountPage(context, notice: nil, errors: errors, status: .unprocessableContent).response(from: request, context: context)
        }
    }

    /// Ends every session of the customer, this browser's too.
    @Sendable func signOutEverywhere(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        try await accounts.signOutEverywhere(customerID: session.customer.internalID)
        var response = Response.redirect(to: "/", type: .normal)
        cookies.clearSession(on: &response)
        return response
    }

    @Sendable func signUpForm(_ request: Request, context: Context) async throws -> Response {
        if context.session != nil { return .redirect(to: "/account", type: .normal) }
        return try await formPage("sign-up", context: context, next: LocalPath.safe(Self.query(request)["next"]?.first))
            .response(from: request, context: context)
    }

    @Sendable func signUp(_ request: Request, context: Context) async throws -> Response {
        let next = LocalPath.safe(context.formValue("next"))
        let form = SignUpForm(name: context.formValue("name"), email: context.formValue("email"),
                              password: context.formValue("password"), phone: context.formValue("phone"))
        let values = AccountFormValues(name: form.name, email: form.email, phone: form.phone ?? "")
        do {
            if accounts.requiresEmailConfirmation {
                // The same answer whether or not the e-mail already has an account.
                try await accounts.signUpAwaitingConfirmation(form)
                return try await links.checkEmailPage(context, email: EmailAddress.normalise(form.email)).response(from: request, context: context)
            }
            let issued = try await accounts.signUp(form)
            return try await signedIn(issued, context: context, next: next)
        } catch AccountsError.invalidFields(let fields) {
            return try await formPage("sign-up", context: context, next: next, values: values, errors: fields, status: .unprocessableContent)
                .response(from: request, context: context)
        } catch AccountsError.emailTaken {
            let message = "An account with this e-mail address already exists. Sign in instead."
            return try await formPage("sign-up", context: context, next: next, values: values, errors: ["email": message], status: .conflict)
                .response(from: request, context: context)
        }
    }

    @Sendable func signInForm(_ request: Request, context: Context) async throws -> Response {
        if context.session != nil { return .redirect(to: "/account", type: .normal) }
        let notice = Self.query(request)["reset"]?.first == "done" ? "Your new password is set and every earlier session has ended. Sign in with it." : nil
        return try await formPage("sign-in", context: context, next: LocalPath.safe(Self.query(request)["next"]?.first), notice: notice)
            .response(from: request, context: context)
    }

    @Sendable func signIn(_ request: Request, context: Context) async throws -> Response {
        let next = LocalPath.safe(context.formValue("next"))
        let email = context.formValue("email")
        do {
            let issued = try await accounts.signIn(email: email, password: context.formValue("password"))
            // A new token on every sign-in; the session the browser had before ends.
            if let old = request.cookies[cookies.sessionCookie]?.value, !old.isEmpty {
                try await accounts.signOut(token: old)
            }
            return try await signedIn(issued, context: context, next: next)
        } catch AccountsError.wrongCredentials {
            return try await formPage(
                "sign-in", context: context, next: next, values: AccountFormValues(email: email),
                errors: ["password": AccountsError.wrongCredentials.description
                    + (accounts.requiresEmailConfirmation ? " Just opened your account? Follow the link in the e-mail we sent you first." : "")],
                status: .unauthorized
            ).response(from: request, context: context)
        } catch let locked as SignInThrottle.Locked {
            var response = try await formPage(
                "sign-in", context: context, next: next, values: AccountFormValues(email: email),
                errors: ["password": locked.description], status: .tooManyRequests
            ).response(from: request, context: context)
            response.headers[.retryAfter] = String(locked.retryAfter)
            return response
        }
    }

    @Sendable func signOut(_ request: Request, context: Context) async throws -> Response {
        if let token = request.cookies[cookies.sessionCookie]?.value, !token.isEmpty {
            try await accounts.signOut(token: token)
        }
        var response = Response.redirect(to: "/", type: .normal)
        cookies.clearSession(on: &response)
        return response
    }

    /// Moves the visitor's cart into the customer's, sets the session cookie and goes on.
    private func signedIn(_ issued: IssuedSession, context: Context, next: String) async throws -> Response {
        try await cart.mergeVisitorCart(context.visitorCartOwner, into: .customer(id: issued.customer.internalID))
        var response = Response.redirect(to: next.isEmpty ? "/account" : next, type: .normal)
        cookies.setSession(issued.token, expiresAt: issued.expiresAt, on: &response)
        return response
    }

    private func header(_ context: Context) async throws -> HeaderModel {
        try await chrome.header(context)
    }

    private func formPage(
        _ template: String, context: Context, next: String, values: AccountFormValues = .init(),
        errors: [String: String] = [:], status: HTTPResponse.Status = .ok, notice: String? = nil
    ) async throws -> HTMLResponse {
        let title = template == "sign-up" ? "Create your account" : "Sign in"
        let order = ["name", "email", "password", "phone"]
        let model = AccountFormPageModel(
            shop: ShopView(name: shop.name),
            meta: PageMeta(title: "\(title) | \(shop.name)", description: "\(title) at \(shop.name).",
                           canonicalURL: "\(shop.publicBaseURL)/account/\(template)", noIndex: true),
            header: try await header(context),
            values: values,
            fieldErrors: AccountFieldErrors(errors),
            errors: order.compactMap { field in errors[field].map { FormErrorItem(field: field, message: $0) } },
            hasErrors: !errors.isEmpty,
            next: next,
            nextQuery: next.isEmpty ? nil : QueryString.escape(next),
            notice: notice
        )
        return HTMLResponse(html: try renderer.render(model, template: template), status: status, privatePage: true)
    }

    static func query(_ request: Request) -> [String: [String]] {
        FormURLEncoded.parse(request.uri.query)
    }
}

import GoMartModels
