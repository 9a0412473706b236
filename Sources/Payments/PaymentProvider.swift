import GoMartModels

/// A card payment gateway.
///
/// Live gateways and the built-in sandbox implement this; checkout depends only on it.
public protocol PaymentProvider: Sendable {
    /// The provider's name, stored with each payment.
    var name: String { get }
    /// Charges `amount` to `card`. Returns the outcome; throws ``PaymentError/processingFailed(_:)``
    /// when the gateway could not process the charge at all.
    /// Repeating a charge with the same `idempotencyKey` returns the first outcome and takes no more money.
    func charge(amount: Money, card: CardDetails, orderReference: String, idempotencyKey: String) async throws -> ChargeOutcome
    /// Gives back `amount` of the charge `chargeReference`. Repeating a refund with the same
    /// `idempotencyKey` returns the first refund and gives back nothing more. Throws
    /// ``PaymentError/refundRejected(_:)`` when the charge is unknown or the refunds would exceed it.
    func refund(chargeReference: String, amount: Money, idempotencyKey: String) async throws -> RefundReceipt
    /// What became of the charge made with `idempotencyKey`: how an order left waiting by a crash
    /// or a lost answer is settled.
    func lookUpCharge(idempotencyKey: String) async throws -> ChargeLookup
}

/// What the gateway knows of a charge, found by its idempotency key.
public enum ChargeLookup: Sendable, Equatable {
    /// The money was taken.
    case succeeded(PaymentReceipt)
    /// The issuer refused it.
    case declined(DeclineReason)
    /// No charge was made with this key.
    case notFound
}

/// Proof of a refund.
public struct RefundReceipt: Sendable, Equatable {
    /// The provider's reference for the refund.
    public var reference: String
    /// How much was given back.
    public var amount: Money

    /// Creates a receipt.
    public init(reference: String, amount: Money) {
        self.reference = reference
        self.amount = amount
    }
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
    /// The gateway refused a refund: an unknown charge, or more than is left of it.
    case refundRejected(String)
}
