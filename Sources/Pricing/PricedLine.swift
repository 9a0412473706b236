import GoMartModels

/// One line to price: a unit price from the catalogue and a quantity.
///
/// A weighed line (``grams`` set) is priced per kilogram for its weight, rounded half up to the
/// minor unit; its ``quantity`` is the number of items it counts for.
public struct PricedLine: Sendable, Hashable {
    /// The price of one unit, as the catalogue has it now (per kilogram for a weighed line).
    public var unitPrice: Money
    /// Units ordered; a line that cannot be bought (withdrawn product) is priced at zero units.
    public var quantity: Int
    /// The weight a weighed line is priced for: estimated, then as picked; nil for packs.
    public var grams: Int?
    /// How far, in per cent, a weighed line's picked weight may go above ``grams``: the card is
    /// authorised for that much more.
    public var tolerancePercent: Int
    /// The returnable deposit on one unit's containers (bottles, cans): charged on top, never
    /// discounted, given back with the unit.
    public var deposit: Money? = nil
    /// The product, for offers on it.
    public var productID: ProductID? = nil
    /// The product's aisle (its slug), for offers on the aisle.
    public var aisle: String? = nil
    /// What offers took off these units when they were sold: a refund gives back what they cost
    /// after it (``Pricing/refund(_:delivery:remaining:)``); pricing an order ignores it.
    public var saving: Money? = nil

    /// Creates a line of packs.
    public init(unitPrice: Money, quantity: Int) {
        self.unitPrice = unitPrice
        self.quantity = quantity
        self.grams = nil
        self.tolerancePercent = 0
    }

    /// Creates a weighed line: `grams` at `pricePerKilogram`, counting as `items` items.
    public init(pricePerKilogram: Money, grams: Int, items: Int, tolerancePercent: Int) {
        self.unitPrice = pricePerKilogram
        self.quantity = items
        self.grams = grams
        self.tolerancePercent = tolerancePercent
    }

    /// The same line at the most its weight may come to when picked.
    var heaviest: PricedLine {
        guard let grams else { return self }
        var line = self
        line.grams = grams + grams * max(tolerancePercent, 0) / 100
        return line
    }
}
