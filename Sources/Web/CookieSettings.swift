import Foundation
import Hummingbird

/// How the shop's cookies are written: always HttpOnly and SameSite=Lax; Secure behind TLS.
public struct CookieSettings: Sendable {
    /// The cookie holding the visitor id.
    public static let visitorCookie = "gm_visitor"
    /// The cookie holding the session token.
    public static let sessionCookie = "gm_session"

    /// Adds the `Secure` attribute (set when the shop is served over HTTPS).
    public var secure: Bool

    /// Creates the settings.
    public init(secure: Bool) {
        self.secure = secure
    }

    /// A cookie for `name` with the shop's attributes; a `nil` value deletes it.
    public func cookie(_ name: String, value: String?, maxAgeSeconds: Int) -> Cookie {
        Cookie(name: name, value: value ?? "", maxAge: value == nil ? 0 : maxAgeSeconds, path: "/",
               secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// Sets the session cookie on `response` to `token`, lasting until `expiresAt`.
    public func setSession(_ token: String, expiresAt: Date, on response: inout Response) {
        let seconds = max(0, Int(expiresAt.timeIntervalSinceNow))
        response.setCookie(cookie(Self.sessionCookie, value: token, maxAgeSeconds: seconds))
    }

    /// Deletes the session cookie.
    public func clearSession(on response: inout Response) {
        response.setCookie(cookie(Self.sessionCookie, value: nil, maxAgeSeconds: 0))
    }
}
