import Foundation
import GoMartModels

/// A quantity of one product to take from or return to stock.
public struct StockItem: Sendable, Hashable {
    /// The product's public id.
    public var productID: ProductID
    /// Units.
    public var quantity: Int

    /// Creates an item.
    public init(productID: ProductID, quantity: Int) {
        self.productID = productID
        self.quantity = quantity
    }
}

/// A product that did not have enough stock to take.
public struct StockShortfall: Sendable, Hashable {
    /// The product's public id.
    public var productID: ProductID
    /// Units asked for.
    public var requested: Int
    /// Units there were (0 when the product is not on sale).
    public var available: Int
}

/// The outcome of taking stock for an order.
public struct StockTake: Sendable, Hashable {
    /// The items that lacked stock; if any, the caller must roll back.
    public var shortfalls: [StockShortfall]
    /// True when a level that pages show changed (see ``Product/lowStockThreshold``): only then
    /// must cached pages be refreshed.
    public var changedShownLevels: Bool
    /// How many products this took the last unit of.
    public var soldOut = 0
}
