import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// A bucket in S3-compatible object storage (Amazon S3, MinIO, SeaweedFS, …), as far as backups
/// need one: put, get, list and delete objects, with AWS Signature Version 4 and path-style
/// addresses (`endpoint/bucket/key`), which every S3-compatible server accepts.
public struct S3Store: Sendable {
    /// Where and as whom.
    public struct Settings: Sendable, Equatable {
        public var endpoint: String
        public var region: String
        public var accessKey: String
        public var secretKey: String

        public init(endpoint: String, region: String, accessKey: String, secretKey: String) {
            self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
            self.region = region
            self.accessKey = accessKey
            self.secretKey = secretKey
        }

        /// From `GOMART_S3_ENDPOINT` (default: AWS's for the region), `GOMART_S3_REGION` (default
        /// `us-east-1`) and the usual `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.
        public static func fromEnvironment(_ environment: [String: String]) throws -> Settings {
            guard let accessKey = environment["AWS_ACCESS_KEY_ID"], !accessKey.isEmpty,
                  let secretKey = environment["AWS_SECRET_ACCESS_KEY"], !secretKey.isEmpty else {
                throw S3Error(description: "an s3:// destination needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
            }
            let region = environment["GOMART_S3_REGION"].flatMap { $0.isEmpty ? nil : $0 } ?? "us-east-1"
            let endpoint = environment["GOMART_S3_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://s3.\(region).amazonaws.com"
            return Settings(endpoint: endpoint, region: region, accessKey: accessKey, secretKey: secretKey)
        }
    }

    /// An answer the store did not like, with its status and message.
    public struct S3Error: Error, CustomStringConvertible {
        public let description: String
    }

    let settings: Settings
    let bucket: String

    public init(settings: Settings, bucket: String) {
        self.settings = settings
        self.bucket = bucket
    }

    /// `s3://bucket/some/prefix` as its bucket and key prefix (without slashes at either end).
    public static func parse(_ address: String) -> (bucket: String, prefix: String)? {
        guard address.hasPrefix("s3://") else { return nil }
        let rest = address.dropFirst(5).split(separator: "/", omittingEmptySubsequences: true)
        guard let bucket = rest.first, !bucket.isEmpty else { return nil }
        return (String(bucket), rest.dropFirst().joined(separator: "/"))
    }

    /// Creates the bucket if it is not there.
    public func ensureBucket() async throws {
        let (status, _) = try await send("HEAD", key: nil)
        guard status == 404 else {
            guard status == 200 else { throw S3Error(description: "the bucket \(bucket) answered \(status)") }
            return
        }
        let (created, body) = try await send("PUT", key: nil)
        guard created == 200 else { throw S3Error(description: "could not create the bucket \(bucket): \(created) \(Self.message(body))") }
    }

    public func put(_ key: String, file: URL) async throws {
        let data = try Data(contentsOf: file)
        let (status, body) = try await send("PUT", key: key, body: data)
        guard status == 200 else { throw S3Error(description: "could not store \(key): \(status) \(Self.message(body))") }
    }

    public func get(_ key: String, to file: URL) async throws {
        let (status, body) = try await send("GET", key: key)
        guard status == 200 else { throw S3Error(description: "could not fetch \(key): \(status) \(Self.message(body))") }
        guard FileManager.default.createFile(atPath: file.path, contents: body, attributes: [.posixPermissions: 0o600]) else {
            throw S3Error(description: "could not write \(file.path)")
        }
    }

    public func delete(_ key: String) async throws {
        let (status, body) = try await send("DELETE", key: key)
        guard status == 204 || status == 200 else { throw S3Error(description: "could not delete \(key): \(status) \(Self.message(body))") }
    }

    /// The keys under `prefix` (up to 1,000, which retention keeps far below).
    public func list(prefix: String) async throws -> [String] {
        let (status, body) = try await send("GET", key: nil, query: [("list-type", "2"), ("prefix", prefix)])
        guard status == 200 else { throw S3Error(description: "could not list \(bucket)/\(prefix): \(status) \(Self.message(body))") }
        let text = String(decoding: body, as: UTF8.self)
        var keys: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "<Key>"), let close = rest.range(of: "</Key>", range: open.upperBound..<rest.endIndex) {
            keys.append(Self.unescapeXML(String(rest[open.upperBound..<close.lowerBound])))
            rest = rest[close.upperBound...]
        }
        return keys
    }

    /// One signed request; the status and the whole body.
    func send(_ method: String, key: String?, query: [(String, String)] = [], body: Data = Data(), now: Date = Date()) async throws -> (Int, Data) {
        var path = "/" + Self.encode(bucket)
        if let key { path += "/" + key.split(separator: "/", omittingEmptySubsequences: false).map { Self.encode(String($0)) }.joined(separator: "/") }
        let canonicalQuery = query.map { (Self.encode($0.0), Self.encode($0.1)) }.sorted { $0 < $1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        guard let endpoint = URL(string: settings.endpoint), let hostName = endpoint.host else {
            throw S3Error(description: "GOMART_S3_ENDPOINT is not an address: \(settings.endpoint)")
        }
        let host = endpoint.port.map { "\(hostName):\($0)" } ?? hostName
        let payloadHash = Self.hex(SHA256.hash(data: body))
        let amzDate = Self.amzDate(now)
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(settings.region)/s3/aws4_request"
        let canonical = [method, path, canonicalQuery, "host:\(host)", "x-amz-content-sha256:\(payloadHash)", "x-amz-date:\(amzDate)", "",
                         "host;x-amz-content-sha256;x-amz-date", payloadHash].joined(separator: "\n")
        let toSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Data(canonical.utf8)))].joined(separator: "\n")
        var signingKey = SymmetricKey(data: Data("AWS4\(settings.secretKey)".utf8))
        for part in [day, settings.region, "s3", "aws4_request"] {
            signingKey = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: signingKey)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: signingKey))

        var request = HTTPClientRequest(url: settings.endpoint + path + (canonicalQuery.isEmpty ? "" : "?" + canonicalQuery))
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Host", value: host)
        request.headers.add(name: "x-amz-date", value: amzDate)
        request.headers.add(name: "x-amz-content-sha256", value: payloadHash)
        request.headers.add(name: "Authorization", value: "AWS4-HMAC-SHA256 Credential=\(settings.accessKey)/\(scope), "
            + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=\(signature)")
        if !body.isEmpty || method == "PUT" {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
        let received = method == "HEAD" ? ByteBuffer() : try await response.body.collect(upTo: 1 << 30)
        return (Int(response.status.code), Data(received.readableBytesView))
    }

    static func encode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// `20261130T230512Z`, as signatures date requests (the backups' own stamp).
    static func amzDate(_ date: Date) -> String {
        SQLiteBackups.stamp(date)
    }

    static func message(_ body: Data) -> String {
        let text = String(decoding: body.prefix(400), as: UTF8.self)
        guard let open = text.range(of: "<Message>"), let close = text.range(of: "</Message>") else { return text }
        return String(text[open.upperBound..<close.lowerBound])
    }

    static func unescapeXML(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }
}
