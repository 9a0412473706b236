import Foundation
import GoMartApp
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The id and page address of the demo product with `sku` in `aisle`.
func demoProduct(_ client: some TestClientProtocol, sku: String, aisle: String) async throws -> (id: String, url: String) {
    let response = try await client.executeRequest(uri: "/api/v1/products?aisle=\(aisle)&limit=100", method: .get, headers: [:], body: nil)
    let products = try #require(try response.json()["products"] as? [[String: Any]])
    let product = try #require(products.first { $0["sku"] as? String == sku })
    return (try #require(product["id"] as? String), try #require(product["url"] as? String))
}

/// The demo offers and the `WELCOME5` voucher, whole pages against their snapshots: labels on
/// tiles and product pages, savings by name in the cart, at checkout and on the order.
@Suite struct PromotionPageTests {
    @Test func offersShowOnTilesAndPagesAndTheSavingsGoFromCartToOrder() async throws {
        try await withTestApp(configure: { $0.persistence.seedDemoOffers = true }) { client in
            var browser = Browser()
            let yoghurt = try await demoProduct(client, sku: "DE-0061", aisle: "dairy-eggs")
            let crisps = try await demoProduct(client, sku: "SN-0001", aisle: "snacks")
            let cola = try await demoProduct(client, sku: "DR-0013", aisle: "drinks")
            assertSnapshot(of: try await browser.get(client, "/search?q=greek%20yoghurt"), named: "search")
            assertSnapshot(of: try await browser.get(client, yoghurt.url), named: "product")

            _ = try await browser.get(client, "/account/sign-up")
            _ = try await browser.post(client, "/account/sign-up", form: [("name", "Offer Shopper"), ("email", "offers@example.com"),
                                                                           ("password", "a good long password")])
            _ = try await browser.post(client, "/cart/items", form: [("product_id", yoghurt.id), ("quantity", "3")])
            _ = try await browser.post(client, "/cart/items", form: [("product_id", crisps.id), ("quantity", "2")])
            let unknown = try await browser.post(client, "/cart/voucher", form: [("code", "nope")])
            #expect(unknown.status == .unprocessableContent)
            assertSnapshot(of: unknown, named: "cart-unknown-voucher")
            let applied = try await browser.post(client, "/cart/voucher", form: [("code", " welcome5 ")])
            #expect(applied.headers[.location] == "/cart")
            // £8.90 of goods: the voucher waits for its £40 minimum spend, and says how much more.
            assertSnapshot(of: try await browser.get(client, "/cart"), named: "cart-below-minimum")

            _ = try await browser.post(client, "/cart/items", form: [("product_id", cola.id), ("quantity", "20")])
            assertSnapshot(of: try await browser.get(client, "/cart"), named: "cart")
            let checkout = try await browser.get(client, "/checkout")
            assertSnapshot(of: checkout, named: "checkout")
            let key = hiddenValue("idempotency_key", in: String(buffer: checkout.body))
            let placed = try await browser.post(client, "/checkout", form: checkoutFields + [("card_number", "4242 4242 4242 4242"), ("idempotency_key", key)])
            let location = try #require(placed.headers[.location])
            assertSnapshot(of: try await browser.get(client, location), named: "order-placed")

            // The voucher was for one order a customer: the next cart cannot take it.
            _ = try await browser.post(client, "/cart/items", form: [("product_id", crisps.id), ("quantity", "1")])
            let again = try await browser.post(client, "/cart/voucher", form: [("code", "WELCOME5")])
            #expect(again.status == .conflict)
            #expect(again.text.contains("You have already used voucher WELCOME5."))
        }
    }

    /// The voucher in the JSON API: a bad code is a 422 problem, a good one shows on the cart
    /// with what it takes off (or what is left to spend), and the cart's savings are named.
    @Test func theAPIPutsAVoucherOnTheCartAndTakesItOff() async throws {
        try await withTestApp(configure: { $0.persistence.seedDemoOffers = true }) { client in
            func call(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil, token: String? = nil) async throws -> TestResponse {
                var headers = HTTPFields()
                if json != nil { headers[.contentType] = "application/json" }
                if let token { headers[.authorization] = "Bearer \(token)" }
                return try await client.executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
            }
            let created = try await call(.post, "/api/v1/customers", json: #"{"name":"Ada","email":"ada-offers@example.com","password":"a good long password"}"#)
            let token = try #require(try created.json()["token"] as? String)
            let yoghurt = try await demoProduct(client, sku: "DE-0061", aisle: "dairy-eggs")
            _ = try await call(.post, "/api/v1/cart/items", json: #"{"productId":"\#(yoghurt.id)","quantity":3}"#, token: token)
            assertSnapshot(of: try await call(.put, "/api/v1/cart/voucher", json: #"{"code":"NOPE"}"#, token: token), named: "unknown")
            assertSnapshot(of: try await call(.put, "/api/v1/cart/voucher", json: #"{"code":"welcome5"}"#, token: token), named: "below-minimum")
            let cola = try await demoProduct(client, sku: "DR-0013", aisle: "drinks")
            let added = try await call(.post, "/api/v1/cart/items", json: #"{"productId":"\#(cola.id)","quantity":20}"#, token: token)
            #expect(added.status == .ok)
            assertSnapshot(of: try await call(.get, "/api/v1/cart", token: token), named: "applied")
            assertSnapshot(of: try await call(.delete, "/api/v1/cart/voucher", token: token), named: "removed")
        }
    }
}
