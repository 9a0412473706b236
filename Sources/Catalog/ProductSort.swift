/// The orders in which a product list can be sorted.
public enum ProductSort: String, Sendable, CaseIterable, Codable {
    /// Best search match first (name order when there is no search).
    case relevance
    /// Name, A to Z.
    case name
    /// Shelf price, lowest first.
    case priceAscending = "price"
    /// Shelf price, highest first.
    case priceDescending = "price-desc"
    /// Unit price (per kg, per litre, each), lowest first.
    case unitPriceAscending = "unit-price"

    /// The label shown in the sort menu.
    public var label: String {
        switch self {
        case .relevance: "Relevance"
        case .name: "Name (A–Z)"
        case .priceAscending: "Price: low to high"
        case .priceDescending: "Price: high to low"
        case .unitPriceAscending: "Unit price: low to high"
        }
    }
}
