import Foundation
import Hummingbird

/// An RFC 9457 problem details document, the body of every API error.
public struct ProblemDetails: Codable, Sendable, Equatable {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    public var type: String
    /// A short summary of the kind of problem.
    public var title: String
    /// The HTTP status code.
    public var status: Int
    /// What went wrong with this request, for a person.
    public var detail: String?
    /// The request path.
    public var instance: String?
    /// The offending query parameter, when one is to blame.
    public var parameter: String?
    /// Problems with individual fields of the request body, keyed by field name.
    public var errors: [String: String]?
    /// Problems with an order's lines, when an order could not be placed.
    public var problems: [OrderProblemEntry]?

    /// One problem with an order, as in the validation answer.
    public struct OrderProblemEntry: Codable, Sendable, Equatable {
        public var code: String
        public var productId: String?
        public var message: String

        /// Creates an entry.
        public init(code: String, productId: String?, message: String) {
            self.code = code
            self.productId = productId
            self.message = message
        }
    }

    /// Creates a problem document.
    public init(
        type: String = "about:blank", title: String, status: Int, detail: String?, instance: String?,
        parameter: String? = nil, errors: [String: String]? = nil, problems: [OrderProblemEntry]? = nil
    ) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
        self.parameter = parameter
        self.errors = errors
        self.problems = problems
    }

    /// The problem as an `application/problem+json` response.
    public func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(self)) ?? Data("{\"title\":\"Error\",\"status\":\(status)}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        headers[.cacheControl] = "no-store"
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
