import Foundation

/// A quantity of one product to take from or return to stock.
public struct StockItem: Sendable, Hashable {
    /// The product's public id.
    public var productID: UUID
    /// Units.
    public var quantity: Int

    /// Creates an item.
    public init(productID: UUID, quantity: Int) {
        self.productID = productID
        self.quantity = quantity
    }
}

/// A product that did not have enough stock to take.
public struct StockShortfall: Sendable, Hashable {
    /// The product's public id.
    public var productID: UUID
    /// Units asked for.
    public var requested: Int
    /// Units there were (0 when the product is not on sale).
    public var available: Int
}
