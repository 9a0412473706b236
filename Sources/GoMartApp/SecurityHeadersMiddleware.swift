import HTTPTypes
import Hummingbird

/// Adds conservative security headers to every response: no sniffing, no framing, a strict
/// content security policy, HSTS when the shop's public address is https, and `no-store` on
/// every API answer to a signed-in caller (it holds their data).
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Send `Strict-Transport-Security` (one year, subdomains): the shop is served over https.
    var strictTransportSecurity = false
    static var policy: String { "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "strict-origin-when-cross-origin"
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = Self.policy
        }
        if strictTransportSecurity {
            response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
        }
        if request.headers[.authorization] != nil && request.uri.path.hasPrefix("/api/") {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}
