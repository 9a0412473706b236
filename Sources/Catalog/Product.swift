import Foundation
import GoMartModels

/// A product as shoppers see it, with prices in integer minor units.
public struct Product: Sendable, Hashable {
    /// At or below this many units, pages show the exact number left ("Only 3 left") or
    /// "Out of stock"; above it they only say the product is in stock. Stock changes that stay above
    /// it therefore change no page, and do not empty the catalogue caches.
    public static let lowStockThreshold = 10

    /// True when a cached figure of `cachedStock` units proves that `quantity` units are in stock:
    /// a cached figure above the threshold stays cached only while the real one stays above it
    /// (any change into the band empties the caches), so at least `lowStockThreshold + 1` units
    /// are there. Within a second on other instances, as for every cached page.
    public static func cachedStock(_ cachedStock: Int, proves quantity: Int) -> Bool {
        cachedStock > lowStockThreshold && quantity <= lowStockThreshold + 1
    }

    /// True when pages show the same stock level for `before` and `after` units.
    public static func showsSameLevel(_ before: Int, _ after: Int) -> Bool {
        before == after || (before > lowStockThreshold && after > lowStockThreshold)
    }

    /// The public, unguessable identifier used by the API.
    public var id: ProductID
    /// The shop's stock-keeping unit, unique, e.g. `FV-0001`.
    public var sku: String
    /// The URL name of the product page.
    public var slug: String
    /// The product's name, e.g. "Braeburn Apples".
    public var name: String
    /// The brand, e.g. "Orchard Valley".
    public var brand: String
    /// The aisle's URL name.
    public var aisleSlug: String
    /// The aisle's display name.
    public var aisleName: String
    /// The shelf price of one pack (or of one kilogram when sold by weight).
    public var price: Money
    /// The pack size as shown, e.g. `6 × 330 ml`.
    public var packSize: String
    /// What the unit price is measured in.
    public var unit: MeasureUnit
    /// The price per kg, per litre or per item.
    public var unitPrice: Money
    /// Loose goods weighed at picking time; `price` is then per kilogram.
    public var soldByWeight: Bool
    /// How loose goods are bought and weighed (nil for goods not sold by weight).
    public var weighing: Weighing?
    /// Units available to sell (grams for goods sold by weight).
    public var stock: Int
    /// A short description.
    public var description: String
    /// True when the shop highlights the product on the home page.
    public var featured: Bool

    /// The product's own picture (a file name under the data directory's `images`, named by its
    /// content's hash), when one was uploaded.
    public var image: String?

    /// Allergens, dietary labels, ingredients, origin and nutrition (empty for goods that are not food).
    public var food: FoodInformation
    /// The age a buyer must have reached (18 for alcohol and knives), or 0 when anyone may buy it.
    public var minimumAge: Int
    /// The returnable deposit on one pack's containers (bottles, cans), charged on top of the price
    /// and never discounted; zero for none.
    public var deposit: Money

    /// True when the least a shopper can buy is in stock.
    public var inStock: Bool { stock > 0 && stock >= stockUnits(weighing?.quantities.first ?? 1) }

    /// The stock a line of `quantity` takes: grams for goods sold by weight (the estimate for
    /// goods sold by count), else units.
    public func stockUnits(_ quantity: Int) -> Int {
        weighing?.estimatedGrams(quantity) ?? quantity
    }

    /// A line's quantity in words: "750 g", "4 (about 720 g)", or the number of packs.
    public func describe(quantity: Int) -> String {
        weighing?.describe(quantity) ?? String(quantity)
    }

    /// Creates a product value.
    public init(
        id: ProductID, sku: String, slug: String, name: String, brand: String, aisleSlug: String, aisleName: String,
        price: Money, packSize: String, unit: MeasureUnit, unitPrice: Money, soldByWeight: Bool, stock: Int,
        description: String, featured: Bool, image: String? = nil, food: FoodInformation = .none, minimumAge: Int = 0,
        weighing: Weighing? = nil, deposit: Money? = nil
    ) {
        self.id = id
        self.sku = sku
        self.slug = slug
        self.name = name
        self.brand = brand
        self.aisleSlug = aisleSlug
        self.aisleName = aisleName
        self.price = price
        self.packSize = packSize
        self.unit = unit
        self.unitPrice = unitPrice
        self.soldByWeight = soldByWeight
        self.stock = stock
        self.description = description
        self.featured = featured
        self.image = image
        self.food = food
        self.minimumAge = minimumAge
        self.weighing = soldByWeight ? weighing ?? .byWeight : nil
        self.deposit = deposit ?? Money(minorUnits: 0, currency: price.currency)
    }
}
