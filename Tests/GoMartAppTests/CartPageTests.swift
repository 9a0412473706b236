import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

/// Reads the product id, name and stock of in-stock products from the API.
func inStockProducts(_ client: some TestClientProtocol, aisle: String = "bakery") async throws -> [(id: String, name: String, stock: Int, pricePence: Int)] {
    let response = try await client.executeRequest(uri: "/api/v1/products?aisle=\(aisle)&in_stock=true&limit=50", method: .get, headers: [:], body: nil)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    let products = try #require(json["products"] as? [[String: Any]])
    return products.compactMap { product in
        guard let id = product["id"] as? String, let name = product["name"] as? String, let stock = product["stock"] as? Int,
              let price = (product["price"] as? [String: Any])?["amountMinor"] as? Int else { return nil }
        return (id, name, stock, price)
    }.filter { $0.stock >= 20 }
}

/// How Mustache escapes text in pages.
func escapeHTML(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        .replacingOccurrences(of: "'", with: "&#39;")
}

@Suite struct CartPageTests {
    @Test func addingFromAListingShowsInTheCartAndHeader() async throws {
        try await withTestApp { client in
            let products = try await inStockProducts(client)
            var browser = Browser()
            let aisle = try await browser.get(client, "/aisles/bakery")
            #expect(String(buffer: aisle.body).contains(#"action="/cart/items""#))

            let added = try await browser.post(client, "/cart/items", form: [("product_id", products[0].id), ("quantity", "2"), ("return_to", "/aisles/bakery?page=2")])
            _ = try await browser.post(client, "/cart/items", form: [("product_id", products[1].id), ("return_to", "//evil.example")])

            #expect(added.status == .seeOther)
            #expect(added.headers[.location] == "/aisles/bakery?page=2")
            let cart = try await browser.get(client, "/cart")
            let html = String(buffer: cart.body)
            #expect(cart.status == .ok)
            #expect(html.contains(escapeHTML(products[0].name)))
            #expect(html.contains(escapeHTML(products[1].name)))
            #expect(html.contains(#"data-cart-count aria-label="3 items">3<"#))
            let subtotal = products[0].pricePence * 2 + products[1].pricePence
            #expect(html.contains(String(format: "£%d.%02d", subtotal / 100, subtotal % 100)))
        }
    }

    @Test func aCartChangeTellsTheBrowserItsChangeSoNoInstanceServesItAStaleCount() async throws {
        try await withTestApp { client in
            let product = try #require(try await inStockProducts(client).first)
            var browser = Browser()
            let first = try await browser.get(client, "/aisles/bakery")
            #expect(!first.headers[values: .setCookie].contains { $0.hasPrefix("__Host-gm_changed=") })

            let added = try await browser.post(client, "/cart/items", form: [("product_id", product.id), ("quantity", "2")])
            // The test shop is served over HTTPS, so the name carries the prefix browsers enforce.
            let cookie = try #require(added.headers[values: .setCookie].first { $0.hasPrefix("__Host-gm_changed=") })
            let id = try #require(Int64(cookie.dropFirst("__Host-gm_changed=".count).prefix { $0.isNumber }))
            // Attributes come in no fixed order.
            #expect(Set(cookie.components(separatedBy: "; ")) == ["__Host-gm_changed=\(id)", "Path=/", "Secure", "HttpOnly", "SameSite=Lax", "Max-Age=60"])
            #expect(String(buffer: try await browser.get(client, "/aisles/bakery").body).contains(#"data-cart-count aria-label="2 items">2<"#))
        }
    }

    @Test func quantitiesChangeAndLinesGo() async throws {
        try await withTestApp { client in
            let product = try #require(try await inStockProducts(client).first)
            var browser = Browser()
            _ = try await browser.get(client, "/")
            _ = try await browser.post(client, "/cart/items", form: [("product_id", product.id)])

            let updated = try await browser.post(client, "/cart/items/\(product.id)", form: [("quantity", "5")])
            #expect(updated.status == .seeOther)
            #expect(String(buffer: try await browser.get(client, "/cart").body).contains(#"value="5""#))

            let removed = try await browser.post(client, "/cart/items/\(product.id)/remove", form: [])
            #expect(removed.status == .seeOther)
            #expect(String(buffer: try await browser.get(client, "/cart").body).contains("Your cart is empty"))
        }
    }

