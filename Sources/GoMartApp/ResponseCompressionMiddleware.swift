import HTTPTypes
import Hummingbird
import NIOCore
import Web

/// Gzips HTML, JSON, CSS and JavaScript answers of 1 KiB or more for clients that accept it.
///
/// Catalogue pages and static files arrive already compressed (``Web/Gzip``) and pass through;
/// this covers the rest: the JSON API, cart and account pages.
struct ResponseCompressionMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Bodies larger than this are streamed as they are rather than held in memory to compress.
    static var maximumSize: Int { 4 * 1_024 * 1_024 }
    /// zlib's level: 5 compresses JSON and HTML nearly as well as 9 at a fraction of the time.
    static var level: Int32 { 5 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard let type = response.headers[.contentType], Self.isCompressible(type), response.headers[.contentEncoding] == nil else {
            return response
        }
        response.headers[.vary] = response.headers[.vary].map { $0.contains("Accept-Encoding") ? $0 : "\($0), Accept-Encoding" } ?? "Accept-Encoding"
        guard request.method != .head, response.status != .notModified, response.status != .noContent,
              let length = response.body.contentLength, (Gzip.minimumSize...Self.maximumSize).contains(length),
              Gzip.isAccepted(request.headers[.acceptEncoding])
        else { return response }
        let collector = BodyCollector()
        try await response.body.write(CollectingWriter(collector: collector))
        response.body = .init(byteBuffer: Gzip.compress(collector.buffer.readableBytesView, level: Self.level))
        response.headers[.contentEncoding] = "gzip"
        if let etag = response.headers[.eTag], !etag.hasPrefix("W/") { response.headers[.eTag] = "W/\(etag)" }
        return response
    }

    static func isCompressible(_ contentType: String) -> Bool {
        let type = contentType.lowercased()
        return type.hasPrefix("text/") || type.hasPrefix("application/json") || type.hasPrefix("application/problem+json")
            || type.hasPrefix("application/javascript") || type.hasPrefix("image/svg+xml")
    }
}

/// Holds a response body while it is gathered for compression.
private final class BodyCollector: @unchecked Sendable {
    // Written by one task only: the middleware awaits the whole write before reading.
    var buffer = ByteBuffer()
}

private struct CollectingWriter: ResponseBodyWriter {
    let collector: BodyCollector

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        collector.buffer.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
