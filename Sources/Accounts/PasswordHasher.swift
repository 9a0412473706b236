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
    /// At most this many bcrypt computations run at once (one per core by default), so that a
    /// flood of sign-ins cannot take every core from the shop; more wait their turn, and beyond
    /// 256 waiting ones the answer is ``Busy``.
    let gate: BcryptGate
    /// The key passwords are pre-hashed with; nil hashes them as they are (tools and old tests).
    let pepper: SymmetricKey?
    /// A real hash of a random password, checked when an e-mail is unknown so that sign-in takes
    /// as long for unknown e-mails as for wrong passwords.
    let decoyHash: String

    static let pepperedPrefix = "p1:"

    /// Too many passwords are being checked already: try again shortly.
    public struct Busy: Error, Equatable, CustomStringConvertible {
        public init() {}
        public var description: String { "Too many sign-ins at once; please try again in a moment." }
    }

    /// Creates a hasher with `cost`, pre-hashing with `pepper`, running at most `concurrency`
    /// bcrypt computations at once.
    public init(cost: UInt8 = 12, pepper: SymmetricKey? = nil, concurrency: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.cost = cost
        self.pepper = pepper
        self.gate = BcryptGate(limit: max(concurrency, 1))
        self.decoyHash = Bcrypt.hash("decoy-\(UInt64.random(in: 0...UInt64.max))", cost: cost)
    }

    /// The hash of `password` to store.
    public func hash(_ password: String) async throws -> String {
        let cost = cost
        guard let pepper else { return try await gated { Bcrypt.hash(password, cost: cost) } }
        let prehashed = Self.prehash(password, pepper: pepper)
        return Self.pepperedPrefix + (try await gated { Bcrypt.hash(prehashed, cost: cost) })
    }

    /// True when `password` matches `hash`; checks a decoy when `hash` is nil.
    public func verify(_ password: String, against hash: String?) async throws -> Bool {
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
        let matches = try await gated { Bcrypt.verify(candidate, hash: bcrypt) }
        return hash != nil && matches
    }

    /// True when `hash` predates pre-hashing and should be replaced.
    public func needsRehash(_ hash: String) -> Bool {
        pepper != nil && !hash.hasPrefix(Self.pepperedPrefix)
    }

    static func prehash(_ password: String, pepper: SymmetricKey) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(password.utf8), using: pepper)).base64EncodedString()
    }

    /// Runs `work` off the executor once the gate lets it in.
    private func gated<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
        try await gate.enter()
        defer { gate.leave() }
        return await Self.offload(work)
    }

    /// The most computations that ran at once so far (for tests and metrics).
    public var peakConcurrency: Int { gate.peak }

    private static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }
}

/// A counting gate: at most `limit` holders at once, the rest wait in order, and at most
/// `maximumWaiting` may wait.
public final class BcryptGate: @unchecked Sendable {
    /// How many may wait by default.
    public static let defaultMaximumWaiting = 256
    private let lock = NSLock()
    private let limit: Int
    private let maximumWaiting: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var highest = 0

    /// A gate for `limit` holders at once and `maximumWaiting` waiting.
    public init(limit: Int, maximumWaiting: Int = BcryptGate.defaultMaximumWaiting) {
        self.limit = limit
        self.maximumWaiting = maximumWaiting
    }

    /// The most holders there have been at once.
    public var peak: Int { lock.withLock { highest } }
    /// How many wait now.
    public var waitingCount: Int { lock.withLock { waiting.count } }

    /// Waits for a place; throws ``PasswordHasher/Busy`` when too many wait already.
    public func enter() async throws {
        enum Admission { case now, wait, refuse }
        let admission: Admission = lock.withLock {
            if running < limit {
                running += 1
                highest = max(highest, running)
                return .now
            }
            return waiting.count >= maximumWaiting ? .refuse : .wait
        }
        switch admission {
        case .now: return
        case .refuse: throw PasswordHasher.Busy()
        case .wait:
            await withCheckedContinuation { continuation in
                let admitted: Bool = lock.withLock {
                    if running < limit {
                        running += 1
                        highest = max(highest, running)
                        return true
                    }
                    waiting.append(continuation)
                    return false
                }
                if admitted { continuation.resume() }
            }
        }
    }

    /// Gives the place up (to the next in line, if any).
    public func leave() {
        let next: CheckedContinuation<Void, Never>? = lock.withLock {
            guard !waiting.isEmpty else {
                running -= 1
                return nil
            }
            // The slot passes straight to the next in line.
            return waiting.removeFirst()
        }
        next?.resume()
    }
}
