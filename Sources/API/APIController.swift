import Catalog
import Foundation
import GoMartModels
import Hummingbird

/// The JSON API under `/api/v1`: aisles, products and the OpenAPI document that describes them.
public struct APIController<Context: RequestContext>: Sendable {
    let catalog: CatalogService
    let openAPIDocument: ByteBuffer
    let productLists = EncodedAnswerCache<ProductQuery>()

    /// Creates the controller, loading the bundled OpenAPI document.
    public init(catalog: CatalogService) throws {
        self.catalog = catalog
        self.openAPIDocument = ByteBuffer(bytes: try OpenAPIDocument.data())
    }

    /// Adds the API's routes to `router` under `/api/v1`.
    public func addRoutes(to router: Router<Context>) {
        let api = router.group("api/v1")
        api.get("openapi.json", use: openAPI)
        api.get("aisles", use: aisles)
        api.get("products", use: products)
        api.get("products/:id", use: product)
    }

    @Sendable func openAPI(_ request: Request, context: Context) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "public, max-age=300"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: openAPIDocument))
    }

    @Sendable func aisles(_ request: Request, context: Context) async throws -> AisleListDTO {
        AisleListDTO(aisles: try await catalog.aisles().map(AisleDTO.init))
    }

    @Sendable func products(_ request: Request, context: Context) async throws -> Response {
        var parameters = FormURLEncoded.parse(request.uri.query)
        let aisle = parameters.removeValue(forKey: "aisle")
        guard (aisle?.count ?? 0) <= 1 else {
            throw CatalogError.invalidQuery(parameter: "aisle", reason: "may be given only once")
        }
        let query = try ProductQuery(aisleSlug: aisle?.first.flatMap { $0.isEmpty ? nil : $0 }, parameters: parameters)
        let answer = try await productLists.answer(for: query, generation: try await catalog.cacheGeneration()) {
            let page = try await catalog.products(matching: query)
            return ProductListDTO(
                products: page.products.map(ProductDTO.init),
                page: query.page,
                limit: query.pageSize,
                total: page.totalCount,
                pageCount: page.pageCount
            )
        }
        return EncodedAnswerCache<ProductQuery>.response(answer, to: request)
    }

    @Sendable func product(_ request: Request, context: Context) async throws -> ProductDTO {
        let text = try context.parameters.require("id")
        guard let id = ProductID(publicString: text) else {
            throw CatalogError.invalidQuery(parameter: "id", reason: "must be a product id (a UUID)")
        }
        // One product's stock is read fresh: lists come from the cache, where levels above the
        // low-stock threshold may lag (see CatalogService.stockDidChange).
        guard let product = try await catalog.currentProducts(ids: [id])[id] else { throw CatalogError.productNotFound(text) }
        return ProductDTO(product)
    }
}

/// The OpenAPI 3.1 document describing this API, bundled with the module.
public enum OpenAPIDocument {
    /// The document's bytes.
    public static func data() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }
}
