import GoMartModels

/// An offer on goods, in the terms ``Pricing`` applies it: which goods it takes and what it saves.
///
/// Offers save on units of packs; a percentage off also takes goods sold by weight (off what
/// they weigh). Each unit counts towards one offer at most. Which offers win when several want
/// the same units is ``Pricing/quote(_:rules:currency:adjustments:delivery:promotions:)``'s rule.
public struct Offer: Sendable, Hashable, Identifiable {
    /// How the offer saves.
    public enum Rule: Sendable, Hashable {
        /// Every `buy` units of the offer's goods cost as much as their `pay` dearest ("3 for 2"):
        /// the cheapest `buy - pay` of each group of `buy` are free.
        case multiBuy(buy: Int, pay: Int)
        /// Any `count` units of the offer's goods for `price` ("any 2 for £5"), where that is less.
        case bundle(count: Int, price: Money)
        /// `percent` off every unit (and off goods sold by weight), rounded down to the minor unit.
        case percentOff(Int)
        /// `amount` off every unit of packs, never below nothing.
        case amountOff(Money)
        /// One unit from each of the offer's groups for `price` ("meal deal"), where that is less.
        case mealDeal(price: Money)
    }

    /// Goods an offer takes: named products, and everything in named aisles.
    public struct Scope: Sendable, Hashable {
        /// Products by id.
        public var products: Set<ProductID>
        /// Aisles by slug.
        public var aisles: Set<String>

        /// Creates a scope.
        public init(products: Set<ProductID> = [], aisles: Set<String> = []) {
            self.products = products
            self.aisles = aisles
        }

        /// True when the line's product is in scope.
        public func contains(_ line: PricedLine) -> Bool { contains(productID: line.productID, aisle: line.aisle) }

        /// True when this product (by id, or by its aisle) is in scope.
        public func contains(productID: ProductID?, aisle: String?) -> Bool {
            if let productID, products.contains(productID) { return true }
            if let aisle, aisles.contains(aisle) { return true }
            return false
        }
    }

    /// The offer's identifier (stable: it breaks ties between offers saving the same).
    public var id: String
    /// What the shopper reads, e.g. "3 for 2 on yoghurts".
    public var label: String
    /// How it saves.
    public var rule: Rule
    /// The goods it takes: one scope, or one per course for a meal deal.
    public var groups: [Scope]

    /// Creates an offer.
    public init(id: String, label: String, rule: Rule, groups: [Scope]) {
        self.id = id
        self.label = label
        self.rule = rule
        self.groups = groups
    }

    /// True when the line's product is in any of the offer's groups.
    public func takes(_ line: PricedLine) -> Bool { groups.contains { $0.contains(line) } }

    /// What is wrong with the offer's terms, or nil when it can be applied.
    public var problem: String? {
        switch rule {
        case .multiBuy(let buy, let pay):
            guard (2...20).contains(buy), (1..<buy).contains(pay) else { return "A multi-buy is 2 to 20 items for fewer of them, e.g. 3 for 2." }
        case .bundle(let count, let price):
            guard (2...20).contains(count), price.minorUnits > 0 else { return "A bundle is 2 to 20 items for a price above nothing." }
        case .percentOff(let percent):
            guard (1...99).contains(percent) else { return "A percentage off is from 1 to 99." }
        case .amountOff(let amount):
            guard amount.minorUnits > 0 else { return "An amount off must be more than nothing." }
        case .mealDeal(let price):
            guard (2...6).contains(groups.count), price.minorUnits > 0 else { return "A meal deal takes 2 to 6 groups and a price above nothing." }
        }
        if groups.isEmpty || groups.contains(where: { $0.products.isEmpty && $0.aisles.isEmpty }) { return "Choose the products or aisles the offer is on." }
        return nil
    }
}

/// A basket voucher as ``Pricing`` applies it: a code's value off the goods (after offers), from
/// a minimum spend. Whether a shopper may use it (dates, limits) is decided before pricing.
public struct Voucher: Sendable, Hashable {
    /// What the voucher takes off.
    public enum Value: Sendable, Hashable {
        /// A percentage of the goods, rounded down to the minor unit.
        case percentOff(Int)
        /// A fixed amount, never more than the goods.
        case amountOff(Money)
    }

    /// The code, as the shopper typed it (upper case).
    public var code: String
    /// What the shopper reads, e.g. "£5 off your first shop".
    public var label: String
    /// What it takes off.
    public var value: Value
    /// The goods (after offers) must come to at least this.
    public var minimumSpend: Money

    /// Creates a voucher.
    public init(code: String, label: String, value: Value, minimumSpend: Money) {
        self.code = code
        self.label = label
        self.value = value
        self.minimumSpend = minimumSpend
    }
}

/// What is on offer for an order: the offers running now and the shopper's voucher, if any.
public struct Promotions: Sendable, Hashable {
    /// Offers running.
    public var offers: [Offer]
    /// The shopper's voucher.
    public var voucher: Voucher?

    /// Creates promotions.
    public init(offers: [Offer] = [], voucher: Voucher? = nil) {
        self.offers = offers
        self.voucher = voucher
    }

    /// No offers, no voucher.
    public static let none = Promotions()
}

/// An offer as applied to an order: what it saved, and on which lines.
public struct AppliedOffer: Sendable, Hashable {
    /// The offer's id.
    public var offerID: String
    /// Its label.
    public var label: String
    /// What it saved (positive).
    public var saving: Money
}

/// What became of the shopper's voucher.
public enum VoucherOutcome: Sendable, Hashable {
    /// It took `saving` off.
    case applied(code: String, label: String, saving: Money)
    /// The goods must come to `short` more before it applies.
    case belowMinimumSpend(code: String, label: String, short: Money)
}
