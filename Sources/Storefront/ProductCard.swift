import Foundation
import Catalog
import GoMartModels

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
    var price: String
    var unitPrice: String
    var packSize: String
    var soldByWeight: Bool
    var stock: Int
    var outOfStock: Bool
    var lowStock: Bool
    var plentiful: Bool
    var description: String
    var aisleSlug: String
    var aisleName: String
    /// On cached pages, the marker where this shopper's "Recommended for you" badge may go.
    var badgeSlot = ""

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
        stock = product.stock
        outOfStock = product.stock == 0
        lowStock = product.stock > 0 && product.stock <= Self.lowStockThreshold
        plentiful = product.stock > Self.lowStockThreshold
        description = product.description
        aisleSlug = product.aisleSlug
        aisleName = product.aisleName
    }
}
