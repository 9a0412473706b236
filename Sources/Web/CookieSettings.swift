import Foundation
import Hummingbird

/// How the shop's cookies are named and written: always HttpOnly and SameSite=Lax (the staff
/// cookie Strict); behind TLS, Secure and with the prefix browsers enforce: `__Host-` (only this
/// host, path `/`, Secure, so neither a sibling subdomain nor a plain-HTTP page can plant one)
/// and `__Secure-` for the staff cookie, which is scoped to `/admin`.
public struct CookieSettings: Sendable {
    /// Adds the `Secure` attribute and the name prefixes (set when the shop is served over HTTPS).
    public var secure: Bool

    /// Creates the settings.
    public init(secure: Bool) {
        self.secure = secure
    }

    /// The cookie holding the visitor id.
    public var visitorCookie: String { secure ? "__Host-gm_visitor" : "gm_visitor" }
    /// The cookie holding a shopper's session token.
    public var sessionCookie: String { secure ? "__Host-gm_session" : "gm_session" }
    /// The cookie holding the change-feed id of the browser's last change (a cart change, say),
    /// for a few seconds: until every instance has applied it, none serves that browser cached rows.
    public var changesCookie: String { secure ? "__Host-gm_changed" : "gm_changed" }
    /// The cookie holding a staff member's session token, sent only to `/admin`.
    public var staffCookie: String { secure ? "__Secure-gm_staff" : "gm_staff" }

    /// The staff cookie with `value` (nil deletes it): HttpOnly, SameSite=Strict, only for `/admin`.
    public func staffSession(_ value: String?, maxAgeSeconds: Int) -> Cookie {
        Cookie(name: staffCookie, value: value ?? "", maxAge: value == nil ? 0 : maxAgeSeconds, path: "/admin",
               secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// A cookie for `name` with the shop's attributes; a `nil` value deletes it.
    public func cookie(_ name: String, value: String?, maxAgeSeconds: Int) -> Cookie {
        Cookie(name: name, value: value ?? "", maxAge: value == nil ? 0 : maxAgeSeconds, path: "/",
               secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// Sets the session cookie on `response` to `token`, lasting until `expiresAt`.
    public func setSession(_ token: String, expiresAt: Date, on response: inout Response) {
        let seconds = max(0, Int(expiresAt.timeIntervalSinceNow))
        response.setCookie(cookie(sessionCookie, value: token, maxAgeSeconds: seconds))
    }

    /// Deletes the session cookie.
    public func clearSession(on response: inout Response) {
        response.setCookie(cookie(sessionCookie, value: nil, maxAgeSeconds: 0))
    }
}
