import HTTPTypes
import Hummingbird
import Tracing

/// A server span per request, named by method and route (`GET /products/{id}`), continuing the
/// caller's W3C `traceparent` when one is sent.
///
/// Only the method, route, status and response size are recorded: never the path's values, the
/// query string, headers, the client's address or bodies, which may carry personal data.
/// Installed only when ``Traces`` records spans.
public struct RequestTracingMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var parent = ServiceContext.current ?? .topLevel
        InstrumentationSystem.instrument.extract(request.headers, into: &parent, using: HeaderExtractor())
        let method = request.method.rawValue
        let span = InstrumentationSystem.tracer.startSpan("\(method) request", context: parent, ofKind: .server)
        span.attributes["http.request.method"] = method
        do {
            let response = try await ServiceContext.$current.withValue(span.context) {
                try await next(request, context)
            }
            finish(span, method: method, context: context, status: response.status.code)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            if status >= 500 { span.recordError(error) }
            finish(span, method: method, context: context, status: status)
            throw error
        }
    }

    private func finish(_ span: any Span, method: String, context: Context, status: Int) {
        let route = context.endpointPath ?? "unmatched"
        span.operationName = "\(method) \(route)"
        span.attributes["http.route"] = route
        span.attributes["http.response.status_code"] = status
        if status >= 500 { span.setStatus(.init(code: .error)) }
        span.end()
    }
}

/// Reads propagation headers (`traceparent`, `tracestate`) from a request.
struct HeaderExtractor: Extractor {
    func extract(key name: String, from headers: HTTPFields) -> String? {
        HTTPField.Name(name).flatMap { headers[$0] }
    }
}
