import Catalog
import Foundation
import GoMartModels
import Pricing
import Promotions

/// Whose cart: an anonymous visitor's (by the hash of their cookie) or a signed-in customer's.
public enum CartOwner: Sendable, Hashable {
    /// A visitor who has not signed in; `key` is a hash of their visitor cookie.
    case visitor(key: String)
    /// A signed-in customer, by internal id.
    case customer(id: CustomerID)

    var storageKey: String {
        switch self {
        case .visitor(let key): "v:\(key)"
        case .customer(let id): "c:\(id)"
        }
    }

    /// The customer's row id, for a signed-in customer.
    public var customerID: Int64? {
        if case .customer(let id) = self { id.rawValue } else { nil }
    }
}

/// One line of a cart, priced from the catalogue as it is now.
public struct CartLine: Sendable, Hashable {
    /// The product as the catalogue has it now; `nil` when it is no longer on sale.
    public var product: Product?
    /// The product's public id.
    public var productID: ProductID
    /// Units in the cart; grams for a product sold by weight (``unit`` `g`).
    public var quantity: Int
    /// What ``quantity`` counts: `each`, or `g` for a product sold by weight.
    public var unit: String = "each"
    /// What to do when the product is not on the shelf at picking.
    public var substitution: SubstitutionChoice = .anySimilar
    /// The product chosen instead, when the shopper named one (for showing it).
    public var substitute: Product? = nil
    /// The shelf price when the line was added.
    public var priceWhenAdded: Money
    /// Current price × quantity (zero when unavailable), from ``Pricing``; an estimate for a
    /// weighed line.
    public var lineTotal: Money
    /// What the shopper should know about this line.
    public var warnings: [CartWarning]
    /// What offers take off this line, from ``Pricing`` (zero when none applies).
    public var saving: Money

    /// The items the line counts for: a line bought by weight counts once.
    public var items: Int { unit == "g" ? 1 : quantity }
    /// True when the product can be bought as the line asks (on sale, and sold by the same measure).
    public var isBuyable: Bool { product != nil && !warnings.contains(.soldDifferently) }
    /// The quantity in words: "750 g", "4 (about 720 g)", "2".
    public var quantityText: String { product.map { isBuyable ? $0.describe(quantity: quantity) : String(quantity) } ?? String(quantity) }

    /// Creates a line; ``CartPolicy/summarise(_:currency:)`` prices it.
    public init(product: Product?, productID: ProductID, quantity: Int, unit: String = "each", priceWhenAdded: Money, warnings: [CartWarning]) {
        self.product = product
        self.productID = productID
        self.quantity = quantity
        self.unit = unit
        self.priceWhenAdded = priceWhenAdded
        self.lineTotal = Money(minorUnits: 0, currency: priceWhenAdded.currency)
        self.saving = Money(minorUnits: 0, currency: priceWhenAdded.currency)
        self.warnings = warnings
    }
}

/// A product that could not go into the cart, and why (unavailable, out of stock, …).
public struct NotAdded: Sendable, Hashable {
    public var productID: ProductID
    public var reason: String

    public init(productID: ProductID, reason: String) {
        self.productID = productID
        self.reason = reason
    }
}

/// Something wrong with a cart line that the shopper must see before checkout.
public enum CartWarning: Sendable, Hashable {
    /// The product is no longer sold.
    case unavailable
    /// The product is out of stock.
    case outOfStock
    /// Fewer units are in stock than the line asks for.
    case onlyAvailable(Int)
    /// Less of a weighed product is in stock than the line asks for (grams).
    case onlyWeightAvailable(Int)
    /// The price changed since the line was added.
    case priceChanged(from: Money, to: Money)
    /// The product is now sold by another measure (by weight instead of by count, say).
    case soldDifferently

    /// The warning in words.
    public var message: String {
        switch self {
        case .unavailable: "This product is no longer available."
        case .outOfStock: "Out of stock."
        case .onlyAvailable(let count): "Only \(count) left in stock."
        case .onlyWeightAvailable(let grams): "Only \(Weighing.format(grams: grams)) left in stock."
        case .priceChanged(let from, let to): "The price changed from \(from.formatted) to \(to.formatted) since you added it."
        case .soldDifferently: "This product is now sold differently: remove it and add it again."
        }
    }
}

/// A cart with its totals, all recomputed from current catalogue prices by ``Pricing``.
public struct CartSummary: Sendable, Hashable {
    /// The lines, oldest first.
    public var lines: [CartLine]
    /// The price of the lines that can be bought.
    public var quote: Quote
    /// Items across all lines (a line bought by weight counts once).
    public var itemCount: Int
    /// The voucher code the shopper entered, if any.
    public var voucherCode: String? = nil
    /// Why that voucher cannot be used now, if it cannot (it is then left out of the price).
    public var voucherProblem: VoucherProblem? = nil
    /// The offers and voucher the cart was priced with.
    public var promotions: Promotions = .none

    /// True when some line is weighed at picking: its price and the total are estimates.
    public var isEstimate: Bool { quote.hasWeighedLines }
    /// What checkout would reserve on the card: the total, plus what weighed goods may add.
    public var authorisation: Money { quote.authorisation }

    /// Sum of line totals.
    public var subtotal: Money { quote.subtotal }
    /// The delivery fee (zero above the free-delivery threshold, or for an empty cart).
    public var deliveryFee: Money { quote.deliveryCharge }
    /// What the order would cost.
    public var total: Money { quote.total }
    /// How much more to spend for free delivery, if anything.
    public var amountToFreeDelivery: Money? { quote.amountToFreeDelivery }
    /// True when the cart has no lines.
    public var isEmpty: Bool { lines.isEmpty }
    /// True when some line has a warning.
    public var hasWarnings: Bool { lines.contains { !$0.warnings.isEmpty } }
}

