import Foundation
import Catalog
import GoMartModels
import Pricing
import Promotions

/// A product as a listing tile or a product page shows it.
struct ProductCard: Sendable {
    /// Stock at or below this is shown as "only N left".
    static let lowStockThreshold = Product.lowStockThreshold

    var id: String
    var name: String
    var brand: String
    var sku: String
    var url: String
    var image: String
    /// An uploaded picture's sizes, for `srcset`.
    var srcset: String?
    var price: String
    var unitPrice: String
    var packSize: String
    var soldByWeight: Bool
    /// The returnable deposit on its bottles or cans, e.g. "£1.20", charged on top.
    var deposit: String?
    /// How loose goods are sold, e.g. "Sold by count, about 180 g each".
    var weighing: String?
    /// What a tile's "Add" button adds: one, or a usual weight (500 g) for goods sold by weight.
    var addQuantity: Int
    /// By weight: the weights a shopper may choose, with their estimated prices.
    var weights: [WeightChoice]
    var byWeight: Bool
    /// By count: the most items a line may hold.
    var mostItems: Int
    var stock: Int
    var outOfStock: Bool
    var lowStock: Bool
    var plentiful: Bool
    var description: String
    var aisleSlug: String
    var aisleName: String
    /// On cached pages, the marker where this shopper's "Recommended for you" badge may go.
    var badgeSlot = ""
    /// On cached pages, the marker where this shopper's "is a favourite" mark may go.
    var favouriteSlot = ""
    /// The offers running on it.
    var offers: [OfferTag] = []
    /// True for the first tiles of a listing, which show in the first screen: their pictures load
    /// at once; the rest load as they scroll into view.
    var eager = false
    /// A line about it for this shopper, e.g. "Bought 3 times, last on Tuesday 1 December."
    var note: String?

    /// An offer on a product, as its tile and page show it.
    struct OfferTag: Sendable {
        /// What shoppers read, e.g. "3 for 2 on yoghurts".
        var label: String
        /// The last day it runs, e.g. "Tuesday 8 December".
        var until: String
    }

    init(_ product: Product, image: String) {
        id = product.id.publicString
        name = product.name
        brand = product.brand
        sku = product.sku
        url = "/products/\(product.slug)"
        self.image = image
        price = product.price.formatted
        unitPrice = product.soldByWeight ? "\(product.unitPrice.formatted) per kg" : "\(product.unitPrice.formatted) \(product.unit.unitPriceLabel)"
        packSize = product.packSize
        soldByWeight = product.soldByWeight
        deposit = product.deposit.minorUnits > 0 ? product.deposit.formatted : nil
        weighing = product.weighing?.summary
        addQuantity = product.weighing?.defaultQuantity ?? 1
        weights = product.weighing.map { weighing in
            weighing.mode == .weight ? weighing.quantities.map { grams in
                WeightChoice(grams: grams, label: "\(Weighing.format(grams: grams)), about \(Pricing.weighed(grams: grams, pricePerKilogram: product.price).formatted)",
                             selected: grams == weighing.defaultQuantity)
            } : []
        } ?? []
        byWeight = !weights.isEmpty
        mostItems = product.weighing?.mode == .count ? Weighing.maximumCount : 99
        stock = product.stock
        outOfStock = !product.inStock
        // Goods sold by weight show no count of what is left (their stock is in grams).
        lowStock = product.weighing == nil && product.inStock && product.stock <= Self.lowStockThreshold
        plentiful = product.inStock && !lowStock
        description = product.description
        aisleSlug = product.aisleSlug
        aisleName = product.aisleName
    }
}

/// A weight a shopper may choose for goods sold by weight.
struct WeightChoice: Sendable {
    var grams: Int
    /// E.g. "750 g, about £1.43".
    var label: String
    var selected: Bool

    /// Any choice in a list: its form value, its words, and whether it is the current one.
    struct Named: Sendable {
        var value: String
        var label: String
        var selected: Bool
    }
}
