import Foundation
import GoMartModels

/// Where an order stands.
public enum OrderStatus: String, Sendable, Codable {
    /// Stock is reserved; the payment has not completed.
    case pendingPayment = "pending_payment"
    /// Paid; fulfilment follows.
    case paid
    /// Payment failed or was never completed; stock was returned.
    case cancelled

    /// The status in words.
    public var label: String {
        switch self {
        case .pendingPayment: "Awaiting payment"
        case .paid: "Paid"
        case .cancelled: "Cancelled"
        }
    }
}

/// One line of an order, with the price it was sold at.
public struct OrderLine: Sendable, Hashable {
    public var productID: ProductID
    public var sku: String
    public var name: String
    public var packSize: String
    public var unitPrice: Money
    public var quantity: Int
    public var lineTotal: Money
}

/// An order as its customer sees it.
public struct Order: Sendable {
    /// The unguessable id used in addresses.
    public var id: OrderID
    /// The short number to quote, e.g. `GM-7KQ4XN`.
    public var number: String
    public var status: OrderStatus
    public var lines: [OrderLine]
    public var subtotal: Money
    public var deliveryFee: Money
    public var total: Money
    /// The card's brand and last four digits, once paid.
    public var cardBrand: String?
    public var cardLastFour: String?
    /// Why the order was cancelled, if it was.
    public var failureReason: String?
    public var delivery: DeliveryDetails
    public var createdAt: Date
    public var paidAt: Date?
}

/// An order in a customer's history.
public struct OrderSummary: Sendable, Hashable {
    public var id: OrderID
    public var number: String
    public var status: OrderStatus
    public var total: Money
    public var itemCount: Int
    public var createdAt: Date
}

/// The result of placing an order: the order, and whether this was a repeat of an earlier request.
public struct PlacedOrder: Sendable {
    public var order: Order
    /// True when the idempotency key had been used before and no new order was made.
    public var replayed: Bool
}
