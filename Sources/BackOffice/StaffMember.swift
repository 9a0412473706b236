import Accounts
import Foundation

/// A member of the grocer's team. Never a customer: staff have their own table, sessions and cookie.
public struct StaffMember: Sendable, Hashable {
    /// The internal row id.
    public var internalID: Int64
    /// The public id.
    public var id: UUID
    /// The e-mail address they sign in with (lower case).
    public var email: String
    /// Their name, as colleagues and the audit log show it.
    public var name: String
    /// What they do.
    public var role: StaffRole
    /// When the account was made.
    public var createdAt: Date
    /// A disabled account cannot sign in; its sessions end.
    public var isDisabled: Bool

    /// True when the role grants `permission` and the account is enabled.
    public func may(_ permission: StaffPermission) -> Bool {
        !isDisabled && role.permissions.contains(permission)
    }
}

/// What a new member of staff needs to set up their second factor, shown once: the secret for
/// an authenticator app (also as an `otpauth://` address for a QR code) and recovery codes, each
/// good for one sign-in without the app. Only the sealed secret and the codes' hashes are kept.
public struct SecondFactorEnrolment: Sendable {
    /// The secret in base32, for typing into an authenticator app.
    public var secret: String
    /// The `otpauth://totp/…` address.
    public var provisioningURI: String
    /// Ten single-use recovery codes, `XXXXX-XXXXX`.
    public var recoveryCodes: [String]
}

/// A member of staff just added, with their second factor when their role needs one.
public struct StaffEnrolment: Sendable {
    public var member: StaffMember
    /// Present for owners and managers.
    public var secondFactor: SecondFactorEnrolment?
}

/// A started staff session: the token for the cookie or bearer header (only its hash is stored).
public struct StaffSession: Sendable {
    public var token: String
    public var member: StaffMember
    public var expiresAt: Date
}

extension SessionPolicy {
    /// Staff sessions are shorter than a shopper's, since a back office can move money: 30 minutes
    /// idle, 12 hours at most (a working day); the last use is written at most once a minute.
    public static let staff = SessionPolicy(idleTimeout: 30 * 60, absoluteTimeout: 12 * 3_600, touchInterval: 60)
}
