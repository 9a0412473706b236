import Cart
import Catalog
import Foundation
import GoMartModels
import Pricing
import Slots

/// A line priced by the server for validation.
public struct QuotedLine: Sendable, Hashable {
    public var productID: ProductID
    public var sku: String
    public var name: String
    public var packSize: String
    public var quantity: Int
    public var unitPrice: Money
    public var lineTotal: Money
    /// The age a buyer must be (0: anyone).
    public var minimumAge: Int = 0
    /// How a product sold loose is weighed (nil for packs): ``quantity`` is then grams, or items
    /// of about its average weight, and ``lineTotal`` an estimate.
    public var weighing: Weighing? = nil
    /// What the shopper wants if it is not on the shelf at picking.
    public var substitution: SubstitutionChoice = .anySimilar
    /// The returnable deposit on one unit's containers (zero: none).
    public var deposit: Int64 = 0
    /// What offers take off the line (zero: none).
    public var saving: Money? = nil

    /// The stock the line takes: grams for a weighed product, else units.
    public var stockUnits: Int { weighing?.estimatedGrams(quantity) ?? quantity }
}

/// One reason an order cannot be placed as it stands.
public struct OrderProblem: Sendable, Hashable {
    /// What is wrong; its raw value is the stable code clients see.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case unknownProduct = "unknown_product"
        case invalidQuantity = "invalid_quantity"
        case insufficientStock = "insufficient_stock"
        case duplicateLine = "duplicate_line"
        case tooManyLines = "too_many_lines"
        case emptyOrder = "empty_order"
        case belowMinimum = "below_minimum"
        /// The voucher cannot be used (unknown, expired, used up, or short of its minimum spend).
        case voucher
    }

    /// What is wrong.
    public var code: Code
    /// The product concerned, when the problem is about one line.
    public var productID: ProductID?
    /// The problem in words.
    public var message: String
}

/// The server's own pricing of an order, with every problem found.
public struct OrderQuote: Sendable {
    /// Lines that could be priced.
    public var lines: [QuotedLine]
    /// The price of those lines, from ``Pricing``.
    public var quote: Quote
    /// Every problem, per line and for the whole order; empty when the order can be placed.
    public var problems: [OrderProblem]
    /// The shopper's slot hold the delivery charge was priced from, if any.
    public var slot: SlotBooking? = nil

    public var subtotal: Money { quote.subtotal }
    public var deliveryFee: Money { quote.deliveryCharge }
    public var total: Money { quote.total }

    /// True when the order can be placed.
    public var isValid: Bool { problems.isEmpty }

    /// The age the buyer of the order must be: the highest of its lines (0: anyone).
    public var minimumAge: Int { lines.map(\.minimumAge).max() ?? 0 }
}
