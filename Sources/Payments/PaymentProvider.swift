import GoMartModels

/// A card payment gateway.
///
/// Live gateways and the built-in sandbox implement this; checkout depends only on it.
public protocol PaymentProvider: Sendable {
    /// The provider's name, stored with each payment.
    var name: String { get }
    /// Charges `amount` to `card`. Returns the outcome; throws ``PaymentError/processingFailed(_:)``
    /// when the gateway could not process the charge at all.
    func charge(amount: Money, card: CardDetails, orderReference: String, idempotencyKey: String) async throws -> ChargeOutcome
}

/// What a charge came to.
public enum ChargeOutcome: Sendable, Equatable {
    /// The money was taken.
    case succeeded(PaymentReceipt)
    /// The card issuer refused.
    case declined(DeclineReason)
}

/// Proof of a successful charge: what may be stored.
public struct PaymentReceipt: Sendable, Equatable {
    /// The provider's reference for the charge.
    public var reference: String
    /// The card's brand.
    public var brand: String
    /// The card's last four digits.
    public var lastFour: String

    /// Creates a receipt.
    public init(reference: String, brand: String, lastFour: String) {
        self.reference = reference
        self.brand = brand
        self.lastFour = lastFour
    }
}

/// Why a card was declined.
public enum DeclineReason: String, Sendable, Equatable {
    /// The issuer declined without saying why.
    case declined = "card_declined"
    /// Not enough money on the card.
    case insufficientFunds = "insufficient_funds"

    /// The reason in words for the shopper.
    public var message: String {
        switch self {
        case .declined: "Your card was declined. Please use another card."
        case .insufficientFunds: "Your card was declined for insufficient funds. Please use another card."
        }
    }
}

/// A charge that could not be processed.
public enum PaymentError: Error, Equatable {
    /// The gateway failed to process the charge; nothing was taken.
    case processingFailed(String)
}
