import Catalog
import Checkout
import Foundation
import GoMartModels
import Hummingbird
import Recommendations
import Synchronization

/// Product recommendations in the JSON API: similar products from the k-NN model, or, with no
/// model yet (or a product the model does not know), the most ordered products, saying so.
public struct RecommendationsAPIController<Context: RequestContext>: Sendable {
    let catalog: CatalogService
    let recommendations: RecommendationService
    let popularity: PopularProducts

    public init(catalog: CatalogService, recommendations: RecommendationService, orders: OrderHistoryExport) {
        self.catalog = catalog
        self.recommendations = recommendations
        self.popularity = PopularProducts(orders: orders)
    }

    public func addRoutes(to router: Router<Context>) {
        router.group("api/v1").get("products/:id/similar", use: similar)
    }

    /// The most `k` similar products may ask for.
    static var maximumK: Int { 50 }

    @Sendable func similar(_ request: Request, context: Context) async throws -> SimilarProductsDTO {
        let text = try context.parameters.require("id")
        guard let id = UUID(uuidString: text) else {
            throw CatalogError.invalidQuery(parameter: "id", reason: "must be a product id (a UUID)")
        }
        let parameters = FormURLEncoded.parse(request.uri.query)
        var k = 10
        if let values = parameters["k"] {
            guard values.count == 1, let value = Int(values[0]), (1...Self.maximumK).contains(value) else {
                throw CatalogError.invalidQuery(parameter: "k", reason: "must be a whole number from 1 to \(Self.maximumK)")
            }
            k = value
        }
        let product = try await catalog.product(id: id)
        let key = id.uuidString.lowercased()
        recommendations.refreshIfDue()
        // Ask the model for more than k: out-of-stock items are dropped after a fresh stock read.
        if let similar = recommendations.similar(to: key, k: min(k * 3, 150)) {
            let found = try await catalog.currentProducts(ids: similar.items.compactMap { UUID(uuidString: $0.id) })
            let products = similar.items.compactMap { item in UUID(uuidString: item.id).flatMap { found[$0] } }.filter { $0.stock > 0 }
            return SimilarProductsDTO(productId: key, source: "model", modelVersion: similar.modelVersion, products: Array(products.prefix(k)).map(ProductDTO.init))
        }
        let popular = try await popularity.ids()
        var candidates = popular.filter { $0 != id }
        if candidates.count < k * 3 {
            // A shop without orders yet: top up with the same aisle's products.
            let aisle = try await catalog.products(matching: ProductQuery(aisleSlug: product.aisleSlug, inStockOnly: true, sort: .name, pageSize: 100))
            candidates += aisle.products.map(\.id).filter { $0 != id && !candidates.contains($0) }
        }
        let found = try await catalog.currentProducts(ids: Array(candidates.prefix(150)))
        let products = candidates.compactMap { found[$0] }.filter { $0.stock > 0 }.prefix(k)
        return SimilarProductsDTO(productId: key, source: "popularity", modelVersion: recommendations.modelVersion, products: products.map(ProductDTO.init))
    }
}

/// The most ordered products, counted from paid orders at most once every five minutes.
final class PopularProducts: Sendable {
    let orders: OrderHistoryExport
    private let cached = Mutex<(ids: [UUID], at: ContinuousClock.Instant)?>(nil)

    init(orders: OrderHistoryExport) {
        self.orders = orders
    }

    func ids() async throws -> [UUID] {
        let now = ContinuousClock.now
        if let cached = cached.withLock({ $0 }), now - cached.at < .seconds(300) { return cached.ids }
        var counts: [String: Int] = [:]
        for line in try await orders.paidLines() { counts[line.productID, default: 0] += line.quantity }
        let ranked = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(200).compactMap { UUID(uuidString: $0.key) }
        cached.withLock { $0 = (ranked, now) }
        return ranked
    }
}

/// Similar products, and where they came from.
struct SimilarProductsDTO: ResponseEncodable {
    var productId: String
    /// `model` (the k-NN model) or `popularity` (the fallback).
    var source: String
    var modelVersion: String?
    var products: [ProductDTO]
}