/// What a cart may hold, and the shop's pricing rules it is priced under.
public struct CartPolicy: Sendable {
    /// The most units of one product in a cart.
    public var maximumQuantityPerLine: Int
    /// The most lines in a cart.
    public var maximumLines: Int
    /// Delivery charge, free-delivery threshold and minimum order.
    public var pricing: PricingRules
    /// Which products may stand in for one not on the shelf.
    public var substitutes = SubstituteRule()

    /// Creates a policy; the defaults suit the demo shop.
    public init(
        maximumQuantityPerLine: Int = 99, maximumLines: Int = 100,
        deliveryFee: Money = Money(minorUnits: 399, currency: .gbp),
        freeDeliveryThreshold: Money = Money(minorUnits: 40_00, currency: .gbp),
        minimumOrder: Money = Money(minorUnits: 10_00, currency: .gbp)
    ) {
        self.maximumQuantityPerLine = maximumQuantityPerLine
        self.maximumLines = maximumLines
        self.pricing = PricingRules(deliveryFee: deliveryFee, freeDeliveryThreshold: freeDeliveryThreshold, minimumOrder: minimumOrder)
    }

    /// The lines priced at current catalogue prices (a withdrawn product's line at nothing), with
    /// `promotions` (offers running, the shopper's voucher), each line's total and saving taken
    /// from the quote.
    public func summarise(_ lines: [CartLine], currency: Currency, promotions: Promotions = .none) -> CartSummary {
        let quote = Pricing.quote(
            lines.map { line in
                guard let product = line.product, line.isBuyable else { return PricedLine(unitPrice: Money(minorUnits: 0, currency: currency), quantity: 0) }
                return product.pricedLine(quantity: line.quantity)
            },
            rules: pricing, currency: currency, promotions: promotions
        )
        var priced = lines
        for index in priced.indices {
            priced[index].lineTotal = quote.lineTotals[index]
            priced[index].saving = quote.lineSavings[index]
        }
        return CartSummary(lines: priced, quote: quote, itemCount: lines.reduce(0) { $0 + $1.items })
    }
}

extension Product {
    /// A line of `quantity` of this product for ``Pricing``: packs, or a weighed line at its
    /// estimated weight (grams asked for, or items × their average weight).
    public func pricedLine(quantity: Int) -> PricedLine {
        var line: PricedLine
        if let weighing {
            line = PricedLine(pricePerKilogram: price, grams: weighing.estimatedGrams(quantity), items: weighing.mode == .weight ? 1 : quantity,
                              tolerancePercent: weighing.tolerancePercent)
        } else {
            line = PricedLine(unitPrice: price, quantity: quantity)
            line.deposit = deposit.minorUnits > 0 ? deposit : nil
        }
        line.productID = id
        line.aisle = aisleSlug
        return line
    }

    /// What a line's quantity counts: `g` for a product sold by weight, else `each`.
    public var quantityUnit: String { weighing?.quantityUnit ?? "each" }
}

/// Why a cart change was refused; controllers map these to 4xx answers.
public enum CartError: Error, Equatable, CustomStringConvertible {
    /// No product on sale has this id.
    case unknownProduct
    /// The quantity is outside 1…maximum.
    case invalidQuantity(maximum: Int)
    /// Not enough stock for the requested quantity.
    case insufficientStock(available: Int, inCart: Int)
    /// The cart already has the most lines allowed.
    case tooManyLines(maximum: Int)
    /// The product is not in the cart.
    case notInCart
    /// The product named as a substitute cannot stand in for the line's.
    case invalidSubstitute(String)
    /// A weight or count a product sold loose cannot be bought in.
    case invalidAmount(String)
    /// Less of a product sold by weight is in stock than asked for (`available` grams).
    case notEnoughLeft(available: Int)
    /// The voucher cannot be used.
    case voucher(VoucherProblem)

    public var description: String {
        switch self {
        case .unknownProduct: "That product is not available."
        case .invalidQuantity(let maximum): "The quantity must be a whole number from 1 to \(maximum)."
        case .insufficientStock(let available, let inCart):
            available == 0 ? "Sorry, this product is out of stock."
                : "Only \(available) in stock\(inCart > 0 ? " and you already have \(inCart) in your cart" : "")."
        case .tooManyLines(let maximum): "A cart can hold at most \(maximum) different products."
        case .notInCart: "That product is not in your cart."
        case .invalidAmount(let message), .invalidSubstitute(let message): message
        case .notEnoughLeft(let available):
            available == 0 ? "Sorry, this product is out of stock." : "Only \(Weighing.format(grams: available)) left in stock."
        case .voucher(let problem): problem.description
        }
    }
}

/// What the shopper wants when a product is not on the shelf at picking.
public enum SubstitutionChoice: Sendable, Hashable {
    /// Leave it out (and do not charge for it).
    case none
    /// Any similar product the picker finds (the model's suggestions, within the shop's rules).
    case anySimilar
    /// This product instead.
    case product(ProductID)

    /// The stored form: `none`, `any`, or the product's public id.
    public var stored: String {
        switch self {
        case .none: "none"
        case .anySimilar: "any"
        case .product(let id): id.publicString
        }
    }

    /// Reads the stored form (or a form field's value); nil for anything else.
    public init?(stored text: String) {
        switch text {
        case "none": self = .none
        case "any": self = .anySimilar
        default:
            guard let id = ProductID(publicString: text) else { return nil }
            self = .product(id)
        }
    }
}
