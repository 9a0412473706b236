import Foundation
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

    /// Reserves `amount` on the card (or a payment method saved by an earlier authorisation)
    /// without taking it: the money is taken later by ``capture(authorisation:amount:idempotencyKey:)``,
    /// up to the amount authorised, or released by ``void(authorisation:idempotencyKey:)`` or when
    /// the authorisation expires. Repeating the call with the same `idempotencyKey` returns the
    /// first outcome and reserves nothing more.
    func authorise(amount: Money, source: PaymentSource, orderReference: String, idempotencyKey: String) async throws -> AuthorisationOutcome
    /// Takes `amount` (at most what was authorised; less releases the rest) of the authorisation.
    /// An authorisation is captured once: repeating the call with the same `idempotencyKey` returns
    /// the first capture. Throws ``PaymentError/captureRejected(_:)`` for an unknown, voided,
    /// expired or already captured authorisation, or an amount above it.
    func capture(authorisation: String, amount: Money, idempotencyKey: String) async throws -> CaptureReceipt
    /// Releases an authorisation that will not be captured. Voiding a voided one does nothing;
    /// a captured one is ``PaymentError/captureRejected(_:)``.
    func void(authorisation: String, idempotencyKey: String) async throws
    /// What became of the authorisation asked for with `idempotencyKey`.
    func lookUpAuthorisation(idempotencyKey: String) async throws -> AuthorisationLookup
}

/// What pays: a card typed at checkout, or a payment method the provider saved from an earlier
/// authorisation (for re-authorising without the card).
public enum PaymentSource: Sendable {
    case card(CardDetails)
    case saved(String)
}

/// What an authorisation came to.
public enum AuthorisationOutcome: Sendable, Equatable {
    /// The amount is reserved on the card.
    case authorised(Authorisation)
    /// The card issuer refused.
    case declined(DeclineReason)
}

/// What the gateway knows of an authorisation, found by its idempotency key.
public enum AuthorisationLookup: Sendable, Equatable {
    case authorised(Authorisation)
    case declined(DeclineReason)
    case notFound
}

/// An amount reserved on a card: what may be stored.
public struct Authorisation: Sendable, Equatable {
    /// The provider's reference, to capture or void it.
    public var reference: String
    /// How much is reserved.
    public var amount: Money
    /// After this the reservation lapses and cannot be captured (about 7 days for cards).
    public var expiresAt: Date
    /// The provider's saved payment method, for a later authorisation without the card.
    public var paymentMethod: String
    /// The card's brand and last four digits.
    public var brand: String
    public var lastFour: String

    /// Creates an authorisation.
    public init(reference: String, amount: Money, expiresAt: Date, paymentMethod: String, brand: String, lastFour: String) {
        self.reference = reference
        self.amount = amount
        self.expiresAt = expiresAt
        self.paymentMethod = paymentMethod
        self.brand = brand
        self.lastFour = lastFour
    }

    /// The receipt an order keeps.
    public var receipt: PaymentReceipt { PaymentReceipt(reference: reference, brand: brand, lastFour: lastFour) }
}

/// Proof of a capture.
public struct CaptureReceipt: Sendable, Equatable {
    /// The provider's reference for the capture.
    public var reference: String
    /// How much was taken.
    public var amount: Money

    /// Creates a receipt.
    public init(reference: String, amount: Money) {
        self.reference = reference
        self.amount = amount
    }
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
    /// The gateway refused a capture or void: unknown, expired, voided or already captured, or
    /// more than was authorised.
    case captureRejected(String)
}
