import Foundation
import GoMartApp
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Recommendations
import Testing

/// Every product as the export lists it, with its stock and page address, read from the API.
func catalogueItems(_ client: some TestClientProtocol) async throws -> (items: [ItemRecord], stock: [String: Int], url: [String: String]) {
    var items: [ItemRecord] = []
    var stock: [String: Int] = [:]
    var url: [String: String] = [:]
    for page in 1...7 {
        let listing = try await client.executeRequest(uri: "/api/v1/products?limit=100&page=\(page)", method: .get, headers: [:], body: nil)
        for product in try #require(try listing.json()["products"] as? [[String: Any]]) {
            let id = try #require(product["id"] as? String)
            let price = (product["price"] as? [String: Any])?["amountMinor"] as? Int ?? 0
            let unitPrice = product["unitPrice"] as? [String: Any]
            items.append(ItemRecord(
                id: id, name: product["name"] as? String ?? "", aisle: (product["aisle"] as? [String: Any])?["slug"] as? String ?? "",
                brand: product["brand"] as? String ?? "", priceMinor: Int64(price), unitPriceMinor: Int64(unitPrice?["amountMinor"] as? Int ?? price),
                unit: unitPrice?["per"] as? String ?? "each", soldByWeight: product["soldByWeight"] as? Bool ?? false, inStock: (product["stock"] as? Int ?? 0) > 0
            ))
            stock[id] = product["stock"] as? Int ?? 0
            url[id] = product["url"] as? String
        }
    }
    return (items, stock, url)
}

/// The test shop with a model store of its own (in a temporary data folder), checked for new
/// models often, with the versions it loads.
func withModelStoreTestApp(_ test: @escaping @Sendable (any TestClientProtocol, ModelStore, ModelLoads) async throws -> Void) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-ml-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let loads = ModelLoads()
    try await withTestApp(configure: { configuration in
        configuration.persistence.dataDirectory = folder.path
        configuration.recommendations.modelCheckIntervalSeconds = 0
    }, modelLoads: loads) { client in
        try await test(client, ModelStore(directory: folder.appendingPathComponent("models")), loads)
    }
}

@Suite struct RecommendationsAPITests {
    let api = APITests()

    @Test func similarProductsFallBackToPopularityThenComeFromATrainedModel() async throws {
        try await withModelStoreTestApp { client, store, loads in
            let (items, stock, url) = try await catalogueItems(client)
            #expect(items.count == 636)
            let id = try #require(items.first { stock[$0.id, default: 0] > 0 }?.id)

            // No model yet: the popularity fallback answers, and says so.
            let fallback = try await api.conforms(client, uri: "/api/v1/products/\(id)/similar?k=5", path: "/products/{id}/similar")
            #expect(fallback["source"] as? String == "popularity")
            #expect(fallback["modelVersion"] == nil)
            let fallbackProducts = try #require(fallback["products"] as? [[String: Any]])
            #expect(fallbackProducts.count == 5)
            #expect(!fallbackProducts.contains { $0["id"] as? String == id })

            // Bounds and bad ids are 4xx problems.
            _ = try await api.conforms(client, uri: "/api/v1/products/\(id)/similar?k=0", path: "/products/{id}/similar", status: 400)
            _ = try await api.conforms(client, uri: "/api/v1/products/\(id)/similar?k=51", path: "/products/{id}/similar", status: 400)
            _ = try await api.conforms(client, uri: "/api/v1/products/\(id)/similar?k=ten", path: "/products/{id}/similar", status: 400)
            _ = try await api.conforms(client, uri: "/api/v1/products/not-a-uuid/similar", path: "/products/{id}/similar", status: 400)
            _ = try await api.conforms(client, uri: "/api/v1/products/\(UUID().uuidString)/similar", path: "/products/{id}/similar", status: 404)

            // A model appears in the store: the next requests pick it up without a restart.
            let (model, index) = RecommendationModel.train(TrainingData(items: items, orders: []), weights: FeatureWeights(), metric: .euclidean)
            try store.save(model, index: index)
            try await loads.wait(for: model.version)
            let answer = try await api.conforms(client, uri: "/api/v1/products/\(id)/similar?k=5", path: "/products/{id}/similar")
            #expect(answer["source"] as? String == "model")
            #expect(answer["modelVersion"] as? String == model.version)
            let position = try #require(index.ids.firstIndex(of: id))
            let expected = index.neighbours(of: position, k: 40, metric: .euclidean).map(\.id).filter { stock[$0, default: 0] > 0 }.prefix(5)
            #expect((answer["products"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == Array(expected))

            // The product page shows the model's nearest in-stock neighbours.
            let page = try await client.executeRequest(uri: try #require(url[id]), method: .get, headers: [:], body: nil)
            let html = String(buffer: page.body)
            let section = try #require(html.range(of: "<h2 id=\"similar-heading\">Similar products</h2>"))
            let shown = index.neighbours(of: position, k: 12, metric: .euclidean).map(\.id).filter { stock[$0, default: 0] > 0 }.prefix(4)
            let first = try #require(shown.first.flatMap { url[$0] })
            #expect(html[section.upperBound...].prefix(6_000).contains("href=\"\(first)\""))
        }
    }
}
