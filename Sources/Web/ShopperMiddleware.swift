import Accounts
import Foundation
import GoMartModels
import HTTPTypes
import Hummingbird
import Security
import Storage

/// Identifies the shopper on every request and guards forms against cross-site forgery.
///
/// - Every browser gets a random visitor id in an HttpOnly, SameSite=Lax cookie.
/// - Pages find the session in the session cookie; the JSON API only in `Authorization: Bearer`,
///   so API calls never ride on ambient cookies and need no CSRF token.
/// - Every POST to a page must carry the CSRF token of the visitor, and once signed in of the
///   session (form field `_csrf` or header `X-CSRF-Token`), or it is refused with 403 before any
///   handler runs.
/// - A sign-in (shopper or staff) gets a fresh visitor id.
public struct ShopperMiddleware: RouterMiddleware {
    public typealias Context = ShopRequestContext
    /// The largest form body accepted.
    public static let maximumFormBytes = 64 * 1024

    let accounts: AccountsService
    let csrf: CSRFTokens
    let cookies: CookieSettings
    /// The limit in bytes for the forms of a path that may be larger than ``maximumFormBytes``
    /// (a catalogue file, a picture), nil for the rest.
    let largeForms: @Sendable (String) -> Int?
    /// The shop's public origin (`https://shop.example`), besides the request's own host.
    let publicOrigin: String?

    /// Creates the middleware.
    public init(accounts: AccountsService, csrf: CSRFTokens, cookies: CookieSettings, publicOrigin: String? = nil,
                largeForms: @escaping @Sendable (String) -> Int? = { _ in nil }) {
        self.accounts = accounts
        self.csrf = csrf
        self.cookies = cookies
        self.publicOrigin = publicOrigin.map { $0.lowercased() }
        self.largeForms = largeForms
    }

    /// True when a state-changing request may go on as far as its `Origin` goes: browsers send it
    /// with every POST, so one naming another site (or `null`) is a forgery even before the CSRF
    /// token is checked. Clients that send none are left to the token.
    func originIsAcceptable(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin]?.lowercased() else { return true }
        if let publicOrigin, origin == publicOrigin { return true }
        guard let host = request.head.authority?.lowercased(), let components = URLComponents(string: origin),
              let scheme = components.scheme, scheme == "http" || scheme == "https", let originHost = components.host else { return false }
        let originAuthority = components.port.map { "\(originHost):\($0)" } ?? originHost
        return originAuthority == host
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Parsed once: each use of `request.cookies` parses the header again.
        let jar = request.cookies
        guard !request.uri.path.hasPrefix("/api/") else { return try await identify(request, jar: jar, context: context, next: next) }
        // A page's browser says which change it made last; one made while answering is sent back.
        let seen = jar[cookies.changesCookie].flatMap { Int64($0.value) }
        let visit = ChangeFeed.Visit(seen: seen)
        var response = try await ChangeFeed.$current.withValue(visit) { try await identify(request, jar: jar, context: context, next: next) }
        if let written = visit.written {
            response.setCookie(cookies.cookie(cookies.changesCookie, value: String(written), maxAgeSeconds: Self.changesCookieSeconds))
        }
        return response
    }

    /// How long a browser keeps the id of its last change: far longer than any instance takes to
    /// apply it.
    static let changesCookieSeconds = 60

    func identify(_ request: Request, jar: Cookies, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        var context = context
        let isAPI = request.uri.path.hasPrefix("/api/")

        // Only visitor ids this shop issued (signed) are kept; any other value gets a new one.
        var anonymousToken: String?
        if let visitor = jar[cookies.visitorCookie]?.value, let token = csrf.anonymousToken(forGenuineVisitor: visitor) {
            context.visitorID = visitor
            anonymousToken = token
        } else {
            context.visitorID = csrf.newVisitorID()
            context.isNewVisitor = true
        }

        var staleSessionCookie = false
        var csrfBinding = context.visitorID
        if isAPI {
            // Staff tokens (under /api/v1/admin) are the back office's to check, never a shopper's.
            if !request.uri.path.hasPrefix("/api/v1/admin/"), let token = Self.bearerToken(request) {
                context.session = try await accounts.session(token: token)
            }
        } else if let token = jar[cookies.sessionCookie]?.value, !token.isEmpty {
            context.session = try await accounts.session(token: token)
            staleSessionCookie = context.session == nil
            // Signed in, forms are bound to the session too: a token from before the sign-in, from
            // after the sign-out, or from another session of the same browser is refused.
            if context.session != nil {
                csrfBinding += "|session:" + token
                anonymousToken = nil
            }
        }
        context.csrfToken = anonymousToken ?? csrf.token(for: csrfBinding)

        // The one-click unsubscribe (RFC 8058) is posted by mail clients, without cookies: the
        // link's own keyed token is its authority, and it can only stop update e-mails.
        let tokenAuthorised = request.uri.path == "/account/unsubscribe"
        if !isAPI && request.method != .get && request.method != .head {
            guard tokenAuthorised || originIsAcceptable(request) else { throw WebError.csrfRejected }
            let body = try await request.collectBody(upTo: largeForms(request.uri.path) ?? Self.maximumFormBytes)
            let contentType = request.headers[.contentType] ?? ""
            if contentType.hasPrefix("application/x-www-form-urlencoded") {
                context.form = FormURLEncoded.parse(String(buffer: body))
            } else if let boundary = MultipartForm.boundary(contentType: contentType) {
                guard let multipart = MultipartForm.parse(Array(buffer: body), boundary: boundary) else { throw WebError.malformedForm }
                context.form = multipart.fields
                context.files = multipart.files
            }
            let token = context.form["_csrf"]?.first ?? request.headers[HTTPField.Name("X-CSRF-Token")!]
            guard tokenAuthorised || (!context.isNewVisitor && csrf.isValid(token, for: csrfBinding)) else {
                throw WebError.csrfRejected
            }
        }

        var response = try await next(request, context)
        if !isAPI && (context.isNewVisitor || signsIn(response)) {
            // A sign-in gets a fresh visitor id (the anonymous cart has been merged by then), so
            // nothing learnt about the browser before it, such as a CSRF token, outlives it.
            let visitorID = context.isNewVisitor ? context.visitorID : csrf.newVisitorID()
            response.setCookie(cookies.cookie(cookies.visitorCookie, value: visitorID, maxAgeSeconds: 365 * 86_400))
        }
        if staleSessionCookie && !setsCookie(cookies.sessionCookie, response) {
            cookies.clearSession(on: &response)
        }
        return response
    }

    /// True when `response` sets cookie `name` (to a value or to nothing).
    func setsCookie(_ name: String, _ response: Response) -> Bool {
        response.headers[values: .setCookie].contains { $0.hasPrefix(name + "=") }
    }

    /// True when `response` starts a session, a shopper's or a staff member's.
    func signsIn(_ response: Response) -> Bool {
        response.headers[values: .setCookie].contains { header in
            (header.hasPrefix(cookies.sessionCookie + "=") || header.hasPrefix(cookies.staffCookie + "="))
                && !header.hasPrefix(cookies.sessionCookie + "=;") && !header.hasPrefix(cookies.staffCookie + "=;")
        }
    }

    /// The token of an `Authorization: Bearer` header, if any.
    public static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
    }

}
