import Crypto
import Foundation

/// Signed double-submit CSRF tokens, bound to the visitor's cookie.
///
/// The token for a visitor is an HMAC of the visitor id, so it cannot be forged without the key
/// and a token stolen for one visitor is useless for another. The visitor cookie is HttpOnly and
/// SameSite=Lax, so another site can neither read it nor have it sent with a cross-site POST.
public struct CSRFTokens: Sendable {
    let key: SymmetricKey

    /// Creates the token service from the application's keys.
    public init(keys: SecretKeys) {
        key = keys.csrf
    }

    /// The token that forms must carry for `visitorID`.
    public func token(for visitorID: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(visitorID.utf8), using: key)
        return Data(code).base64URLEncoded()
    }

    /// True when `token` is the one issued for `visitorID` (compared in constant time).
    public func isValid(_ token: String?, for visitorID: String) -> Bool {
        guard let token, let given = Data(base64URLEncoded: token) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Data(visitorID.utf8), using: key)
    }
}

/// Random, URL-safe tokens for cookies and keys.
public enum RandomToken {
    /// A token of `bytes` random bytes from the system CSPRNG, base64url without padding.
    public static func make(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        var data = Data(count: bytes)
        for index in 0..<bytes { data[index] = UInt8.random(in: 0...255, using: &generator) }
        return data.base64URLEncoded()
    }

    /// The SHA-256 of `token` in hex, for storing tokens so that a database leak does not leak them.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

extension Data {
    func base64URLEncoded() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init?(base64URLEncoded text: String) {
        guard text.count <= 200 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        self.init(base64Encoded: base64)
    }
}
