import Foundation
import GoMartModels

/// A line priced by the server for validation.
public struct QuotedLine: Sendable, Hashable {
    public var productID: UUID
    public var sku: String
    public var name: String
    public var packSize: String
    public var quantity: Int
    public var unitPrice: Money
    public var lineTotal: Money
}

/// One reason an order cannot be placed as it stands.
public struct OrderProblem: Sendable, Hashable {
    /// A stable code: `unknown_product`, `invalid_quantity`, `insufficient_stock`, `duplicate_line`,
    /// `too_many_lines`, `empty_order` or `below_minimum`.
    public var code: String
    /// The product concerned, when the problem is about one line.
    public var productID: UUID?
    /// The problem in words.
    public var message: String
}

/// The server's own pricing of an order, with every problem found.
public struct OrderQuote: Sendable {
    /// Lines that could be priced.
    public var lines: [QuotedLine]
    public var subtotal: Money
    public var deliveryFee: Money
    public var total: Money
    /// Every problem, per line and for the whole order; empty when the order can be placed.
    public var problems: [OrderProblem]

    /// True when the order can be placed.
    public var isValid: Bool { problems.isEmpty }
}
