import Accounts
import Catalog
import Foundation
import GoMartModels
import Hummingbird
import Recommendations
import RecommendedProducts
import Web

/// Product recommendations in the JSON API: similar products, and recommendations for the
/// signed-in customer from their last order. Answers come from the k-NN model, or, when it cannot
/// answer, from the most ordered products, and say which.
public struct RecommendationsAPIController: Sendable {
    public typealias Context = ShopRequestContext
    let catalog: CatalogService
    let recommendations: ShopRecommendations

    public init(catalog: CatalogService, recommendations: ShopRecommendations) {
        self.catalog = catalog
        self.recommendations = recommendations
    }

    public func addRoutes(to router: Router<Context>) {
        let api = router.group("api/v1")
        api.get("products/:id/similar", use: similar)
        api.get("me/recommendations", use: forMe)
    }

    /// The most products one answer may hold.
    static var maximumK: Int { 50 }

    @Sendable func similar(_ request: Request, context: Context) async throws -> RecommendationsDTO {
        let text = try context.parameters.require("id")
        guard let id = ProductID(publicString: text) else {
            throw CatalogError.invalidQuery(parameter: "id", reason: "must be a product id (a UUID)")
        }
        let k = try Self.k(request)
        let product = try await catalog.product(id: id)
        let answer = try await recommendations.similar(to: product, k: k)
        return RecommendationsDTO(answer, productId: id.publicString)
    }

    @Sendable func forMe(_ request: Request, context: Context) async throws -> RecommendationsDTO {
        let session = try context.requireSession()
        let k = try Self.k(request)
        return RecommendationsDTO(try await recommendations.forCustomer(session.customer.internalID, k: k), productId: nil)
    }

    /// The `k` parameter: 10 when absent, else a whole number from 1 to ``maximumK``.
    static func k(_ request: Request) throws -> Int {
        guard let values = FormURLEncoded.parse(request.uri.query)["k"] else { return 10 }
        guard values.count == 1, let value = Int(values[0]), (1...maximumK).contains(value) else {
            throw CatalogError.invalidQuery(parameter: "k", reason: "must be a whole number from 1 to \(maximumK)")
        }
        return value
    }
}

/// Recommended products, and where they came from.
struct RecommendationsDTO: ResponseEncodable {
    /// For similar products: the product asked about.
    var productId: String?
    /// `model` (the k-NN model) or `popularity` (the fallback).
    var source: String
    var modelVersion: String?
    /// For a customer: the paid order the recommendations start from.
    var basedOnOrder: String?
    var products: [ProductDTO]

    init(_ answer: ShopRecommendations.Answer, productId: String?) {
        self.productId = productId
        source = answer.source.rawValue
        modelVersion = answer.modelVersion
        basedOnOrder = answer.basedOnOrder
        products = answer.products.map(ProductDTO.init)
    }
}
