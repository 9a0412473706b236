import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its bytes (4 or 16).
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address in network order.
    public let bytes: [UInt8]

    /// Parses a textual IPv4 or IPv6 address (no port, no brackets, no zone).
    public init?(_ text: some StringProtocol) {
        var text = String(text)
        if text.hasPrefix("::ffff:"), text.contains(".") { text.removeFirst("::ffff:".count) } // IPv4-mapped: the IPv4 address
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
    }
}

/// A network in CIDR notation: `10.0.0.0/8`, `fd00::/8`, or one address.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The first address.
    public let address: IPAddress
    /// How many leading bits must match.
    public let prefixLength: Int

    /// Parses `ADDRESS` or `ADDRESS/BITS`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = IPAddress(parts[0]) else { return nil }
        let bits = address.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...bits).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        self.address = address
    }

    /// True when `candidate` is in this network.
    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        var left = prefixLength
        for (a, b) in zip(address.bytes, candidate.bytes) where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
            guard a & mask == b & mask else { return false }
            left -= 8
        }
        return true
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

/// The proxies whose `X-Forwarded-For` the shop believes (`GOMART_TRUSTED_PROXIES`).
///
/// The client is the peer of the connection, unless the peer is a trusted proxy: then it is the
/// right-most address in `X-Forwarded-For` that is not itself a trusted proxy. Addresses a
/// client wrote further left are never believed, since any client can send the header.
public struct TrustedProxies: Sendable, Equatable {
    /// The trusted networks.
    public var networks: [IPNetwork]

    /// Creates the list.
    public init(_ networks: [IPNetwork] = []) {
        self.networks = networks
    }

    /// Parses a comma-separated list of addresses and networks; nil if any entry is not one.
    public init?(parsing text: String) {
        var networks: [IPNetwork] = []
        for entry in text.split(separator: ",") {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let network = IPNetwork(trimmed) else { return nil }
            networks.append(network)
        }
        self.networks = networks
    }

    /// True when `address` is a trusted proxy.
    public func trusts(_ address: IPAddress) -> Bool {
        networks.contains { $0.contains(address) }
    }

    /// The client's address: see the type's description. `peer` is the connection's remote address
    /// as text (nil when unknown, as in tests without a socket).
    public func clientAddress(peer: String?, forwardedFor: String?) -> String {
        guard let peer, let peerAddress = IPAddress(peer) else { return peer ?? "unknown" }
        guard trusts(peerAddress), let forwardedFor else { return peerAddress.description }
        var client = peerAddress
        for hop in forwardedFor.split(separator: ",").reversed() {
            guard let address = IPAddress(hop.trimmingCharacters(in: .whitespaces)) else { break }
            client = address
            if !trusts(address) { break }
        }
        return client.description
    }
}
