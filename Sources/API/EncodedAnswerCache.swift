import Caching
import Catalog
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Web

/// Product lists encoded once per catalogue change: JSON encoding 24 products costs far more
/// than sending the bytes, and every shopper asking the same question gets the same answer.
///
/// Entries belong to a catalogue cache generation (``Catalog/CatalogService/cacheGeneration()``)
/// and hold the identity and gzipped bodies and an ETag. At most `capacity` queries are held
/// (a ``Caching/BoundedCache`` named `api-answers`).
final class EncodedAnswerCache<Key: Hashable & Sendable>: Sendable {
    struct Answer: Sendable {
        let body: ByteBuffer
        let gzipped: ByteBuffer
        let etag: String
    }

    private let answers: BoundedCache<Key, Answer>

    init(capacity: Int = 512) {
        answers = BoundedCache(name: "api-answers", capacity: capacity)
    }

    /// The answer for `key` in this `generation`, encoding `make()` when there is none.
    func answer(for key: Key, generation: UInt64, make: () async throws -> some Encodable) async throws -> Answer {
        if let cached = answers.value(for: key, generation: generation) { return cached }
        let bytes = [UInt8](try JSONEncoder().encode(try await make()))
        let answer = Answer(body: ByteBuffer(bytes: bytes), gzipped: Gzip.compress(bytes), etag: "W/\"\(String(FNV1a.hash(bytes), radix: 36))\"") // weak: plain and gzipped share it
        answers.store(answer, for: key, generation: generation)
        return answer
    }

    /// The HTTP response for `answer`: 304 when the client holds it, gzip when it accepts gzip.
    static func response(_ answer: Answer, to request: Request) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        headers[.eTag] = answer.etag
        headers[.vary] = "Accept-Encoding"
        if EntityTag.matches(request.headers[.ifNoneMatch], answer.etag) {
            return Response(status: .notModified, headers: headers)
        }
        if Gzip.isAccepted(request.headers[.acceptEncoding]) {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: answer.gzipped))
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: answer.body))
    }
}