    @Test func scriptsGetTheNewCountAsJSON() async throws {
        try await withTestApp { client in
            let product = try #require(try await inStockProducts(client).first)
            var browser = Browser()
            _ = try await browser.get(client, "/")
            var headers = HTTPFields()
            headers[.contentType] = "application/x-www-form-urlencoded"
            headers[.accept] = "application/json"
            headers[.cookie] = browser.cookieHeader
            let body = "_csrf=\(Browser.escape(browser.csrfToken))&product_id=\(product.id)&quantity=3"
            let response = try await client.executeRequest(uri: "/cart/items", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(response.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect(json["itemCount"] as? Int == 3)
        }
    }

    @Test func badCartInputGetsClearErrors() async throws {
        try await withTestApp { client in
            // Fewer than 98 in stock, so that one more than the stock is a stock problem (409), not
            // a quantity over the line limit (422).
            let product = try #require(try await inStockProducts(client).first { $0.stock < 98 })
            var browser = Browser()
            _ = try await browser.get(client, "/")
            let cases: [([(String, String)], HTTPResponse.Status)] = [
                ([("product_id", product.id), ("quantity", "-1")], .unprocessableContent),
                ([("product_id", product.id), ("quantity", "100")], .unprocessableContent),
                ([("product_id", product.id), ("quantity", "lots")], .unprocessableContent),
                ([("product_id", product.id), ("quantity", "99999999999")], .unprocessableContent),
                ([("product_id", "not-a-product")], .notFound),
                ([("product_id", UUID().uuidString)], .notFound),
                ([("product_id", product.id), ("quantity", "\(product.stock + 1)")], .conflict),
            ]
            for (form, status) in cases {
                let response = try await browser.post(client, "/cart/items", form: form)
                #expect(response.status == status, "\(form)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            }
            let missingToken = try await browser.post(client, "/cart/items", form: [("product_id", product.id)], csrf: "")
            #expect(missingToken.status == .forbidden)
            let notInCart = try await browser.post(client, "/cart/items/\(product.id)", form: [("quantity", "2")])
            #expect(notInCart.status == .notFound)
            #expect(String(buffer: try await browser.get(client, "/cart").body).contains("Your cart is empty"))
        }
    }

    @Test func signingInMergesTheGuestCart() async throws {
        try await withTestApp { client in
            let products = try await inStockProducts(client)
            var browser = Browser()
            _ = try await browser.get(client, "/account/sign-up")
            _ = try await browser.post(client, "/account/sign-up", form: [("name", "Mary Seacole"), ("email", "mary@example.com"), ("password", "crimean-kitchen")])
            _ = try await browser.post(client, "/cart/items", form: [("product_id", products[0].id), ("quantity", "2")])
            _ = try await browser.post(client, "/account/sign-out", form: [])
            #expect(String(buffer: try await browser.get(client, "/cart").body).contains("Your cart is empty"))

            _ = try await browser.post(client, "/cart/items", form: [("product_id", products[0].id), ("quantity", "1")])
            _ = try await browser.post(client, "/cart/items", form: [("product_id", products[1].id), ("quantity", "4")])
            _ = try await browser.post(client, "/account/sign-in", form: [("email", "mary@example.com"), ("password", "crimean-kitchen")])

            let html = String(buffer: try await browser.get(client, "/cart").body)
            #expect(html.contains(#"aria-label="7 items""#)) // 2 + 1 of the first, 4 of the second
            _ = try await browser.post(client, "/account/sign-out", form: [])
            #expect(String(buffer: try await browser.get(client, "/cart").body).contains("Your cart is empty")) // the guest cart was moved, not copied
        }
    }
}

@Suite struct CartAPITests {
    let validator = try! OpenAPISchemaValidator(data: API.OpenAPIDocument.data())

    func call(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, token: String?,
              documentedPath: String) async throws -> (status: Int, body: [String: Any]) {
        var headers = HTTPFields()
        if json != nil { headers[.contentType] = "application/json" }
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        let status = Int(response.status.code)
        let parsed = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
        let schema = try #require(validator.responseSchema(path: documentedPath, method: method.rawValue.lowercased(), status: status,
                                                           contentType: status < 400 ? "application/json" : "application/problem+json"),
                                  "undocumented \(method) \(documentedPath) \(status)")
        #expect(validator.validate(parsed, against: schema) == [], "\(method) \(uri)")
        return (status, parsed as? [String: Any] ?? [:])
    }

    @Test func theCustomersCartThroughTheAPI() async throws {
        try await withTestApp { client in
            let product = try #require(try await inStockProducts(client).first)
            let signUp = try await client.executeRequest(
                uri: "/api/v1/customers", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"name":"Rosalind","email":"rosalind@example.com","password":"photo-fifty-one"}"#))
            let token = try #require((try JSONSerialization.jsonObject(with: Data(buffer: signUp.body)) as? [String: Any])?["token"] as? String)

            let empty = try await call(client, .get, "/api/v1/cart", token: token, documentedPath: "/cart")
            #expect(empty.status == 200)
            #expect(empty.body["itemCount"] as? Int == 0)
            let added = try await call(client, .post, "/api/v1/cart/items", json: #"{"productId":"\#(product.id)","quantity":2}"#,
                                       token: token, documentedPath: "/cart/items")
            #expect(added.status == 200)
            #expect(added.body["itemCount"] as? Int == 2)
            let changed = try await call(client, .put, "/api/v1/cart/items/\(product.id)", json: #"{"quantity":5}"#,
                                         token: token, documentedPath: "/cart/items/{productId}")
            #expect(changed.body["itemCount"] as? Int == 5)
            let tooMany = try await call(client, .put, "/api/v1/cart/items/\(product.id)", json: #"{"quantity":1000}"#,
                                         token: token, documentedPath: "/cart/items/{productId}")
            #expect(tooMany.status == 422)
            let removed = try await call(client, .delete, "/api/v1/cart/items/\(product.id)", token: token, documentedPath: "/cart/items/{productId}")
            #expect(removed.body["itemCount"] as? Int == 0)
            let gone = try await call(client, .delete, "/api/v1/cart/items/\(product.id)", token: token, documentedPath: "/cart/items/{productId}")
            #expect(gone.status == 404)
            let unknown = try await call(client, .post, "/api/v1/cart/items", json: #"{"productId":"\#(UUID().uuidString)"}"#,
                                         token: token, documentedPath: "/cart/items")
            #expect(unknown.status == 404)
            let anonymous = try await call(client, .get, "/api/v1/cart", token: nil, documentedPath: "/cart")
            #expect(anonymous.status == 401)
        }
    }
}

import API
