import Payments
import Promotions
import Slots

/// Why an order could not be placed or shown; controllers map these to 4xx answers.
public enum CheckoutError: Error, CustomStringConvertible {
    /// Delivery or card fields are invalid, keyed by field.
    case invalidFields([String: String])
    /// The order itself has problems (stock, quantities, minimum order).
    case orderInvalid(OrderQuote)
    /// The card was declined; the order was cancelled and its stock returned.
    case paymentDeclined(DeclineReason)
    /// The payment could not be processed; nothing was charged.
    case paymentFailed
    /// The idempotency key is missing or malformed.
    case invalidIdempotencyKey
    /// The idempotency key was already used for a different request.
    case idempotencyKeyReused
    /// No such order for this customer.
    case orderNotFound
    /// The order needs a slot and has none, or its slot cannot take it (closed, outside the area).
    case slot(SlotError)
    /// The voucher could not be taken (its last use went to another order meanwhile, say); the
    /// order was not placed.
    case voucher(VoucherProblem)

    public var description: String {
        switch self {
        case .invalidFields(let fields): fields.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        case .orderInvalid(let quote): quote.problems.map(\.message).joined(separator: " ")
        case .paymentDeclined(let reason): reason.message
        case .paymentFailed: "We could not process the payment and nothing was charged. Please try again."
        case .invalidIdempotencyKey: "An Idempotency-Key of 8 to 100 letters, digits, '-' or '_' is required."
        case .idempotencyKeyReused: "This idempotency key was already used for a different order."
        case .orderNotFound: "We could not find that order."
        case .slot(let error): error.description
        case .voucher(let problem): problem.description
        }
    }
}
