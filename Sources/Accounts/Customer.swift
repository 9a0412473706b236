import Foundation
import GoMartModels

/// A customer's account, with personal data opened from its sealed form.
public struct Customer: Sendable, Hashable {
    /// Internal row id; never shown outside the server.
    public var internalID: CustomerID
    /// The public, unguessable id.
    public var id: UUID
    /// The sign-in e-mail, lower-cased.
    public var email: String
    /// The customer's name.
    public var name: String
    /// An optional phone number.
    public var phone: String?
    /// When the account was created.
    public var createdAt: Date
    /// The customer's personal data was erased on their request.
    public var isErased = false
    /// How the customer hears about their order's progress.
    public var updatesBy: UpdateChannels = .email

    /// Creates a customer value.
    public init(internalID: CustomerID, id: UUID, email: String, name: String, phone: String?, createdAt: Date) {
        self.internalID = internalID
        self.id = id
        self.email = email
        self.name = name
        self.phone = phone
        self.createdAt = createdAt
    }

    /// The first word of the name, for greetings.
    public var firstName: String {
        String(name.split(separator: " ").first ?? Substring(name))
    }
}

/// How a customer hears about their order's progress (picking started, out for delivery,
/// delivered). Confirmations, cancellations, refunds and account e-mails always go by e-mail.
public enum UpdateChannels: String, Sendable, Hashable, CaseIterable, Codable {
    case email
    case sms
    case both
    case none

    /// Whether updates go by e-mail.
    public var byEmail: Bool { self == .email || self == .both }
    /// Whether updates go by text message.
    public var bySMS: Bool { self == .sms || self == .both }

    /// The choice in words.
    public var label: String {
        switch self {
        case .email: "By e-mail"
        case .sms: "By text message"
        case .both: "By e-mail and text message"
        case .none: "Not at all (you still get confirmations and refunds by e-mail)"
        }
    }
}

/// A signed-in session: who it belongs to and when it ends.
public struct AuthenticatedSession: Sendable, Hashable {
    /// The customer the session belongs to.
    public var customer: Customer
    /// The SHA-256 of the session token (the token itself is never stored).
    public var tokenHash: String
    /// When the session ends at the latest, however active it is.
    public var absoluteExpiry: Date
}

/// A newly issued session token, to hand to the client exactly once.
public struct IssuedSession: Sendable {
    /// The bearer token (cookie value or `Authorization: Bearer`).
    public var token: String
    /// When the session ends at the latest.
    public var expiresAt: Date
    /// The signed-in customer.
    public var customer: Customer
}
