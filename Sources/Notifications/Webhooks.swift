import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import SQLKit
import Security
import Storage
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An integrator's endpoint: where the shop posts the events it subscribed to.
public struct WebhookEndpoint: Sendable, Equatable {
    public var id: Int64
    public var url: String
    /// Event types, e.g. `order.paid`.
    public var eventTypes: [String]
    public var enabled: Bool
    /// Deliveries that failed in a row (reset by a success).
    public var consecutiveFailures: Int
    /// Why it was turned off, when it was.
    public var disabledReason: String?
    public var createdAt: Int64
}

/// The event types an endpoint can subscribe to: every order event (account events carry
/// personal data and links, and are never sent to integrators).
public enum WebhookEventType {
    /// `order_paid` → `order.paid`.
    public static func name(ofTopic topic: String) -> String? {
        guard topic.hasPrefix("order_") else { return nil }
        return "order." + topic.dropFirst("order_".count)
    }

    public static let all = ["order.placed", "order.paid", "order.amended", "order.picking", "order.packed", "order.substituted",
                             "order.out_for_delivery", "order.delivered", "order.refused", "order.cancelled", "order.refunded"]
}

/// Why a webhook endpoint may not be used or a delivery failed.
public struct WebhookError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public var isPermanent: Bool

    public init(_ description: String, permanent: Bool = false) {
        self.description = description
        isPermanent = permanent
    }
}

/// Standard Webhooks signatures: `whsec_` secrets, and `v1,<base64 HMAC-SHA256>` over
/// `id.timestamp.body`.
public enum WebhookSignature {
    /// A new secret: `whsec_` and 24 random bytes in base64.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "whsec_" + Data(bytes).base64EncodedString()
    }

    /// The `webhook-signature` header's value for a delivery.
    public static func sign(secret: String, id: String, timestamp: Int64, body: String) -> String {
        let key = Data(base64Encoded: String(secret.dropFirst("whsec_".count))) ?? Data(secret.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(id).\(timestamp).\(body)".utf8), using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }
}

/// Refuses addresses on this machine or private networks (SSRF), unless the shop allows them
/// (`GOMART_WEBHOOK_ALLOW_PRIVATE`). The host is resolved and every address it has is checked.
public struct WebhookAddressGuard: Sendable {
    public let allowPrivate: Bool

    public init(allowPrivate: Bool) {
        self.allowPrivate = allowPrivate
    }

    /// Throws a permanent ``WebhookError`` for a URL that is not http(s), has credentials, or
    /// whose host is (or resolves to) a loopback, private, link-local or otherwise internal address.
    public func check(_ text: String) throws {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = url.host, !host.isEmpty else {
            throw WebhookError("a webhook address must be an http:// or https:// URL", permanent: true)
        }
        guard url.user == nil, url.password == nil else { throw WebhookError("a webhook address must not carry a user or password", permanent: true) }
        guard !allowPrivate else { return }
        let addresses = Self.resolve(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
        guard !addresses.isEmpty else { throw WebhookError("the webhook's host \(host) does not resolve") }
        if let inside = addresses.first(where: Self.isInternal) {
            throw WebhookError("the webhook's host \(host) is an internal address (\(inside)); the shop does not post to its own network", permanent: true)
        }
    }

    /// Every address `host` resolves to, as text.
    static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                addresses.append(String(cString: buffer))
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }

    /// Loopback, private, link-local, carrier-grade NAT, unspecified, multicast, and their IPv6 kin.
    static func isInternal(_ address: String) -> Bool {
        if address.contains(":") {
            let lower = address.lowercased()
            if lower == "::1" || lower == "::" { return true }
            if lower.hasPrefix("fe80") || lower.hasPrefix("fc") || lower.hasPrefix("fd") || lower.hasPrefix("ff") { return true }
            if lower.hasPrefix("::ffff:") { return isInternal(String(lower.dropFirst("::ffff:".count))) }
            return false
        }
        let parts = address.split(separator: ".").compactMap { Int($0) }
        guard parts.count == 4 else { return true }
        switch (parts[0], parts[1]) {
        case (0, _), (10, _), (127, _): return true
        case (100, 64...127): return true
        case (169, 254): return true
        case (172, 16...31): return true
        case (192, 168): return true
        case (192, 0) where parts[2] == 0: return true
        case (198, 18...19): return true
        case (224...255, _): return true
        default: return false
        }
    }
}

/// Posts deliveries to endpoints: Standard Webhooks headers, no redirects followed (a redirect
/// could lead into the shop's own network), the address checked before every post.
public final class WebhookSender: Sendable {
    /// Made on the first delivery and shut down with the worker: a client that was never used
    /// needs no shutting down, so a shop that stops before its worker ran has nothing to leak.
    private let state = Mutex<HTTPClient?>(nil)
    public let addressGuard: WebhookAddressGuard

    public init(addressGuard: WebhookAddressGuard) {
        self.addressGuard = addressGuard
    }

    private var client: HTTPClient {
        state.withLock { client in
            if let client { return client }
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            configuration.timeout = .init(connect: .seconds(5), read: .seconds(15))
            let made = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            client = made
            return made
        }
    }

    /// Closes the client's connections (on the worker's shutdown).
    public func shutdown() async {
        let client = state.withLock { client in
            defer { client = nil }
            return client
        }
        try? await client?.shutdown()
    }

    /// Posts `body` to `url`, signed with `secret`. A 2xx answer is delivered; 410 Gone is a
    /// permanent refusal (the endpoint is gone); anything else is tried again.
    public func post(url: String, secret: String, id: String, timestamp: Int64, body: String) async throws {
        try addressGuard.check(url)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "GoMart-Webhooks/1")
        request.headers.add(name: "webhook-id", value: id)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: WebhookSignature.sign(secret: secret, id: id, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(string: body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(20))
        } catch {
            throw WebhookError("the endpoint could not be reached: \(type(of: error))")
        }
        _ = try? await response.body.collect(upTo: 64 * 1_024)
        let code = Int(response.status.code)
        if (200..<300).contains(code) { return }
        throw WebhookError("the endpoint answered \(code)", permanent: code == 410)
    }
}

