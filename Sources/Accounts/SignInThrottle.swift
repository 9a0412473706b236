import Foundation
import SQLKit
import Storage

/// Protects accounts from password guessing, across every instance: each failed sign-in for an
/// account (keyed by its e-mail's blind index, so unknown e-mails are counted the same way and the
/// answer never says whether an account exists) makes the next attempt wait longer, and
/// ``Policy/lockAfter`` failures within ``Policy/window`` lock it for ``Policy/lockFor``. A lock
/// ends by itself; a successful sign-in clears the count.
public struct SignInThrottle: Sendable {
    /// How hard the throttle is.
    public struct Policy: Sendable, Equatable {
        /// Failures allowed before attempts must wait.
        public var freeFailures: Int
        /// Failures within ``window`` that lock the account.
        public var lockAfter: Int
        /// How far back failures count.
        public var window: TimeInterval
        /// How long a lock lasts.
        public var lockFor: TimeInterval

        /// 3 free failures, then waits of 2, 4, 8 … seconds (at most a minute); 10 failures in 15
        /// minutes lock the account for 15 minutes.
        public init(freeFailures: Int = 3, lockAfter: Int = 10, window: TimeInterval = 900, lockFor: TimeInterval = 900) {
            self.freeFailures = freeFailures
            self.lockAfter = lockAfter
            self.window = window
            self.lockFor = lockFor
        }
    }

    /// The account must wait this long before the next attempt.
    public struct Locked: Error, Equatable, CustomStringConvertible {
        public var retryAfter: Int

        public init(retryAfter: Int) {
            self.retryAfter = retryAfter
        }

        public var description: String {
            retryAfter >= 60
                ? "Too many failed attempts: sign-in for this account is paused for \((retryAfter + 59) / 60) minute\((retryAfter + 59) / 60 == 1 ? "" : "s")."
                : "Too many failed attempts: try again in \(retryAfter) second\(retryAfter == 1 ? "" : "s")."
        }
    }

    let database: Database
    public let policy: Policy
    let now: @Sendable () -> Date

    /// Creates the throttle over `database` (table `sign_in_throttle`, owned by accounts).
    public init(database: Database, policy: Policy = Policy(), now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.policy = policy
        self.now = now
    }

    /// Throws ``Locked`` while `key` must wait (in whole seconds, rounded up).
    public func check(_ key: String) async throws {
        let milliseconds = Self.milliseconds(now())
        let lockedUntil = try await database.read { sql in
            try await sql.select().column("locked_until").from("sign_in_throttle").where("account_key", .equal, SQLBind(key)).first()?
                .decode(column: "locked_until", as: Int64.self)
        }
        if let lockedUntil, lockedUntil > milliseconds { throw Locked(retryAfter: Int((lockedUntil - milliseconds + 999) / 1_000)) }
    }

    /// Times in the table are milliseconds, so that a wait is never reported shorter than it is.
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000).rounded(.down))
    }

    /// Counts a failure for `key`; returns the wait it now imposes (0 when none).
    @discardableResult
    public func recordFailure(_ key: String) async throws -> Int {
        let timestamp = Self.milliseconds(now())
        let policy = policy
        return try await database.transaction { sql in
            let row = try await sql.select().columns("failures", "window_start").from("sign_in_throttle")
                .where("account_key", .equal, SQLBind(key)).first()
            var failures = try row?.decode(column: "failures", as: Int.self) ?? 0
            var windowStart = try row?.decode(column: "window_start", as: Int64.self) ?? timestamp
            if timestamp - windowStart >= Int64(policy.window * 1_000) {
                failures = 0
                windowStart = timestamp
            }
            failures += 1
            let wait: Int64
            if failures >= policy.lockAfter {
                wait = Int64(policy.lockFor)
            } else if failures > policy.freeFailures {
                wait = min(Int64(1) << min(failures - policy.freeFailures, 6), 60)
            } else {
                wait = 0
            }
            try await sql.insert(into: "sign_in_throttle").columns("account_key", "failures", "window_start", "locked_until")
                .values(SQLBind(key), SQLBind(failures), SQLBind(windowStart), SQLBind(timestamp + wait * 1_000))
                .onConflict(with: ["account_key"]) { $0.set(excludedValueOf: "failures").set(excludedValueOf: "window_start").set(excludedValueOf: "locked_until") }
                .run()
            return Int(wait)
        }
    }

    /// Forgets the failures of `key` (a successful sign-in).
    public func recordSuccess(_ key: String) async throws {
        try await database.transaction { sql in
            try await sql.delete(from: "sign_in_throttle").where("account_key", .equal, SQLBind(key)).run()
        }
    }
}
