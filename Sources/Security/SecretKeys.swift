import Crypto
import Foundation

/// The application's master secret and the purpose-specific keys derived from it.
///
/// One 256-bit master key is configured (`GOMART_SECRET_KEY`, base64) or, in development,
/// generated into the data folder with 0600 permissions. Each use gets its own key derived with
/// HKDF-SHA256, so that a key leaked from one purpose does not unlock another.
public struct SecretKeys: Sendable {
    /// The versions of the key sealing personal data with AES-GCM (version 1 derived from the
    /// master key), shared by every vault made from these keys.
    public let dataKeys: DataKeyring
    /// Key for keyed hashes (blind indexes) of personal data, such as e-mail look-ups.
    public let blindIndex: SymmetricKey
    /// Key for signing CSRF tokens.
    public let csrf: SymmetricKey
    /// Key for pseudonymous identifiers in exports and logs.
    public let pseudonyms: SymmetricKey
    /// Passwords are pre-hashed with this before bcrypt.
    public let passwordPepper: SymmetricKey

    /// Derives every purpose key from `master`.
    public init(master: SymmetricKey) {
        func derive(_ purpose: String) -> SymmetricKey {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data("gomart:\(purpose):v1".utf8), outputByteCount: 32)
        }
        dataKeys = DataKeyring(first: derive("pii-encryption"), wrappingKey: derive("data-key-wrapping"))
        blindIndex = derive("pii-blind-index")
        csrf = derive("csrf")
        pseudonyms = derive("pseudonyms")
        passwordPepper = derive("password-pepper")
    }

    /// Problems loading or creating the master key.
    public enum LoadError: Error, Equatable, CustomStringConvertible {
        /// The configured key is not base64 of 32 bytes.
        case malformed(source: String)
        /// The key file exists but can be read by other users.
        case insecurePermissions(path: String)

        public var description: String {
            switch self {
            case .malformed(let source): "\(source) must be 32 random bytes in base64 (try: openssl rand -base64 32)"
            case .insecurePermissions(let path): "\(path) must be readable by its owner only (chmod 600 \(path))"
            }
        }
    }

    /// The application's keys from a configured base64 master key, else from the key file at
    /// `keyFilePath` (created if absent), else from a random key that lives only in memory.
    public static func resolve(configuredBase64: String?, source: String, keyFilePath: String?) throws -> SecretKeys {
        if let configuredBase64 {
            return SecretKeys(master: try master(base64: configuredBase64, source: source))
        }
        if let keyFilePath {
            return SecretKeys(master: try loadOrCreateKeyFile(at: keyFilePath))
        }
        return SecretKeys(master: SymmetricKey(size: .bits256))
    }

    /// Parses a base64 master key.
    public static func master(base64 text: String, source: String) throws -> SymmetricKey {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            throw LoadError.malformed(source: source)
        }
        return SymmetricKey(data: data)
    }

    /// Reads the development key file at `path`, creating it (0600) with a fresh random key if absent.
    public static func loadOrCreateKeyFile(at path: String) throws -> SymmetricKey {
        let manager = FileManager.default
        if manager.fileExists(atPath: path) {
            let attributes = try manager.attributesOfItem(atPath: path)
            if let permissions = attributes[.posixPermissions] as? NSNumber, permissions.intValue & 0o077 != 0 {
                throw LoadError.insecurePermissions(path: path)
            }
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return try master(base64: text, source: path)
        }
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard manager.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return key
    }
}
