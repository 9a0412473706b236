import Crypto
import Foundation
import Synchronization

/// The versions of the key that seals personal data, shared by every ``PersonalDataVault`` of a
/// process.
///
/// Version 1 is derived from the master key. `gomart keys rotate` adds a random key of the next
/// version, stored in the database wrapped (AES-GCM) with a key derived from the master key, so
/// the master key alone still unlocks everything and never changes. A new version becomes the
/// one that seals at its activation time, the same moment on every instance (each reads the
/// keyring again every few seconds, well before that); older versions stay readable, so data
/// sealed with them opens while it is being re-sealed.
public final class DataKeyring: Sendable {
    /// One key version as the database stores it.
    public struct StoredKey: Sendable, Equatable {
        public var version: Int
        /// The key, wrapped with the master-derived wrapping key.
        public var wrapped: String
        /// When it starts sealing (seconds since 1970).
        public var activatesAt: Int64

        public init(version: Int, wrapped: String, activatesAt: Int64) {
            self.version = version
            self.wrapped = wrapped
            self.activatesAt = activatesAt
        }
    }

    private struct Version {
        var key: SymmetricKey
        var activatesAt: Int64
    }

    private let wrappingKey: SymmetricKey
    private let versions: Mutex<[Int: Version]>
    private let now: @Sendable () -> Int64

    init(first: SymmetricKey, wrappingKey: SymmetricKey, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.wrappingKey = wrappingKey
        self.now = now
        versions = Mutex([1: Version(key: first, activatesAt: 0)])
    }

    /// The key and version that seal now: the newest active one.
    func sealingKey() -> (version: Int, key: SymmetricKey) {
        let instant = now()
        return versions.withLock { table in
            let active = table.filter { $0.value.activatesAt <= instant }.max { $0.key < $1.key } ?? (1, table[1]!)
            return (active.key, active.value.key)
        }
    }

    /// The key of `version`, if this process knows it.
    func key(version: Int) -> SymmetricKey? {
        versions.withLock { $0[version]?.key }
    }

    /// The version that seals now.
    public var sealingVersion: Int { sealingKey().version }

    /// Every version this process can open.
    public var knownVersions: [Int] { versions.withLock { $0.keys.sorted() } }

    /// Adds the stored versions this process does not know yet; throws if one cannot be unwrapped
    /// (another master key).
    public func install(_ stored: [StoredKey]) throws {
        var unwrapped: [Int: Version] = [:]
        for entry in stored where key(version: entry.version) == nil {
            guard entry.version > 1, let data = Data(base64Encoded: entry.wrapped),
                  let box = try? AES.GCM.SealedBox(combined: data),
                  let raw = try? AES.GCM.open(box, using: wrappingKey, authenticating: Data("data-key:\(entry.version)".utf8)),
                  raw.count == 32 else { throw UnwrapError(version: entry.version) }
            unwrapped[entry.version] = Version(key: SymmetricKey(data: raw), activatesAt: entry.activatesAt)
        }
        guard !unwrapped.isEmpty else { return }
        versions.withLock { $0.merge(unwrapped) { old, _ in old } }
    }

    /// A new random key of the next version, wrapped for storage, activating at `activatesAt`.
    public func newVersion(after latest: Int, activatesAt: Int64) throws -> StoredKey {
        let version = latest + 1
        let key = SymmetricKey(size: .bits256)
        let box = try key.withUnsafeBytes { try AES.GCM.seal(Data($0), using: wrappingKey, authenticating: Data("data-key:\(version)".utf8)) }
        guard let combined = box.combined else { throw UnwrapError(version: version) }
        return StoredKey(version: version, wrapped: combined.base64EncodedString(), activatesAt: activatesAt)
    }

    /// A stored key version could not be unwrapped with this master key.
    public struct UnwrapError: Error, CustomStringConvertible {
        public var version: Int
        public var description: String {
            "data key version \(version) cannot be unwrapped: it was made with another GOMART_SECRET_KEY"
        }
    }
}

/// A column that holds sealed personal data, declared by the module that owns its table so that
/// key rotation can re-seal it. Every such table has an integer `id` primary key.
public struct SealedColumn: Sendable, Hashable, CustomStringConvertible {
    public var table: String
    public var column: String

    public init(table: String, column: String) {
        self.table = table
        self.column = column
    }

    public var description: String { "\(table).\(column)" }
}
