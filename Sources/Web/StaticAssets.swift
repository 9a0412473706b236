import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The shop's static files (styles, scripts, images), read once into memory and served with
/// fingerprinted names.
///
/// Every file is served at its plain address (`/static/site.css`, revalidated with an ETag) and at
/// a fingerprinted one (`/static/site.1f3a9c0b7e.css`) that changes whenever the file does, so
/// pages can link the fingerprinted one with a year-long, immutable `Cache-Control`. Text files
/// are gzipped once at start-up.
public final class StaticAssets: Sendable {
    struct Asset: Sendable {
        var contentType: String
        var body: ByteBuffer
        var gzipped: ByteBuffer?
        var etag: String
        var immutable: Bool
    }

    /// The URL prefix, e.g. `/static`.
    public let urlBase: String
    let assets: [String: Asset]
    let fingerprinted: [String: String]

    /// Reads every file under `directory`.
    public init(directory: String, urlBase: String = "/static") throws {
        self.urlBase = urlBase
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw StaticAssetsError.unreadable(directory)
        }
        var assets: [String: Asset] = [:]
        var fingerprinted: [String: String] = [:]
        for case let file as URL in walker {
            guard (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let relative = file.standardizedFileURL.path.dropFirst(root.path.count).drop { $0 == "/" }
            let data = try Data(contentsOf: file)
            let bytes = [UInt8](data)
            let fingerprint = String(FNV1a.hash(bytes), radix: 16)
            let type = Self.contentType(forExtension: file.pathExtension)
            let compressible = type.hasPrefix("text/") || type.hasPrefix("image/svg") || type.hasPrefix("application/javascript")
                || type.hasPrefix("application/json")
            var asset = Asset(
                contentType: type, body: ByteBuffer(bytes: bytes),
                gzipped: compressible && bytes.count >= Gzip.minimumSize ? Gzip.compress(bytes, level: 9) : nil,
                etag: "W/\"\(fingerprint)\"", immutable: false // weak: plain and gzipped share it
            )
            let plain = "\(urlBase)/\(relative)"
            assets[plain] = asset
            let stem = (String(relative) as NSString).deletingPathExtension
            let fingerprintedPath = "\(urlBase)/\(stem).\(fingerprint.prefix(12)).\(file.pathExtension)"
            asset.immutable = true
            assets[fingerprintedPath] = asset
            fingerprinted[plain] = fingerprintedPath
        }
        self.assets = assets
        self.fingerprinted = fingerprinted
    }

    /// The fingerprinted address of the file at `path` (e.g. `/static/site.css`), or `path` itself
    /// when there is no such file.
    public func url(for path: String) -> String {
        fingerprinted[path] ?? path
    }

    /// Replaces every plain address of a known file in `text`, in double quotes, with its
    /// fingerprinted one. One pass over the text, however many files there are.
    public func fingerprintingReferences(in text: String) -> String {
        let opening = "\"\(urlBase)/"
        var result = ""
        var rest = text[...]
        while let start = rest.range(of: opening) {
            let address = rest.index(after: start.lowerBound)
            guard let end = rest[address...].firstIndex(of: "\"") else { break }
            let plain = String(rest[address..<end])
            result += rest[..<address] + (fingerprinted[plain] ?? plain) + "\""
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }

    /// The response for a GET or HEAD of `path`, or nil when there is no such file.
    public func response(path: String, request: Request) -> Response? {
        guard let asset = assets[path] else { return nil }
        var headers = HTTPFields()
        headers[.contentType] = asset.contentType
        headers[.eTag] = asset.etag
        headers[.cacheControl] = asset.immutable ? "public, max-age=31536000, immutable" : "public, max-age=300"
        if asset.gzipped != nil { headers[.vary] = "Accept-Encoding" }
        if EntityTag.matches(request.headers[.ifNoneMatch], asset.etag) {
            return Response(status: .notModified, headers: headers)
        }
        if let gzipped = asset.gzipped, Gzip.isAccepted(request.headers[.acceptEncoding]) {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: gzipped))
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
    }

    static func contentType(forExtension pathExtension: String) -> String {
        switch pathExtension.lowercased() {
        case "css": "text/css; charset=utf-8"
        case "js": "application/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "webp": "image/webp"
        case "ico": "image/x-icon"
        case "json": "application/json"
        case "txt": "text/plain; charset=utf-8"
        case "woff2": "font/woff2"
        default: "application/octet-stream"
        }
    }
}

/// Serves ``StaticAssets`` for GET and HEAD requests under its URL prefix.
public struct StaticAssetsMiddleware<Context: RequestContext>: RouterMiddleware {
    let assets: StaticAssets

    /// Creates the middleware.
    public init(assets: StaticAssets) {
        self.assets = assets
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head, request.uri.path.hasPrefix(assets.urlBase + "/"),
              let response = assets.response(path: request.uri.path, request: request)
        else { return try await next(request, context) }
        return response
    }
}

/// The static files could not be read.
public enum StaticAssetsError: Error, CustomStringConvertible {
    /// The folder is missing or unreadable.
    case unreadable(String)

    public var description: String {
        switch self {
        case .unreadable(let directory): "Cannot read the static files folder \(directory)"
        }
    }
}
