import API
import Foundation
import HummingbirdTesting
import HTTPTypes
import NIOCore
import NIOFoundationCompat
import Testing

@Suite struct APITests {
    let validator = try! OpenAPISchemaValidator(data: OpenAPIDocument.data())

    /// GETs `uri` and checks the body against the document's schema for `path`.
    func conforms(_ client: some TestClientProtocol, uri: String, path: String, status: Int = 200) async throws -> [String: Any] {
        let response = try await client.executeRequest(uri: uri, method: .get, headers: [:], body: nil)
        #expect(Int(response.status.code) == status, "\(uri)")
        let contentType = status < 400 ? "application/json" : "application/problem+json"
        #expect(response.headers[.contentType]?.hasPrefix(contentType) == true)
        let schema = try #require(validator.responseSchema(path: path, status: status, contentType: contentType), "no schema for \(path) \(status)")
        let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
        #expect(validator.validate(json, against: schema) == [], "\(uri)")
        return json as? [String: Any] ?? [:]
    }

    @Test func theDocumentIsServedAndIsOpenAPI31() async throws {
        try await withTestApp { client in
            try await client.get("/api/v1/openapi.json") { response in
                #expect(response.status == .ok)
                let document = try response.json()
                #expect(document["openapi"] as? String == "3.1.0")
                let paths = try #require(document["paths"] as? [String: Any])
                #expect(Set(paths.keys) == ["/aisles", "/products", "/products/{id}", "/products/{id}/similar", "/suggestions", "/openapi.json", "/customers", "/sessions", "/sessions/current", "/me", "/me/recommendations", "/me/password",
                                           "/cart", "/cart/items", "/cart/items/{productId}", "/cart/items/{productId}/substitution", "/cart/voucher",
                                           "/me/favourites", "/me/favourites/{productId}", "/me/buy-again", "/me/buy-again/usuals", "/orders/{id}/reorder",
                                           "/me/lists", "/me/lists/{id}", "/me/lists/{id}/items/{productId}", "/me/lists/{id}/cart", "/me/stock-alerts",
                                           "/me/stock-alerts/{productId}",
                                           "/orders/validate", "/orders", "/orders/{id}", "/orders/{id}/cancel", "/orders/{id}/items", "/orders/{id}/substitutes/{line}", "/slots",
                                           "/me/slot",
                                           "/admin/sessions", "/admin/sessions/current", "/admin/orders", "/admin/orders/{id}",
                                           "/admin/orders/{id}/transitions", "/admin/orders/{id}/pack", "/admin/orders/{id}/refunds", "/admin/picking-list",
                                           "/admin/products", "/admin/products/{id}", "/admin/products/{id}/withdraw", "/admin/products/{id}/reinstate",
                                           "/admin/products/{id}/stock-adjustments", "/admin/orders/{id}/notes", "/admin/dashboard"])
                // The recommender role's model endpoint is its own, never a shop instance's.
                #expect(!paths.keys.contains { $0.hasPrefix("/model") })
            }
        }
    }

    @Test func aLiteralSegmentBeatsAParameterWhateverTheOrder() {
        for order in [[0, 1], [1, 0]] {
            let entries: [(path: String, methods: Set<String>)] = [("/api/v1/orders/{id}", ["GET", "HEAD"]), ("/api/v1/orders/validate", ["POST"])]
            let table = DeclaredMethods(order.map { entries[$0] })
            #expect(table.methods(for: "/api/v1/orders/validate") == ["POST"])
            #expect(table.methods(for: "/api/v1/orders/123") == ["GET", "HEAD"])
            #expect(table.methods(for: "/api/v1/orders/123/x") == nil)
        }
    }

    @Test func anUndeclaredMethodOnADocumentedPathIs405WithAllow() async throws {
        try await withTestApp { client in
            for (method, uri, allow) in [(HTTPRequest.Method.delete, "/api/v1/products", "GET, HEAD"), (.put, "/api/v1/orders/\(UUID().uuidString)", "GET, HEAD"),
                                         (.init("TRACE")!, "/api/v1/cart", "GET, HEAD"), (.patch, "/api/v1/sessions", "DELETE, POST"),
                                         // A literal segment beats a parameter: this is /orders/validate, not /orders/{id}.
                                         (.get, "/api/v1/orders/validate", "POST"), (.init("OPTIONS")!, "/api/v1/orders/validate", "POST")] {
                let answer = try await client.executeRequest(uri: uri, method: method, headers: [:], body: nil)
                #expect(answer.status == .methodNotAllowed, "\(method) \(uri)")
                #expect(answer.headers[.allow] == allow, "\(method) \(uri)")
                #expect(answer.headers[.contentType] == "application/problem+json")
            }
            #expect(try await client.executeRequest(uri: "/api/v1/no-such-thing", method: .get, headers: [:], body: nil).status == .notFound)
            #expect(try await client.executeRequest(uri: "/api/v1/model", method: .get, headers: [:], body: nil).status == .notFound)
        }
    }

    @Test func aislesConform() async throws {
        try await withTestApp { client in
            let body = try await conforms(client, uri: "/api/v1/aisles", path: "/aisles")
            #expect((body["aisles"] as? [Any])?.count == 13)
        }
    }

    @Test func productListsConformAndHonourFilters() async throws {
        try await withTestApp { client in
            let all = try await conforms(client, uri: "/api/v1/products", path: "/products")
            #expect((all["products"] as? [Any])?.count == 24)
            #expect((all["total"] as? Int ?? 0) >= 600)

            let filtered = try await conforms(
                client, uri: "/api/v1/products?aisle=drinks&brand=GoMart&in_stock=true&sort=price&limit=5&page=1", path: "/products"
            )
            let products = try #require(filtered["products"] as? [[String: Any]])
            #expect(!products.isEmpty)
            for product in products {
                #expect((product["aisle"] as? [String: Any])?["slug"] as? String == "drinks")
                #expect(product["brand"] as? String == "GoMart")
                #expect(product["inStock"] as? Bool == true)
            }
            let prices = products.compactMap { ($0["price"] as? [String: Any])?["amountMinor"] as? Int }
            #expect(prices == prices.sorted())

            let search = try await conforms(client, uri: "/api/v1/products?q=cheddar", path: "/products")
            let names = (search["products"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(!names.isEmpty)
            #expect(names.allSatisfy { $0.contains("Cheddar") })
        }
    }

    @Test func oneProductConformsAndMatchesItsListing() async throws {
        try await withTestApp { client in
            let list = try await conforms(client, uri: "/api/v1/products?limit=1", path: "/products")
            let listed = try #require((list["products"] as? [[String: Any]])?.first)
            let id = try #require(listed["id"] as? String)

            let product = try await conforms(client, uri: "/api/v1/products/\(id)", path: "/products/{id}")

            #expect(product["sku"] as? String == listed["sku"] as? String)
            let canonical = { (object: [String: Any]) in try JSONSerialization.data(withJSONObject: object, options: .sortedKeys) }
            #expect(try canonical(product) == canonical(listed))
        }
    }

    @Test func errorsConformToTheProblemSchema() async throws {
        try await withTestApp { client in
            _ = try await conforms(client, uri: "/api/v1/products?limit=500", path: "/products", status: 400)
            _ = try await conforms(client, uri: "/api/v1/products/4f1c2b1e-0000-4000-8000-000000000000", path: "/products/{id}", status: 404)
        }
    }

    @Test func theValidatorCatchesNonConformingBodies() throws {
        let schema = try #require(validator.responseSchema(path: "/aisles", status: 200, contentType: "application/json"))
        let bad: [String: Any] = ["aisles": [["slug": "x", "name": 3, "productCount": -1, "url": "/", "description": "", "extra": true]]]
        let problems = validator.validate(bad, against: schema)
        #expect(problems.count == 3)
    }
}
