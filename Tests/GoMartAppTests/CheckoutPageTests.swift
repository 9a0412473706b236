import Foundation
import GoMartApp
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

/// Signs a new customer up in `browser` and fills the cart with `quantity` of the first in-stock bakery product.
func signedInWithCart(_ client: some TestClientProtocol, email: String, quantity: Int = 6) async throws -> Browser {
    var browser = Browser()
    _ = try await browser.get(client, "/account/sign-up")
    _ = try await browser.post(client, "/account/sign-up", form: [("name", "Test Shopper"), ("email", email), ("password", "a good long password")])
    let product = try #require(try await inStockProducts(client).first)
    _ = try await browser.post(client, "/cart/items", form: [("product_id", product.id), ("quantity", String(quantity))])
    return browser
}

let checkoutFields: [(String, String)] = [
    ("name", "Test Shopper"), ("line1", "1 High Street"), ("line2", ""), ("city", "York"), ("postcode", "YO1 7HH"),
    ("phone", "01904 123456"), ("card_expiry", "12/30"), ("card_cvc", "123"),
]

func hiddenValue(_ name: String, in html: String) -> String {
    guard let range = html.range(of: #"name="\#(name)" value=""#) else { return "" }
    return String(html[range.upperBound...].prefix { $0 != "\"" })
}

@Suite struct CheckoutPageTests {
    @Test func checkoutRequiresSignIn() async throws {
        try await withTestApp { client in
            var browser = Browser()
            let response = try await browser.get(client, "/checkout")
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/account/sign-in?next=/checkout")
        }
    }

    @Test func payingWithTheTestCardPlacesTheOrder() async throws {
        try await withTestApp { client in
            var browser = try await signedInWithCart(client, email: "payer@example.com")
            let page = try await browser.get(client, "/checkout")
            let key = hiddenValue("idempotency_key", in: String(buffer: page.body))
            #expect(page.status == .ok)
            #expect(key.count >= 16)

            let placed = try await browser.post(client, "/checkout", form: checkoutFields + [("card_number", "4242 4242 4242 4242"), ("idempotency_key", key)])

            #expect(placed.status == .seeOther)
            let location = try #require(placed.headers[.location])
            #expect(location.hasPrefix("/orders/"))
            #expect(location.hasSuffix("?placed=1"))
            let confirmation = String(buffer: try await browser.get(client, location).body)
            #expect(confirmation.contains("Thank you! Your order is placed."))
            #expect(confirmation.contains("Visa ending 4242"))
            #expect(confirmation.contains("YO1 7HH"))
            let number = try #require(confirmation.range(of: #"GM-[0-9A-Z]{6}"#, options: .regularExpression).map { String(confirmation[$0]) })
            let history = String(buffer: try await browser.get(client, "/orders").body)
            #expect(history.contains(number))
            #expect(history.contains("Paid"))
            #expect(String(buffer: try await browser.get(client, "/cart").body).contains("Your cart is empty"))

            // A double-click resends the same form: the same order comes back, no second one is made.
            let again = try await browser.post(client, "/checkout", form: checkoutFields + [("card_number", "4242 4242 4242 4242"), ("idempotency_key", key)])
            #expect(again.headers[.location] == location)
            let orders = String(buffer: try await browser.get(client, "/orders").body)
            #expect(orders.components(separatedBy: "GM-").count - 1 == 1)
        }
    }

    @Test func aDeclinedCardShowsWhyAndPlacesNoPaidOrder() async throws {
        try await withTestApp { client in
            var browser = try await signedInWithCart(client, email: "declined@example.com")
            let key = hiddenValue("idempotency_key", in: String(buffer: try await browser.get(client, "/checkout").body))

            let declined = try await browser.post(client, "/checkout", form: checkoutFields + [("card_number", "4000 0000 0000 0002"), ("idempotency_key", key)])

            let html = String(buffer: declined.body)
            #expect(declined.status.code == 402)
            #expect(html.contains("Your card was declined"))
            #expect(hiddenValue("idempotency_key", in: html) != key) // a fresh key for the next attempt
            let history = String(buffer: try await browser.get(client, "/orders").body)
            #expect(!history.contains("Paid"))
            #expect(!String(buffer: try await browser.get(client, "/cart").body).contains("Your cart is empty"))
        }
    }

    @Test func badCheckoutFieldsAreListedAndKept() async throws {
        try await withTestApp { client in
            var browser = try await signedInWithCart(client, email: "typo@example.com")
            let key = hiddenValue("idempotency_key", in: String(buffer: try await browser.get(client, "/checkout").body))

            let response = try await browser.post(client, "/checkout", form: [
                ("name", "Test Shopper"), ("line1", ""), ("city", "York"), ("postcode", "YO1 7HH"), ("phone", "01904 123456"),
                ("card_number", "4242 4242 4242 4241"), ("card_expiry", "13/99"), ("card_cvc", "1"), ("idempotency_key", key),
            ])

            let html = String(buffer: response.body)
            #expect(response.status == .unprocessableContent)
            #expect(html.contains("Please enter the first line of the address."))
            #expect(html.contains("Please check the card number."))
            #expect(html.contains("expiry date as MM/YY"))
            #expect(html.contains(#"value="YO1 7HH""#))
            #expect(!html.contains("4242 4242 4242 4241")) // card details are never echoed back
        }
    }

    @Test func someoneElsesOrderIsNotFound() async throws {
        try await withTestApp { client in
            var buyer = try await signedInWithCart(client, email: "buyer@example.com")
            let key = hiddenValue("idempotency_key", in: String(buffer: try await buyer.get(client, "/checkout").body))
            let placed = try await buyer.post(client, "/checkout", form: checkoutFields + [("card_number", "4242424242424242"), ("idempotency_key", key)])
            let orderPath = String(try #require(placed.headers[.location]).split(separator: "?")[0])

            var stranger = try await signedInWithCart(client, email: "stranger@example.com")
            let response = try await stranger.get(client, orderPath)
            #expect(response.status == .notFound)
            #expect(try await stranger.get(client, "/orders/not-an-id").status == .notFound)
        }
    }
}

@Suite struct OrdersAPITests {
    let validator = try! OpenAPISchemaValidator(data: API.OpenAPIDocument.data())

    func call(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, token: String? = nil,
              key: String? = nil, documentedPath: String) async throws -> (status: Int, body: [String: Any]) {
        var headers = HTTPFields()
        if json != nil { headers[.contentType] = "application/json" }
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        let status = Int(response.status.code)
        let parsed = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
        let contentType = response.headers[.contentType]?.hasPrefix("application/problem+json") == true ? "application/problem+json" : "application/json"
        let schema = try #require(validator.responseSchema(path: documentedPath, method: method.rawValue.lowercased(), status: status, contentType: contentType),
                                  "undocumented \(method) \(documentedPath) \(status)")
        #expect(validator.validate(parsed, against: schema) == [], "\(method) \(uri)")
        return (status, parsed as? [String: Any] ?? [:])
    }

    static let order = #"{"delivery":{"name":"Ada","line1":"1 Lane","city":"Leeds","postcode":"LS1 1AA","phone":"0113 496 0000"},"card":{"number":"4242424242424242","expiryMonth":12,"expiryYear":2030,"cvc":"123"}}"#

    @Test func validationListsEveryProblem() async throws {
        try await withTestApp { client in
            let product = try #require(try await inStockProducts(client).first)
            let valid = try await call(client, .post, "/api/v1/orders/validate",
                                       json: #"{"lines":[{"productId":"\#(product.id)","quantity":9}]}"#, documentedPath: "/orders/validate")
            #expect(valid.status == 200)
            #expect(valid.body["valid"] as? Bool == true)

            let invalid = try await call(client, .post, "/api/v1/orders/validate", json: """
                {"lines":[{"productId":"\(product.id)","quantity":-1},{"productId":"\(UUID().uuidString)","quantity":1},
                          {"productId":"\(product.id)","quantity":100000}]}
                """, documentedPath: "/orders/validate")
            #expect(invalid.status == 422)
            let codes = (invalid.body["problems"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            #expect(codes.contains("invalid_quantity"))
            #expect(codes.contains("unknown_product"))
            #expect(codes.contains("duplicate_line"))

            let malformed = try await call(client, .post, "/api/v1/orders/validate", json: #"{"lines":[{"productId":5}]}"#, documentedPath: "/orders/validate")
            #expect(malformed.status == 400)
            let noCart = try await call(client, .post, "/api/v1/orders/validate", json: "{}", documentedPath: "/orders/validate")
            #expect(noCart.status == 401)
        }
    }

    /// What the shop sells reaches the metrics: an order placed and paid (with its revenue), and
    /// one declined and cancelled; each charge by its outcome; a product's last units sold; the
    /// database's waits; the process's memory.
    @Test func ordersPaymentsAndDeclinesAreCounted() async throws {
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        try await withTestApp(configure: { $0.server.adminPort = 0 }, onOperationsRunning: { announce.yield($0) }) { client in
            let product = try #require(try await inStockProducts(client).first)
            let signUp = try await call(client, .post, "/api/v1/customers",
                                        json: #"{"name":"Ada","email":"ada@example.com","password":"analytical engine"}"#, documentedPath: "/customers")
            let token = try #require(signUp.body["token"] as? String)
            for (key, card) in [("metrics-paid-key", "4242424242424242"), ("metrics-declined-key", "4000000000000002")] {
                _ = try await call(client, .post, "/api/v1/cart/items", json: #"{"productId":"\#(product.id)","quantity":8}"#, token: token, documentedPath: "/cart/items")
                _ = try await call(client, .post, "/api/v1/orders", json: Self.order.replacingOccurrences(of: "4242424242424242", with: card),
                                   token: token, key: key, documentedPath: "/orders")
            }
            // A third order takes the last units of another product: a stock-out.
            let last = try #require(try await inStockProducts(client).first { $0.id != product.id && $0.stock <= 99 })
            _ = try await call(client, .post, "/api/v1/cart/items", json: #"{"productId":"\#(last.id)","quantity":\#(last.stock)}"#, token: token, documentedPath: "/cart/items")
            let emptied = try await call(client, .post, "/api/v1/orders", json: Self.order, token: token, key: "metrics-last-units", documentedPath: "/orders")
            #expect(emptied.status == 201)
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await TestClient.withClient(host: "127.0.0.1", port: port) { operations in
                let text = String(buffer: try await operations.get("/metrics").body ?? ByteBuffer())
                let stockOuts = text.split(separator: "\n").first { $0.hasPrefix("gomart_stock_outs_total ") }
                #expect((stockOuts?.split(separator: " ").last.flatMap { Double($0) } ?? 0) >= 1)
                #expect(text.contains(#"gomart_database_wait_seconds_count{engine="sqlite",kind="write"}"#))
                for line in [#"gomart_orders_total{event="placed"}"#, #"gomart_orders_total{event="paid"}"#, #"gomart_orders_total{event="cancelled"}"#,
                             #"gomart_revenue_minor_total{currency="GBP"}"#, #"gomart_payment_declines_total{reason="card_declined"}"#, "gomart_order_lines_total",
                             #"gomart_payment_charges_total{outcome="succeeded"}"#, #"gomart_payment_charges_total{outcome="declined"}"#] {
                    #expect(text.contains(line), "\(line)")
                }
                // Read at the scrape: this process holds more than a megabyte.
                let memory = text.split(separator: "\n").first { $0.hasPrefix("gomart_process_resident_memory_bytes ") }
                #expect((memory?.split(separator: " ").last.flatMap { Double($0) } ?? 0) > 1_000_000)
            }
        }
    }

    @Test func placingAnOrderIsIdempotent() async throws {
        try await withTestApp { client in
            let product = try #require(try await inStockProducts(client).first)
            let signUp = try await call(client, .post, "/api/v1/customers",
                                        json: #"{"name":"Ada","email":"ada@example.com","password":"analytical engine"}"#, documentedPath: "/customers")
            let token = try #require(signUp.body["token"] as? String)
            _ = try await call(client, .post, "/api/v1/cart/items", json: #"{"productId":"\#(product.id)","quantity":8}"#, token: token, documentedPath: "/cart/items")

            let missingKey = try await call(client, .post, "/api/v1/orders", json: Self.order, token: token, documentedPath: "/orders")
            #expect(missingKey.status == 400)
            let before = try await call(client, .get, "/api/v1/products/\(product.id)", documentedPath: "/products/{id}")
            let first = try await call(client, .post, "/api/v1/orders", json: Self.order, token: token, key: "api-order-key-1", documentedPath: "/orders")
            #expect(first.status == 201)
            #expect(first.body["status"] as? String == "paid")
            let after = try await call(client, .get, "/api/v1/products/\(product.id)", documentedPath: "/products/{id}")
            #expect(after.body["stock"] as? Int == (before.body["stock"] as? Int ?? 0) - 8) // the cached product shows the new stock
            let repeated = try await call(client, .post, "/api/v1/orders", json: Self.order, token: token, key: "api-order-key-1", documentedPath: "/orders")
            #expect(repeated.status == 200)
            #expect(repeated.body["id"] as? String == first.body["id"] as? String)
            let otherBody = Self.order.replacingOccurrences(of: "Leeds", with: "York")
            let reused = try await call(client, .post, "/api/v1/orders", json: otherBody, token: token, key: "api-order-key-1", documentedPath: "/orders")
            #expect(reused.status == 422)

            let list = try await call(client, .get, "/api/v1/orders", token: token, documentedPath: "/orders")
            #expect((list.body["orders"] as? [Any])?.count == 1)
            let id = try #require(first.body["id"] as? String)
            let shown = try await call(client, .get, "/api/v1/orders/\(id)", token: token, documentedPath: "/orders/{id}")
            #expect(shown.body["number"] as? String == first.body["number"] as? String)
        }
    }

    @Test func declinesEmptyCartsAndOtherCustomersAreClear4xx() async throws {
        try await withTestApp { client in
            let product = try #require(try await inStockProducts(client).first)
            let one = try await call(client, .post, "/api/v1/customers", json: #"{"name":"One","email":"one@example.com","password":"first customer pass"}"#, documentedPath: "/customers")
            let two = try await call(client, .post, "/api/v1/customers", json: #"{"name":"Two","email":"two@example.com","password":"second customer pass"}"#, documentedPath: "/customers")
            let tokenOne = try #require(one.body["token"] as? String)
            let tokenTwo = try #require(two.body["token"] as? String)

            let empty = try await call(client, .post, "/api/v1/orders", json: Self.order, token: tokenOne, key: "empty-cart-key", documentedPath: "/orders")
            #expect(empty.status == 409)

            _ = try await call(client, .post, "/api/v1/cart/items", json: #"{"productId":"\#(product.id)","quantity":8}"#, token: tokenOne, documentedPath: "/cart/items")
            let declined = try await call(client, .post, "/api/v1/orders", json: Self.order.replacingOccurrences(of: "4242424242424242", with: "4000000000009995"),
                                          token: tokenOne, key: "declined-key-1", documentedPath: "/orders")
            #expect(declined.status == 402)
            #expect((declined.body["detail"] as? String)?.contains("insufficient funds") == true)
            let failed = try await call(client, .post, "/api/v1/orders", json: Self.order.replacingOccurrences(of: "4242424242424242", with: "4000000000000119"),
                                        token: tokenOne, key: "processing-key-1", documentedPath: "/orders")
            #expect(failed.status == 502)
            let badFields = try await call(client, .post, "/api/v1/orders", json: Self.order.replacingOccurrences(of: #""cvc":"123""#, with: #""cvc":"1""#),
                                           token: tokenOne, key: "bad-fields-key", documentedPath: "/orders")
            #expect(badFields.status == 422)
            #expect((badFields.body["errors"] as? [String: String])?["card_cvc"] != nil)

            let placed = try await call(client, .post, "/api/v1/orders", json: Self.order, token: tokenOne, key: "good-key-123", documentedPath: "/orders")
            let id = try #require(placed.body["id"] as? String)
            let stranger = try await call(client, .get, "/api/v1/orders/\(id)", token: tokenTwo, documentedPath: "/orders/{id}")
            #expect(stranger.status == 404)
            let expired = try await call(client, .get, "/api/v1/orders", token: "expired-or-made-up", documentedPath: "/orders")
            #expect(expired.status == 401)
        }
    }
}

import API
