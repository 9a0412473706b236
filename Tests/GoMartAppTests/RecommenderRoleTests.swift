import API
import Foundation
import GoMartApp
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Recommendations
import RecommenderClient
import Storage
import TestSupport
import Testing

/// `gomart serve --role recommender`: the model endpoint on its own, and web instances that call
/// it over HTTP and fall back to popularity when it is down or slow.
@Suite struct RecommenderRoleTests {
    let validator = try! OpenAPISchemaValidator(data: OpenAPIDocument.data())

    /// Sends a request and checks the answer against the document's schema for `documentedPath`.
    func call(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, json: String? = nil,
              documentedPath: String) async throws -> (status: Int, body: [String: Any]) {
        var headers = HTTPFields()
        if json != nil { headers[.contentType] = "application/json" }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        let status = Int(response.status.code)
        let parsed = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
        let contentType = status < 400 ? "application/json" : "application/problem+json"
        #expect(response.headers[.contentType]?.hasPrefix(contentType) == true, "\(method) \(uri)")
        let schema = try #require(validator.responseSchema(path: documentedPath, method: method.rawValue.lowercased(), status: status, contentType: contentType),
                                  "undocumented \(method) \(documentedPath) \(status)")
        #expect(validator.validate(parsed, against: schema) == [], "\(method) \(uri)")
        return (status, parsed as? [String: Any] ?? [:])
    }

    /// A configuration for the recommender role over a model store in a new folder.
    static func recommenderConfiguration(_ folder: URL) -> GoMartConfiguration {
        var configuration = GoMartConfiguration.forTests()
        configuration.server.port = 0
        configuration.server.role = .recommender
        configuration.persistence.dataDirectory = folder.path
        configuration.recommendations.modelCheckIntervalSeconds = 0
        return configuration
    }

    @Test func theModelEndpointAnswersFromTheStoreAndSaysWhenItCannot() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-recommender-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let loads = ModelLoads()
        let app = try await buildRecommenderApplication(Self.recommenderConfiguration(folder), logger: TestDatabase.logger,
                                                        onModelLoaded: loads.record)
        try await app.test(.router) { client in
            // No model yet: not ready, and every question is a 503 that says why.
            let notReady = try await client.executeRequest(uri: "/health/ready", method: .get, headers: [:], body: nil)
            #expect(notReady.status == .serviceUnavailable)
            #expect(try await call(client, .get, "/api/v1/model", documentedPath: "/model").status == 503)
            #expect(try await call(client, .get, "/api/v1/model/items/x/neighbours", documentedPath: "/model/items/{id}/neighbours").status == 503)

            // A model appears in the store.
            var items: [ItemRecord] = []
            for number in 0..<60 {
                let price = Int64(50 + (number * 37) % 900), unitPrice = Int64(100 + (number * 53) % 2_000)
                items.append(ItemRecord(id: String(format: "00000000-0000-4000-8000-%012x", number), name: "Item \(number)",
                                        aisle: ["Bakery", "Dairy", "Pantry"][number % 3], brand: ["A", "B", "C", "D"][number % 4],
                                        priceMinor: price, unitPriceMinor: unitPrice, unit: ["each", "kg", "l"][number % 3], soldByWeight: false, inStock: true))
            }
            let (model, index) = RecommendationModel.train(TrainingData(items: items, orders: []), weights: FeatureWeights(), metric: .cosine)
            try ModelStore(directory: folder.appendingPathComponent("models")).save(model, index: index)
            try await loads.wait(for: model.version)
            let described = try await call(client, .get, "/api/v1/model", documentedPath: "/model").body
            #expect(described["version"] as? String == model.version)
            #expect(described["itemCount"] as? Int == 60)
            #expect(described["metric"] as? String == "cosine")
            let ready = try await client.executeRequest(uri: "/health/ready", method: .get, headers: [:], body: nil)
            let readyModel = try ready.json()["recommendationModel"] as? String
            #expect(ready.status == .ok)
            #expect(readyModel == model.version)

            // Neighbours of one item, exactly as the index has them.
            let neighbours = try await call(client, .get, "/api/v1/model/items/\(items[7].id)/neighbours?k=5", documentedPath: "/model/items/{id}/neighbours")
            let ids = (neighbours.body["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids == index.neighbours(of: 7, k: 5, metric: .cosine).map(\.id))
            #expect(try await call(client, .get, "/api/v1/model/items/\(items[7].id)/neighbours?k=0", documentedPath: "/model/items/{id}/neighbours").status == 400)
            #expect(try await call(client, .get, "/api/v1/model/items/\(items[7].id)/neighbours?k=201", documentedPath: "/model/items/{id}/neighbours").status == 400)
            #expect(try await call(client, .get, "/api/v1/model/items/unknown/neighbours", documentedPath: "/model/items/{id}/neighbours").status == 404)

            // A basket, with exclusions.
            let basket = try await call(client, .post, "/api/v1/model/recommendations",
                                        json: #"{"basket": ["\#(items[1].id)", "\#(items[2].id)", "not-known"], "exclude": ["\#(items[4].id)"], "k": 6}"#,
                                        documentedPath: "/model/recommendations")
            let basketIDs = (basket.body["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(basketIDs == index.neighbours(ofBasket: [1, 2], k: 6, metric: .cosine, excluding: [4]).map(\.id))
            for bad in ["not json", #"{"basket": []}"#, #"{"basket": ["a"], "k": 0}"#, #"{"basket": "a"}"#] {
                #expect(try await call(client, .post, "/api/v1/model/recommendations", json: bad, documentedPath: "/model/recommendations").status == 400, "\(bad)")
            }
            #expect(try await call(client, .post, "/api/v1/model/recommendations", json: #"{"basket": ["unknown"]}"#,
                                   documentedPath: "/model/recommendations").status == 404)

            // The shop's own pages and API are not here, and no database was made.
            #expect(try await client.executeRequest(uri: "/", method: .get, headers: [:], body: nil).status == .notFound)
            #expect(try await client.executeRequest(uri: "/api/v1/products", method: .get, headers: [:], body: nil).status == .notFound)
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("gomart.sqlite").path))
        }
    }

    @Test func theWebRoleAsksTheRecommenderOverHTTP() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-recommender-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let recommender = try await buildRecommenderApplication(Self.recommenderConfiguration(folder), logger: TestDatabase.logger)
        try await recommender.test(.live) { recommenderClient in
            let port = try #require(recommenderClient.port)
            let webLoads = ModelLoads()
            try await withTestApp(configure: {
                $0.recommendations.recommenderURL = "http://127.0.0.1:\(port)"
                $0.recommendations.modelCheckIntervalSeconds = 0
                // A busy machine (CI) must not turn a slow answer into a fallback and a cool-down.
                $0.recommendations.recommenderTimeoutMilliseconds = 10_000
            },
                                  modelLoads: webLoads) { client in
                let (items, stock, _) = try await catalogueItems(client)
                let id = try #require(items.first { stock[$0.id, default: 0] > 0 }?.id)
                // The recommender has no model yet: popularity answers.
                let early = try await client.executeRequest(uri: "/api/v1/products/\(id)/similar?k=4", method: .get, headers: [:], body: nil)
                let earlySource = try early.json()["source"] as? String
                #expect(early.status == .ok)
                #expect(earlySource == "popularity")

                // Trained into the recommender's store, the model answers through it.
                let (model, index) = RecommendationModel.train(TrainingData(items: items, orders: []), weights: FeatureWeights(), metric: .euclidean)
                try ModelStore(directory: folder.appendingPathComponent("models")).save(model, index: index)
                // The recommender picks the model up, then the web instance learns of it.
                try await webLoads.wait(for: model.version)
                let answer = try await client.executeRequest(uri: "/api/v1/products/\(id)/similar?k=4", method: .get, headers: [:], body: nil).json()
                #expect(answer["source"] as? String == "model")
                #expect(answer["modelVersion"] as? String == model.version)
                let position = try #require(index.ids.firstIndex(of: id))
                let expected = index.neighbours(of: position, k: 60, metric: .euclidean).map(\.id).filter { stock[$0, default: 0] > 0 }.prefix(4)
                #expect((answer["products"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == Array(expected))
            }
        }
    }

    @Test func aDownOrSlowRecommenderMeansPopularityNotFailure() async throws {
        // A recommender that answers too late (were it waited for, its answer would be the model's).
        let router = Router()
        router.get("/api/v1/model/items/:id/neighbours") { _, context -> String in
            try await Task.sleep(for: .seconds(1))
            return #"{"modelVersion": "slow", "items": [{"id": "\#(try context.parameters.require("id"))", "distance": 0}]}"#
        }
        let slow = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await slow.test(.live) { slowClient in
            let slowURL = "http://127.0.0.1:\(try #require(slowClient.port))"
            // The client gives up at its deadline, then skips calls while it cools down.
            let remote = RemoteRecommender(configuration: .init(baseURL: slowURL, timeout: .milliseconds(100), coolDown: .seconds(60)),
                                           logger: TestDatabase.logger)
            #expect(!remote.isCoolingDown)
            await #expect(throws: (any Error).self) { _ = try await remote.similar(to: "a", k: 1) }
            #expect(remote.isCoolingDown)
            await #expect(throws: RecommenderUnavailable.self) { _ = try await remote.similar(to: "a", k: 1) }

            // Port 1 on loopback: nothing listens, so connections are refused.
            for url in ["http://127.0.0.1:1", slowURL] {
                try await withTestApp(configure: { configuration in
                    configuration.recommendations.recommenderURL = url
                    configuration.recommendations.recommenderTimeoutMilliseconds = 100
                }) { client in
                    let id = try #require(try await inStockProducts(client).first?.id)
                    for _ in 0..<3 {
                        let response = try await client.executeRequest(uri: "/api/v1/products/\(id)/similar?k=4", method: .get, headers: [:], body: nil)
                        #expect(response.status == .ok, "\(url)")
                        let body = try response.json()
                        #expect(body["source"] as? String == "popularity", "\(url)")
                        #expect((body["products"] as? [Any])?.count == 4, "\(url)")
                    }
                    // Pages still render, with the fallback under its own heading.
                    let page = try await client.executeRequest(uri: "/aisles/bakery", method: .get, headers: [:], body: nil)
                    #expect(page.status == .ok)
                }
            }
        }
    }
}
