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
        self.openAPIDocument = ByteBuffer(bytes: try OpenAPIDocument.shopData())
    }

    /// Adds the API's routes to `router` under `/api/v1`.
    public func addRoutes(to router: Router<Context>) {
        let api = router.group("api/v1")
        api.get("openapi.json", use: openAPI)
        api.get("aisles", use: aisles)
        api.get("products", use: products)
        api.get("products/:id", use: product)
        api.get("suggestions", use: suggestions)
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
                pageCount: page.pageCount,
                correction: page.correction
            )
        }
        return EncodedAnswerCache<ProductQuery>.response(answer, to: request)
    }

    /// Up to eight aisles and products for a search being typed (the search box's suggestions).
    @Sendable func suggestions(_ request: Request, context: Context) async throws -> SuggestionsDTO {
        let parameters = FormURLEncoded.parse(request.uri.query)
        guard let values = parameters["q"], values.count == 1, let text = values.first else {
            throw CatalogError.invalidQuery(parameter: "q", reason: "must be given once")
        }
        let found = try await catalog.suggestions(for: text)
        return SuggestionsDTO(aisles: found.aisles.map { AisleRefDTO(slug: $0.slug, name: $0.name) }, products: found.products.map { product in
            SuggestionsDTO.Product(id: product.id.publicString, name: product.name, packSize: product.packSize, price: MoneyDTO(product.price),
                                   url: "/products/\(product.slug)", inStock: product.inStock)
        }, correction: found.correction)
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
    /// The document's bytes, every role's operations.
    public static func data() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }

    /// The paths only the recommender role serves (its model endpoint), never a shop instance.
    static func isRecommenderPath(_ path: String) -> Bool { path == "/model" || path.hasPrefix("/model/") }

    /// The document a shop instance serves: without the recommender role's paths, so it lists
    /// exactly what the shop answers.
    public static func shopData() throws -> Data { try shopDocument.get() }

    private static let shopDocument = Result { () throws -> Data in
        guard var document = try JSONSerialization.jsonObject(with: data()) as? [String: Any],
              let paths = document["paths"] as? [String: Any] else { throw CocoaError(.fileReadCorruptFile) }
        document["paths"] = paths.filter { !isRecommenderPath($0.key) }
        return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// The methods the shop's document declares for each of its paths, to answer an undeclared
    /// method with 405 and `Allow`.
    public static func shopMethods() throws -> DeclaredMethods {
        guard let document = try JSONSerialization.jsonObject(with: data()) as? [String: Any],
              let paths = document["paths"] as? [String: [String: Any]] else { throw CocoaError(.fileReadCorruptFile) }
        let base = ((document["servers"] as? [[String: Any]])?.first?["url"] as? String) ?? ""
        let verbs: Set<String> = ["get", "put", "post", "delete", "patch"]
        return DeclaredMethods(paths.filter { !isRecommenderPath($0.key) }.map { path, operations in
            let methods = Set(operations.keys.filter(verbs.contains).map { $0.uppercased() })
            return (path: base + path, methods: methods.union(methods.contains("GET") ? ["HEAD"] : []))
        })
    }
}

/// Which methods each documented path takes.
public struct DeclaredMethods: Sendable {
    let paths: [(template: [String], methods: Set<String>)]

    /// The table for `paths`, in any order.
    public init(_ paths: [(path: String, methods: Set<String>)]) {
        self.paths = paths.map { ($0.path.split(separator: "/").map(String.init), $0.methods) }
    }

    /// The methods declared for `path`, matching `{parameter}` segments to anything; nil for a
    /// path the document does not have. As in routing, a literal segment beats a parameter:
    /// `/orders/validate` is that path, not `/orders/{id}`.
    public func methods(for path: String) -> Set<String>? {
        let segments = path.split(separator: "/")
        let matches = paths.filter { entry in
            entry.template.count == segments.count && zip(entry.template, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        return matches.max { literals($0.template) < literals($1.template) }?.methods
    }

    private func literals(_ template: [String]) -> Int { template.filter { !$0.hasPrefix("{") }.count }
}
