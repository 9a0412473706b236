import Caching
import Crypto
import Foundation

/// Signed double-submit CSRF tokens, bound to the visitor's cookie and, once signed in, to the
/// session.
///
/// The token is an HMAC of what it is bound to (the caller says what: the visitor id, plus the
/// session token when there is one), so it cannot be forged without the key and a token stolen
/// for one visitor or session is useless for another. The visitor cookie is HttpOnly and
/// SameSite=Lax, so another site can neither read it nor have it sent with a cross-site POST.
public struct CSRFTokens: Sendable {
    let key: SymmetricKey
    /// Recent genuine visitor ids and their anonymous tokens: checking an id and making its token
    /// are two HMACs, which cost more than the rest of a cached page. Only ids that passed the
    /// check are kept, so a flood of forged ids cannot fill it with anything.
    let visitors = BoundedCache<String, String>(name: "visitor-ids", capacity: 50_000)
    /// Every token's length: an HMAC-SHA256 in base64url without padding.
    public static let tokenLength = 43

    /// Creates the token service from the application's keys.
    public init(keys: SecretKeys) {
        key = keys.csrf
    }

    /// The token for a visitor id this shop issued, bound to that id alone (a shopper who is not
    /// signed in); nil when the shop did not issue it.
    public func anonymousToken(forGenuineVisitor value: String) -> String? {
        if let known = visitors.value(for: value) { return known }
        guard isGenuineVisitorID(value) else { return nil }
        let token = token(for: value)
        visitors.store(token, for: value)
        return token
    }

    /// The token that forms must carry for `binding`.
    public func token(for binding: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(binding.utf8), using: key)
        return Data(code).base64URLEncoded()
    }

    /// A new visitor id: 128 random bits and a signature, so that only ids this shop issued are
    /// accepted (a client cannot pick its own, for example one it saw elsewhere).
    public func newVisitorID() -> String {
        let random = RandomToken.make(bytes: 16)
        return random + "." + visitorSignature(random)
    }

    /// True when `value` is a visitor id this shop issued.
    public func isGenuineVisitorID(_ value: String) -> Bool {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 22, parts[1].count == 22,
              let given = Data(base64URLEncoded: String(parts[1])), given.base64URLEncoded() == String(parts[1]) else { return false }
        let code = HMAC<SHA256>.authenticationCode(for: Data("visitor:\(parts[0])".utf8), using: key)
        // Constant time over the 16 bytes kept.
        return zip(Data(code).prefix(16), given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0 && given.count == 16
    }

    private func visitorSignature(_ random: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data("visitor:\(random)".utf8), using: key)).prefix(16).base64URLEncoded()
    }

    /// True when `token` is the one issued for `binding` (compared in constant time).
    public func isValid(_ token: String?, for binding: String) -> Bool {
        // Only the canonical spelling: the last character's spare bits must be zero, so that no
        // second spelling of a token is ever accepted.
        guard let token, let given = Data(base64URLEncoded: token), given.base64URLEncoded() == token else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Data(binding.utf8), using: key)
    }
}

/// Random, URL-safe tokens for cookies and keys.
public enum RandomToken {
    /// A token of `bytes` random bytes from the system CSPRNG, base64url without padding.
    public static func make(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        var random: [UInt8] = []
        random.reserveCapacity(bytes + 8)
        while random.count < bytes {
            withUnsafeBytes(of: generator.next() as UInt64) { random.append(contentsOf: $0) }
        }
        return Base64URL.encode(random.prefix(bytes))
    }

    /// The SHA-256 of `token` in hex, for storing tokens so that a database leak does not leak them.
    public static func hash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }
}

/// Lower-case hexadecimal text of bytes.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Two lower-case hex digits per byte.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// base64url without padding (RFC 4648 §5), encoded directly: tokens are made on every request.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The base64url text of `bytes`, without `=` padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= input.count {
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output.append(alphabet[Int(value >> 18 & 63)])
            output.append(alphabet[Int(value >> 12 & 63)])
            output.append(alphabet[Int(value >> 6 & 63)])
            output.append(alphabet[Int(value & 63)])
            index += 3
        }
        let rest = input.count - index
        if rest > 0 {
            let value = UInt32(input[index]) << 16 | (rest == 2 ? UInt32(input[index + 1]) << 8 : 0)
            output.append(alphabet[Int(value >> 18 & 63)])
            output.append(alphabet[Int(value >> 12 & 63)])
            if rest == 2 { output.append(alphabet[Int(value >> 6 & 63)]) }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension Data {
    func base64URLEncoded() -> String {
        Base64URL.encode(self)
    }

    init?(base64URLEncoded text: String) {
        guard text.count <= 200 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        self.init(base64Encoded: base64)
    }
}

/// Pseudonymous identifiers: a keyed hash of an internal id, stable for one shop's key and
/// useless without it, for exports that must not carry personal data.
public struct Pseudonyms: Sendable {
    let key: SymmetricKey

    public init(keys: SecretKeys) {
        key = keys.pseudonyms
    }

    /// The pseudonym of a customer: 32 hex digits.
    public func customer(_ id: Int64) -> String {
        String(Hex.encode(HMAC<SHA256>.authenticationCode(for: Data("customer:\(id)".utf8), using: key)).prefix(32))
    }
}
