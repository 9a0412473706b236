import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Whole API answers against their stored snapshots (ids, tokens, numbers and times pinned).
@Suite struct APISnapshotTests {
    func get(_ client: some TestClientProtocol, _ uri: String, token: String? = nil) async throws -> TestResponse {
        try await call(client, .get, uri, token: token)
    }

    func post(_ client: some TestClientProtocol, _ uri: String, json: String, token: String? = nil, key: String? = nil) async throws -> TestResponse {
        try await call(client, .post, uri, json: json, token: token, key: key)
    }

    func call(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, json: String? = nil,
              token: String? = nil, key: String? = nil) async throws -> TestResponse {
        var headers = HTTPFields()
        if json != nil { headers[.contentType] = "application/json" }
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    @Test func catalogueAnswers() async throws {
        try await withTestApp { client in
            assertSnapshot(of: try await get(client, "/api/v1/aisles"), named: "aisles")
            let list = try await get(client, "/api/v1/products?aisle=bakery&sort=price&limit=3")
            assertSnapshot(of: list, named: "products")
            let id = try #require(((try list.json()["products"] as? [[String: Any]])?.first)?["id"] as? String)
            assertSnapshot(of: try await get(client, "/api/v1/products/\(id)"), named: "product")
            assertSnapshot(of: try await get(client, "/api/v1/products?limit=500"), named: "products-bad-limit")
            assertSnapshot(of: try await get(client, "/api/v1/products/not-a-uuid"), named: "product-bad-id")
        }
    }

    @Test func accountCartAndOrderAnswers() async throws {
        try await withTestApp { client in
            let signUp = try await post(client, "/api/v1/customers", json: """
                {"name": "Ada Lovelace", "email": "ada.snapshot@example.com", "password": "analytical engine"}
                """)
            assertSnapshot(of: signUp, named: "sign-up")
            let token = try #require(try signUp.json()["token"] as? String)
            assertSnapshot(of: try await get(client, "/api/v1/me", token: token), named: "me")
            let product = try #require(try await inStockProducts(client).first)
            _ = try await post(client, "/api/v1/cart/items", json: #"{"productId": "\#(product.id)", "quantity": 6}"#, token: token)
            assertSnapshot(of: try await get(client, "/api/v1/cart", token: token), named: "cart")
            assertSnapshot(of: try await post(client, "/api/v1/orders/validate", json: """
                {"lines": [{"productId": "\(product.id)", "quantity": 1}, {"productId": "\(UUID().uuidString)", "quantity": 1}]}
                """, token: token), named: "validate-problems")
            let order = try await post(client, "/api/v1/orders", json: """
                {"delivery": {"name": "Ada Lovelace", "line1": "1 Loop Road", "city": "London", "postcode": "SW1A 1AA", "phone": "020 7946 0000"},
                 "card": {"number": "4242424242424242", "expiryMonth": 12, "expiryYear": 2035, "cvc": "123"}}
                """, token: token, key: "snapshot-order-1")
            assertSnapshot(of: order, named: "order-placed")
            // Changed before picking: two more, at the price it was bought at; the same change
            // again is from an older version; a negative quantity is refused.
            let orderID = try #require(try order.json()["id"] as? String)
            let change = { (version: Int, quantity: Int) in #"{"version": \#(version), "items": [{"productId": "\#(product.id)", "quantity": \#(quantity)}]}"# }
            assertSnapshot(of: try await call(client, .put, "/api/v1/orders/\(orderID)/items", json: change(0, 8), token: token), named: "order-changed")
            assertSnapshot(of: try await call(client, .put, "/api/v1/orders/\(orderID)/items", json: change(0, 9), token: token), named: "order-change-stale")
            assertSnapshot(of: try await call(client, .put, "/api/v1/orders/\(orderID)/items", json: change(1, -1), token: token), named: "order-change-invalid")
            assertSnapshot(of: try await get(client, "/api/v1/orders", token: token), named: "orders")
            assertSnapshot(of: try await get(client, "/api/v1/cart"), named: "cart-signed-out")
        }
    }
}
