import Foundation
import HTTPProblems
import HTTPTypes
import Hummingbird
import Logging
import Synchronization
import Web

/// Applies the rate limits (``Web/RateLimiter``) of each request's route classes, per client:
/// the API class per bearer token when there is one (one account's calls from many addresses),
/// every other class per client address (``Web/TrustedProxies``).
///
/// A limited request gets the `RateLimit-*` headers of its tightest limit; a refused one gets 429
/// with `Retry-After`, as a page or problem+json. It runs before the shopper is identified, so a
/// flood costs no database work.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = ShopRequestContext
    let limiter: RateLimiter
    let proxies: TrustedProxies
    /// Renders the refusal like every other error.
    let errors: ErrorResponseMiddleware

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let classes = RouteClass.classes(method: request.method.rawValue, path: request.uri.path, query: request.uri.query)
        guard !classes.isEmpty, !limiter.isOff else { return try await next(request, context) }
        let client = proxies.clientAddress(peer: context.peerAddress?.ipAddress, forwardedFor: request.headers[.xForwardedFor])
        let key = classes == [.api] ? ShopperMiddleware.bearerToken(request).map { "token " + $0 } ?? client : client
        guard let decision = limiter.take(classes, key: key) else { return try await next(request, context) }
        var response: Response
        if decision.allowed {
            response = try await next(request, context)
        } else {
            context.logger.notice("rate limited", metadata: ["class": .string(decision.routeClass.rawValue), "client": .string(client)])
            response = await errors.answer(to: WebError.rateLimited(retryAfterSeconds: decision.retryAfterSeconds), request: request, context: context)
        }
        for (name, value) in decision.headers { response.headers[name] = value }
        return response
    }
}

extension HTTPField.Name {
    /// `X-Forwarded-For`, as a proxy sets it.
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}

/// Refuses requests beyond `limit` in flight at once with a quick 503 and `Retry-After: 1`, so an
/// overloaded process answers the requests it has instead of queueing without bound.
public struct LoadSheddingMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int
    private let inFlight = InFlightCounter()

    /// Creates the middleware, with its own count.
    public init(limit: Int) {
        self.limit = limit
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard inFlight.enter(limit: limit) else {
            context.logger.warning("shed load: too many requests in flight", metadata: ["limit": .stringConvertible(limit)])
            return Self.busy(path: request.uri.path)
        }
        defer { inFlight.leave() }
        return try await next(request, context)
    }

    /// The quick answer: problem+json under `/api/`, a short page elsewhere.
    static func busy(path: String) -> Response {
        var response: Response
        if path.hasPrefix("/api/") {
            response = ProblemDetails(title: "Busy", status: 503, detail: "The shop is very busy. Please try again in a moment.", instance: path).response()
        } else {
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            let page = "<!doctype html><html lang=\"en\"><title>Busy</title><h1>The shop is very busy</h1><p>Please try again in a moment.</p></html>"
            response = Response(status: .serviceUnavailable, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        response.headers[.retryAfter] = "1"
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

/// A count of requests in flight.
final class InFlightCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// Counts one more, unless `limit` are already in flight.
    func enter(limit: Int) -> Bool {
        if count.wrappingAdd(1, ordering: .relaxed).newValue > limit {
            count.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Counts one fewer.
    func leave() {
        count.wrappingSubtract(1, ordering: .relaxed)
    }
}
