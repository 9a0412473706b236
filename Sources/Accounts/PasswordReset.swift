import Foundation
import GoMartModels
import Security
import SQLKit
import Storage

/// The rules of password reset links, which e-mail delivers (the notifications' work):
///
/// - a link carries a single-use token of 256 bits from the system's CSPRNG, stored only as its
///   SHA-256, that expires `lifetime` after it was issued (30 minutes);
/// - issuing a new link voids the account's earlier ones;
/// - at most `perAccountPerHour` links are issued per account in an hour, counted in the
///   database so that every instance sees the same count; beyond it, and for an e-mail without
///   an account, nothing is issued, and the caller answers exactly as when a link is sent;
/// - using a link sets the new password, ends every session of the account and lifts a sign-in
///   lock; a used, voided or expired link is refused, and two racing uses cannot both succeed.
public struct PasswordReset: Sendable {
    /// How long a link lasts.
    public static let lifetime: TimeInterval = 30 * 60
    /// The most links issued to one account in an hour.
    public static let perAccountPerHour = 3

    /// A link to send: the token goes in the link, the rest in the message.
    public struct Issued: Sendable {
        public var token: String
        public var customer: Customer
        public var expiresAt: Date
    }

    /// A reset link that is unknown, used, voided or expired.
    public struct LinkNotValid: Error, Equatable, CustomStringConvertible {
        public init() {}
        public var description: String { "This password reset link has expired or was already used. Ask for a new one." }
    }

    let accounts: AccountsService

    /// Issues a link for the account with `email`; nil when there is none, or when the account
    /// has had ``perAccountPerHour`` links in the last hour (the caller's answer is the same).
    public func request(email: String) async throws -> Issued? {
        guard let customer = try await accounts.customer(email: email), !customer.isErased else { return nil }
        let now = accounts.now()
        let timestamp = Int64(now.timeIntervalSince1970)
        let token = RandomToken.make(bytes: 32)
        let issued = try await accounts.repository.database.transaction { sql -> Bool in
            let recent = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("password_resets")
                .where("customer_id", .equal, SQLBind(customer.internalID.rawValue)).where("created_at", .greaterThan, SQLBind(timestamp - 3_600))
                .first()?.decode(column: "n", as: Int.self) ?? 0
            guard recent < Self.perAccountPerHour else { return false }
            try await sql.update("password_resets").set("used_at", to: SQLBind(timestamp))
                .where("customer_id", .equal, SQLBind(customer.internalID.rawValue)).where("used_at", .is, SQLLiteral.null).run()
            try await sql.insert(into: "password_resets").columns("customer_id", "token_hash", "created_at", "expires_at")
                .values(SQLBind(customer.internalID.rawValue), SQLBind(RandomToken.hash(token)), SQLBind(timestamp),
                        SQLBind(timestamp + Int64(Self.lifetime)))
                .run()
            return true
        }
        guard issued else { return nil }
        return Issued(token: token, customer: customer, expiresAt: now.addingTimeInterval(Self.lifetime))
    }

    /// Sets `newPassword` with the link's `token`: throws ``LinkNotValid``, or
    /// ``AccountsError/invalidFields(_:)`` for a password the policy refuses (the link stays usable).
    public func complete(token: String, newPassword: String) async throws {
        if let reason = accounts.passwordPolicy.problem(with: newPassword) {
            throw AccountsError.invalidFields(["new_password": "Your new password \(reason)."])
        }
        guard token.count <= 100 else { throw LinkNotValid() }
        let hash = try await accounts.hasher.hash(newPassword)
        let timestamp = Int64(accounts.now().timeIntervalSince1970)
        let customerID = try await accounts.repository.database.transaction { sql -> Int64? in
            guard let row = try await sql.select().columns("id", "customer_id").from("password_resets")
                .where("token_hash", .equal, SQLBind(RandomToken.hash(token))).where("used_at", .is, SQLLiteral.null)
                .where("expires_at", .greaterThan, SQLBind(timestamp)).first() else { return nil }
            let id = try row.decode(column: "id", as: Int64.self)
            let customerID = try row.decode(column: "customer_id", as: Int64.self)
            // Claimed by a conditional update: of two racing uses, one changes a row.
            let claimed = try await sql.update("password_resets").set("used_at", to: SQLBind(timestamp))
                .where("id", .equal, SQLBind(id)).where("used_at", .is, SQLLiteral.null)
                .returning("id").first()
            guard claimed != nil else { return nil }
            try await sql.update("customers").set("password_hash", to: SQLBind(hash)).where("id", .equal, SQLBind(customerID)).run()
            try await sql.delete(from: "sessions").where("customer_id", .equal, SQLBind(customerID)).run()
            return customerID
        }
        guard let customerID else { throw LinkNotValid() }
        // A reset lifts a sign-in lock on the account.
        if let stored = try await accounts.repository.customer(internalID: customerID) {
            try await accounts.throttle.recordSuccess("customer:" + accounts.vault.blindIndex(try accounts.open(stored).email))
        }
    }
}

extension AccountsService {
    /// Password reset links (``PasswordReset``).
    public var passwordReset: PasswordReset { PasswordReset(accounts: self) }
}
