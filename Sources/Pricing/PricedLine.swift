import GoMartModels

/// One line to price: a unit price from the catalogue and a quantity.
public struct PricedLine: Sendable, Hashable {
    /// The price of one unit, as the catalogue has it now.
    public var unitPrice: Money
    /// Units ordered; a line that cannot be bought (withdrawn product) is priced at zero units.
    public var quantity: Int

    /// Creates a line.
    public init(unitPrice: Money, quantity: Int) {
        self.unitPrice = unitPrice
        self.quantity = quantity
    }
}
