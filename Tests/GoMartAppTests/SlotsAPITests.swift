import API
import Foundation
import GoMartApp
import Slots
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

@Suite struct SlotsAPITests {
    let validator = try! OpenAPISchemaValidator(data: OpenAPIDocument.data())

    func call(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, token: String? = nil,
              key: String? = nil) async throws -> TestResponse {
        var headers = HTTPFields()
        if json != nil { headers[.contentType] = "application/json" }
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// Checks `response` against the document's schema for `path`, `method` and its status; returns the body.
    func conforming(_ response: TestResponse, path: String, method: String = "get") throws -> [String: Any] {
        let status = Int(response.status.code)
        let contentType = status < 400 ? "application/json" : "application/problem+json"
        let schema = try #require(validator.responseSchema(path: path, method: method, status: status, contentType: contentType), "no schema for \(path) \(status)")
        let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
        #expect(validator.validate(json, against: schema) == [], "\(method) \(path) \(status)")
        return json as? [String: Any] ?? [:]
    }

    @Test func aClientSaysWhatToSubstituteAndANamedProductMustPassTheRule() async throws {
        try await withTestApp { client in
            let signUp = try await call(client, .post, "/api/v1/customers", json: #"{"name": "Ada Lovelace", "email": "ada.subs@example.com", "password": "analytical engine"}"#)
            let token = try #require(try signUp.json()["token"] as? String)
            let product = try #require(try await inStockProducts(client).first)
            let elsewhere = try #require(try await inStockProducts(client, aisle: "household").first)
            _ = try await call(client, .post, "/api/v1/cart/items", json: #"{"productId": "\#(product.id)", "quantity": 2}"#, token: token)
            let path = "/api/v1/cart/items/\(product.id)/substitution"
            let none = try await call(client, .put, path, json: #"{"substitution": "none"}"#, token: token)
            #expect(none.status == .ok)
            let lines = try #require(try conforming(none, path: "/cart/items/{productId}/substitution", method: "put")["lines"] as? [[String: Any]])
            #expect(lines.map { $0["substitution"] as? String } == ["none"])
            let refused = try await call(client, .put, path, json: #"{"substitution": "\#(elsewhere.id)"}"#, token: token)
            #expect(refused.status == .unprocessableContent)
            #expect(try conforming(refused, path: "/cart/items/{productId}/substitution", method: "put")["detail"] as? String == "\(elsewhere.name) is in another aisle.")
            let unknown = try await call(client, .put, path, json: #"{"substitution": "\#(UUID().uuidString.lowercased())"}"#, token: token)
            #expect(unknown.status == .notFound)
        }
    }

    @Test func aClientListsBooksAndOrdersIntoASlot() async throws {
        try await withTestApp(configure: { $0.orders.slotRequirement = .required }) { client in
            let signUp = try await call(client, .post, "/api/v1/customers", json: #"{"name": "Ada Lovelace", "email": "ada.slots@example.com", "password": "analytical engine"}"#)
            let token = try #require(try signUp.json()["token"] as? String)
            let product = try #require(try await inStockProducts(client).first)
            _ = try await call(client, .post, "/api/v1/cart/items", json: #"{"productId": "\#(product.id)", "quantity": 6}"#, token: token)

            let noPostcode = try await call(client, .get, "/api/v1/slots?postcode=")
            #expect(noPostcode.status == .ok)
            #expect((try conforming(noPostcode, path: "/slots")["places"] as? [Any])?.isEmpty == true)
            #expect(try await call(client, .get, "/api/v1/slots?method=drone").status == .badRequest)
            let listed = try await call(client, .get, "/api/v1/slots?postcode=SW1A%201AA")
            #expect(listed.status == .ok)
            let places = try #require(try conforming(listed, path: "/slots")["places"] as? [[String: Any]])
            #expect(places.map { $0["name"] as? String } == ["Home delivery"])
            let slot = try #require((places.first?["slots"] as? [[String: Any]])?.first { $0["bookable"] as? Bool == true })
            let slotID = try #require(slot["id"] as? String)
            let collection = try await call(client, .get, "/api/v1/slots?method=collection")
            #expect((try conforming(collection, path: "/slots")["places"] as? [[String: Any]])?.first?["address"] as? String == "1 Market Street, London EC1A 1AA")

            let order = #"""
                {"delivery": {"name": "Ada Lovelace", "line1": "1 Loop Road", "city": "London", "postcode": "SW1A 1AA", "phone": "020 7946 0000"},
                 "card": {"number": "4242424242424242", "expiryMonth": 12, "expiryYear": 2035, "cvc": "123"}}
                """#
            let unslotted = try await call(client, .post, "/api/v1/orders", json: order, token: token, key: "api-slot-order-0")
            #expect(unslotted.status == .conflict)
            #expect(try unslotted.json()["detail"] as? String == "Please book a delivery or collection slot first: your slot hold may have run out.")

            #expect(try await call(client, .get, "/api/v1/me/slot", token: token).status == .notFound)
            #expect(try await call(client, .put, "/api/v1/me/slot", json: #"{"slotId": "\#(UUID().uuidString)"}"#, token: token).status == .notFound)
            #expect(try await call(client, .put, "/api/v1/me/slot", json: #"{"slotId": "\#(slotID)"}"#).status == .unauthorized)
            let booked = try await call(client, .put, "/api/v1/me/slot", json: #"{"slotId": "\#(slotID)"}"#, token: token)
            #expect(booked.status == .ok)
            #expect(((try conforming(booked, path: "/me/slot", method: "put"))["slot"] as? [String: Any])?["id"] as? String == slotID)
            _ = try conforming(try await call(client, .get, "/api/v1/me/slot", token: token), path: "/me/slot")

            let placed = try await call(client, .post, "/api/v1/orders", json: order, token: token, key: "api-slot-order-1")
            #expect(placed.status == .created)
            let body = try conforming(placed, path: "/orders", method: "post")
            #expect((body["slot"] as? [String: Any])?["place"] as? String == "Home delivery")
            #expect((body["slot"] as? [String: Any])?["window"] as? String == slot["window"] as? String)
            #expect(try await call(client, .get, "/api/v1/me/slot", token: token).status == .notFound)

            _ = try await call(client, .put, "/api/v1/me/slot", json: #"{"slotId": "\#(slotID)"}"#, token: token)
            #expect(try await call(client, .delete, "/api/v1/me/slot", token: token).status == .noContent)
            #expect(try await call(client, .get, "/api/v1/me/slot", token: token).status == .notFound)
        }
    }
}
