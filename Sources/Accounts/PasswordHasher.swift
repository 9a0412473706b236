import Crypto
import Dispatch
import Foundation
import HummingbirdBcrypt

/// Hashes and checks passwords with bcrypt, off the async executor's threads.
///
/// Bcrypt reads at most 72 bytes and stops at a NUL, so the password is pre-hashed first:
/// bcrypt is given the base64 of HMAC-SHA256(pepper, password), 44 characters with no NUL, so
/// that every byte of a long password counts, and a stolen database is useless without the
/// secret key the pepper derives from. Such hashes are stored as `p1:<bcrypt>`; older plain
/// bcrypt hashes still verify and are replaced at the next sign-in (``needsRehash(_:)``).
///
/// Bcrypt at cost 12 takes a quarter of a second of CPU on purpose; running it on a dispatch
/// queue keeps that from stalling the tasks serving other requests.
public struct PasswordHasher: Sendable {
    /// The bcrypt cost (log2 rounds). Production uses at least 12.
    public let cost: UInt8
    /// The key passwords are pre-hashed with; nil hashes them as they are (tools and old tests).
    let pepper: SymmetricKey?
    /// A real hash of a random password, checked when an e-mail is unknown so that sign-in takes
    /// as long for unknown e-mails as for wrong passwords.
    let decoyHash: String

    static let pepperedPrefix = "p1:"

    /// Creates a hasher with `cost`, pre-hashing with `pepper`.
    public init(cost: UInt8 = 12, pepper: SymmetricKey? = nil) {
        self.cost = cost
        self.pepper = pepper
        self.decoyHash = Bcrypt.hash("decoy-\(UInt64.random(in: 0...UInt64.max))", cost: cost)
    }

    /// The hash of `password` to store.
    public func hash(_ password: String) async -> String {
        let cost = cost
        guard let pepper else { return await Self.offload { Bcrypt.hash(password, cost: cost) } }
        let prehashed = Self.prehash(password, pepper: pepper)
        return Self.pepperedPrefix + (await Self.offload { Bcrypt.hash(prehashed, cost: cost) })
    }

    /// True when `password` matches `hash`; checks a decoy when `hash` is nil.
    public func verify(_ password: String, against hash: String?) async -> Bool {
        let target = hash ?? decoyHash
        let candidate: String
        let bcrypt: String
        if target.hasPrefix(Self.pepperedPrefix) {
            guard let pepper else { return false }
            candidate = Self.prehash(password, pepper: pepper)
            bcrypt = String(target.dropFirst(Self.pepperedPrefix.count))
        } else {
            candidate = password
            bcrypt = target
        }
        let matches = await Self.offload { Bcrypt.verify(candidate, hash: bcrypt) }
        return hash != nil && matches
    }

    /// True when `hash` predates pre-hashing and should be replaced.
    public func needsRehash(_ hash: String) -> Bool {
        pepper != nil && !hash.hasPrefix(Self.pepperedPrefix)
    }

    static func prehash(_ password: String, pepper: SymmetricKey) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(password.utf8), using: pepper)).base64EncodedString()
    }

    private static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }
}
