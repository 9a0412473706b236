import Foundation
import GoMartModels

/// One catalogue item as the recommendation pipeline sees it: a row of the exported `items.csv`.
public struct ItemRecord: Sendable, Hashable, Codable {
    /// The product's public id (lower-case UUID text); ties between equally near items are broken by it.
    public var id: String
    public var name: String
    public var aisle: String
    public var brand: String
    /// Price in minor units.
    public var priceMinor: Int64
    /// Price per unit (kg, l or each) in minor units.
    public var unitPriceMinor: Int64
    /// The unit the unit price is per: `kg`, `l` or `each`.
    public var unit: String
    public var soldByWeight: Bool
    public var inStock: Bool

    public init(id: String, name: String, aisle: String, brand: String, priceMinor: Int64, unitPriceMinor: Int64, unit: String, soldByWeight: Bool, inStock: Bool) {
        self.id = id
        self.name = name
        self.aisle = aisle
        self.brand = brand
        self.priceMinor = priceMinor
        self.unitPriceMinor = unitPriceMinor
        self.unit = unit
        self.soldByWeight = soldByWeight
        self.inStock = inStock
    }
}
