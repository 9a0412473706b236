import Crypto
import Foundation

/// Seals personal data (names, phone numbers, addresses, e-mails) before it reaches the database.
///
/// Sealed values are `v1.` followed by base64 of AES-256-GCM's nonce, ciphertext and tag; each
/// seal uses a fresh random nonce, so equal inputs give different outputs. Look-ups use
/// ``blindIndex(_:)``, a keyed hash that reveals nothing without the key.
public struct PersonalDataVault: Sendable {
    let encryptionKey: SymmetricKey
    let indexKey: SymmetricKey

    /// Creates a vault from the application's keys.
    public init(keys: SecretKeys) {
        encryptionKey = keys.personalDataEncryption
        indexKey = keys.blindIndex
    }

    /// A sealed value could not be opened: wrong key, or tampered with.
    public struct OpenError: Error, Equatable {
        /// Creates the error.
        public init() {}
    }

    /// Encrypts and authenticates `plaintext`.
    public func seal(_ plaintext: String) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: encryptionKey)
        guard let combined = box.combined else { throw OpenError() }
        return "v1." + combined.base64EncodedString()
    }

    /// Decrypts a value made by ``seal(_:)``; throws if it was altered or sealed with another key.
    public func open(_ sealed: String) throws -> String {
        guard sealed.hasPrefix("v1."), let data = Data(base64Encoded: String(sealed.dropFirst(3))) else { throw OpenError() }
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            let plaintext = try AES.GCM.open(box, using: encryptionKey)
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
