import Foundation
import GoMartModels
import Synchronization

/// The demo supermarket's catalogue, shipped with the application.
public enum DemoCatalogue {
    /// Descriptions for the demo aisles, keyed by aisle slug.
    static let aisleDescriptions: [String: String] = [
        "fruit-veg": "Crisp, seasonal fruit and vegetables, loose or packed.",
        "bakery": "Fresh bread, rolls, cakes and morning pastries.",
        "dairy-eggs": "Milk, cheese, yoghurt, butter and free-range eggs.",
        "meat-fish": "Fresh meat, poultry and fish from trusted suppliers.",
        "frozen": "Frozen vegetables, ready meals, ice cream and more.",
        "pantry": "Pasta, rice, tins, sauces, spices and baking essentials.",
        "breakfast": "Cereals, porridge, spreads and everything for the morning.",
        "drinks": "Water, juices, soft drinks, tea and coffee.",
        "snacks": "Crisps, nuts, chocolate, biscuits and sweets.",
        "household": "Cleaning, laundry, paper and kitchen essentials.",
        "baby": "Nappies, wipes, baby food and feeding.",
        "health-beauty": "Toiletries, skincare, oral care and medicines.",
        "pet": "Food, treats and care for cats and dogs.",
    ]

    /// The demo catalogue as CSV text, from the module's resources.
    public static func csv() throws -> String {
        guard let url = Bundle.module.url(forResource: "demo-catalogue", withExtension: "csv") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The demo catalogue's rows priced in `currency`, parsed once per process (every first
    /// start of a shop, and every test's, seeds them).
    static func rows(currency: Currency) throws -> [CatalogueRow] {
        if let rows = parsed.withLock({ $0[currency.code] }) { return rows }
        let rows = try CatalogueParser(currency: currency).parse(try csv())
        parsed.withLock { $0[currency.code] = rows }
        return rows
    }

    private static let parsed = Mutex<[String: [CatalogueRow]]>([:])
}
