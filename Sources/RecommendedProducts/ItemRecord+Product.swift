import Catalog
import GoMartModels
import Recommendations

extension ItemRecord {
    /// A catalogue product as the pipeline sees it.
    public init(_ product: Product) {
        self.init(id: product.id.publicString, name: product.name, aisle: product.aisleName, brand: product.brand,
                  priceMinor: product.price.minorUnits, unitPriceMinor: product.unitPrice.minorUnits, unit: product.unit.rawValue,
                  soldByWeight: product.soldByWeight, inStock: product.stock > 0)
    }
}
