import Foundation
import GoMartModels
import Security

/// The rules of password reset links, which e-mail delivers (an outbox event `password_reset`
/// written with the link, for the notifications worker):
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
    /// The outbox topic of the e-mail with the link.
    public static let topic = "password_reset"
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
        let expiresAt = timestamp + Int64(Self.lifetime)
        // The e-mail with the link: an outbox event carrying the token sealed, opened only when
        // the message is written.
        let event = (topic: Self.topic, aggregateID: customer.id.publicString, payload: [
            "customer_id": String(customer.internalID.rawValue), "token_sealed": try accounts.vault.seal(token), "expires_at": String(expiresAt),
        ])
        guard try await accounts.repository.insertPasswordReset(
            customerID: customer.internalID.rawValue, tokenHash: RandomToken.hash(token), now: timestamp,
            expiresAt: expiresAt, windowStart: timestamp - 3_600, limit: Self.perAccountPerHour, event: event
        ) else { return nil }
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
        let customerID = try await accounts.repository.redeemPasswordReset(tokenHash: RandomToken.hash(token), passwordHash: hash, now: timestamp)
        guard let customerID else { throw LinkNotValid() }
        accounts.forgetSessions(of: CustomerID(customerID))
        // A reset lifts a sign-in lock on the account.
        if let stored = try await accounts.repository.customer(internalID: customerID) {
            try await accounts.throttle.recordSuccess(AccountsService.throttleKey(emailIndex: stored.emailIndex))
        }
    }
}

extension AccountsService {
    /// Password reset links (``PasswordReset``).
    public var passwordReset: PasswordReset { PasswordReset(accounts: self) }
}
