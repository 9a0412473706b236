import Dispatch
import HummingbirdBcrypt

/// Hashes and checks passwords with bcrypt, off the async executor's threads.
///
/// Bcrypt at cost 12 takes a quarter of a second of CPU on purpose; running it on a dispatch
/// queue keeps that from stalling the tasks serving other requests.
public struct PasswordHasher: Sendable {
    /// The bcrypt cost (log2 rounds). Production uses at least 12.
    public let cost: UInt8
    /// A real hash of a random password, checked when an e-mail is unknown so that sign-in takes
    /// as long for unknown e-mails as for wrong passwords.
    let decoyHash: String

    /// Creates a hasher with `cost`.
    public init(cost: UInt8 = 12) {
        self.cost = cost
        self.decoyHash = Bcrypt.hash("decoy-\(UInt64.random(in: 0...UInt64.max))", cost: cost)
    }

    /// The bcrypt hash of `password`.
    public func hash(_ password: String) async -> String {
        let cost = cost
        return await Self.offload { Bcrypt.hash(password, cost: cost) }
    }

    /// True when `password` matches `hash`; checks a decoy when `hash` is nil.
    public func verify(_ password: String, against hash: String?) async -> Bool {
        let target = hash ?? decoyHash
        let matches = await Self.offload { Bcrypt.verify(password, hash: target) }
        return hash != nil && matches
    }

    private static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }
}