/// Integrators' endpoints as staff manage them: register (the secret is shown once), list,
/// turn off and on, and each endpoint's deliveries.
public struct Webhooks: Sendable {
    public let store: WebhookStore
    let messages: MessageStore
    let vault: PersonalDataVault
    public let addressGuard: WebhookAddressGuard

    public init(store: WebhookStore, messages: MessageStore, vault: PersonalDataVault, addressGuard: WebhookAddressGuard) {
        self.store = store
        self.messages = messages
        self.vault = vault
        self.addressGuard = addressGuard
    }

    /// Registers an endpoint for `eventTypes`; returns it with its signing secret, which is
    /// never shown again (it is kept sealed). Throws ``WebhookError`` for an address the shop
    /// may not post to, or unknown event types.
    public func register(url: String, eventTypes: [String], now: Date = Date()) async throws -> (endpoint: WebhookEndpoint, secret: String) {
        let url = url.trimmingCharacters(in: .whitespaces)
        guard url.count <= 2_000 else { throw WebhookError("a webhook address is at most 2,000 characters", permanent: true) }
        try addressGuard.check(url)
        let types = Array(Set(eventTypes)).sorted()
        guard !types.isEmpty else { throw WebhookError("choose at least one event", permanent: true) }
        if let unknown = types.first(where: { !WebhookEventType.all.contains($0) }) {
            throw WebhookError("\(unknown) is not an event type", permanent: true)
        }
        let secret = WebhookSignature.newSecret()
        let id = try await store.insert(url: url, eventTypes: types, secretSealed: try vault.seal(secret), now: Int64(now.timeIntervalSince1970))
        guard let endpoint = try await store.endpoint(id)?.endpoint else { throw WebhookError("the endpoint was not saved") }
        return (endpoint, secret)
    }

    public func endpoints() async throws -> [WebhookEndpoint] {
        try await store.all()
    }

    public func endpoint(_ id: Int64) async throws -> WebhookEndpoint? {
        try await store.endpoint(id)?.endpoint
    }

    /// Turns an endpoint off (deliveries wait as failures) or back on.
    @discardableResult
    public func setEnabled(_ id: Int64, _ enabled: Bool) async throws -> Bool {
        try await store.setEnabled(id, enabled, reason: enabled ? nil : "turned off by staff")
    }

    /// The endpoint's deliveries, newest first: the delivery log.
    public func deliveries(of id: Int64, limit: Int = 100) async throws -> [NotificationMessage] {
        try await messages.messages(recipient: "endpoint:\(id)", limit: limit)
    }
}
