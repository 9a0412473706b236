import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id, logs one line per request and returns the id in `X-Request-Id`.
///
/// Only the method, path, status and duration are logged: never query strings, bodies or
/// cookies, which may carry personal data.
public struct RequestLoggingMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The header carrying the request id, in and out.
    public static var requestIDHeader: HTTPField.Name { HTTPField.Name("X-Request-Id")! }

    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let requestID = Self.acceptableID(request.headers[Self.requestIDHeader]) ?? Self.newID()
        var context = context
        context.logger[metadataKey: "request_id"] = .string(requestID)
        do {
            var response = try await next(request, context)
            response.headers[Self.requestIDHeader] = requestID
            log(request, status: response.status, start: start, logger: context.logger)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            log(request, status: status, start: start, logger: context.logger, error: status.code >= 500 ? error : nil)
            throw error
        }
    }

    private func log(_ request: Request, status: HTTPResponse.Status, start: ContinuousClock.Instant, logger: Logger, error: (any Error)? = nil) {
        let level: Logger.Level = status.code >= 500 ? .error : .info
        guard logger.logLevel <= level else { return }
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "status": .stringConvertible(status.code),
            "duration_ms": .string(String(format: "%.2f", milliseconds)),
        ]
        if let error { metadata["error"] = .string(String(describing: type(of: error))) }
        logger.log(level: level, "request", metadata: metadata)
    }

    static func acceptableID(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.count <= 64,
              value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        return value
    }

    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = String(generator.next() as UInt64, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
