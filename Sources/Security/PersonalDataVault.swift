import Crypto
import Foundation

/// Seals personal data (names, phone numbers, addresses, e-mails) before it reaches the database.
///
/// Sealed values are `v<key version>.` followed by base64 of AES-256-GCM's nonce, ciphertext and
/// tag; each seal uses a fresh random nonce, so equal inputs give different outputs, and the
/// newest active key version (``DataKeyring``). Look-ups use ``blindIndex(_:)``, a keyed hash that
/// reveals nothing without the key.
public struct PersonalDataVault: Sendable {
    let keyring: DataKeyring
    let indexKey: SymmetricKey

    /// Creates a vault from the application's keys.
    public init(keys: SecretKeys) {
        keyring = keys.dataKeys
        indexKey = keys.blindIndex
    }

    /// A sealed value could not be opened: wrong key, or tampered with.
    public struct OpenError: Error, Equatable {
        /// Creates the error.
        public init() {}
    }

    /// Encrypts and authenticates `plaintext`.
    public func seal(_ plaintext: String) throws -> String {
        let (version, key) = keyring.sealingKey()
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key)
        guard let combined = box.combined else { throw OpenError() }
        return "v\(version)." + combined.base64EncodedString()
    }

    /// The key version `sealed` was sealed with, if it is a sealed value.
    public static func keyVersion(of sealed: String) -> Int? {
        guard sealed.hasPrefix("v"), let dot = sealed.firstIndex(of: "."), let version = Int(sealed[sealed.index(after: sealed.startIndex)..<dot]),
              version > 0 else { return nil }
        return version
    }

    /// Seals `sealed` again with the current key version; nil when it already is.
    public func resealed(_ sealed: String) throws -> String? {
        guard Self.keyVersion(of: sealed) != keyring.sealingVersion else { return nil }
        return try seal(try open(sealed))
    }

    /// Decrypts a value made by ``seal(_:)``; throws if it was altered or sealed with another key.
    public func open(_ sealed: String) throws -> String {
        guard let version = Self.keyVersion(of: sealed), let key = keyring.key(version: version),
              let data = Data(base64Encoded: String(sealed[sealed.index(after: sealed.firstIndex(of: ".")!)...])) else { throw OpenError() }
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            let plaintext = try AES.GCM.open(box, using: key)
            guard let text = String(data: plaintext, encoding: .utf8) else { throw OpenError() }
            return text
        } catch {
            throw OpenError()
        }
    }

    /// A keyed hash of `value` for equality look-ups (hex HMAC-SHA256).
    ///
    /// Callers normalise first (e.g. lower-cased e-mail) so that equal values index equally.
    public func blindIndex(_ value: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: indexKey)
        return Hex.encode(code)
    }
}
