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

    /// Creates a problem document.
    public init(
        type: String = "about:blank", title: String, status: Int, detail: String?, instance: String?,
        parameter: String? = nil, errors: [String: String]? = nil
    ) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
        self.parameter = parameter
        self.errors = errors
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
