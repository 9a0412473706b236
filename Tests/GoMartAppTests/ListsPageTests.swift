import Foundation
import GoMartApp
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Favourites, "Buy it again", reordering, shopping lists and back-in-stock alerts in the
/// browser's pages, forms only (no JavaScript).
@Suite struct ListsPageTests {
    @Test func heartsBuyItAgainReorderListsAndAlertsWorkAsForms() async throws {
        try await withTestApp { client in
            var shopper = try await signedInWithCart(client, email: "lists@example.com")
            let products = try await inStockProducts(client)
            let (first, second) = (products[0], products[1])
            // The hearts on a tile: saving two, the cached aisle page marks exactly those two for this shopper.
            for product in [first, second] {
                let saved = try await shopper.post(client, "/favourites/\(product.id)", form: [("favourite", "1"), ("return_to", "/aisles/bakery")])
                #expect(saved.headers[.location] == "/aisles/bakery")
            }
            let aisle = try await shopper.get(client, "/aisles/bakery").text
            let marked = #"<span class="is-favourite" hidden></span><form class="heart-form" action="/favourites/"#
            #expect(aisle.components(separatedBy: marked).count - 1 == 2)
            #expect(aisle.contains(marked + first.id + "\""))
            // Another visitor sees the same page without marks.
            var visitor = Browser()
            #expect(!(try await visitor.get(client, "/aisles/bakery").text.contains("is-favourite")))
            assertSnapshot(of: try await shopper.get(client, "/favourites"), named: "favourites")
            _ = try await shopper.post(client, "/favourites/\(second.id)", form: [("favourite", "0")])
            #expect(try await shopper.get(client, "/aisles/bakery").text.components(separatedBy: marked).count - 1 == 1)

            // An order, then "Buy it again" and reordering it.
            let checkout = try await shopper.get(client, "/checkout")
            let key = hiddenValue("idempotency_key", in: checkout.text)
            let placed = try await shopper.post(client, "/checkout", form: checkoutFields + [("card_number", "4242 4242 4242 4242"), ("idempotency_key", key)])
            let orderPath = try #require(placed.headers[.location]).split(separator: "?").first.map(String.init) ?? ""
            assertSnapshot(of: try await shopper.get(client, "/buy-again"), named: "buy-again")
            let reordered = try await shopper.post(client, orderPath + "/reorder", form: [])
            #expect(reordered.status == .ok)
            #expect(reordered.text.contains(#"<p class="lede" role="status">1 product was added to your cart.</p>"#))
            #expect(try await shopper.get(client, "/cart").text.contains(#"value="6">"#))

            // A list: created from a product's "add to a list", then into the cart.
            let choose = try await shopper.get(client, "/lists/add?product=\(second.id)")
            #expect(choose.text.contains("<h1>Add \(escapeHTML(second.name)) to a list</h1>"))
            let created = try await shopper.post(client, "/lists", form: [("name", "Weekend"), ("product_id", second.id)])
            let listPath = try #require(created.headers[.location])
            let list = try await shopper.get(client, listPath)
            #expect(list.text.contains("<h1>Weekend</h1>"))
            #expect(list.text.contains(escapeHTML(second.name)))
            let inCart = try await shopper.post(client, listPath + "/cart", form: [])
            #expect(inCart.text.contains("<h1>“Weekend” is in your cart</h1>"))
            let noName = try await shopper.post(client, "/lists", form: [("name", "  ")])
            #expect(noName.status == .unprocessableContent)
            #expect(noName.text.contains("Give the list a name of 1 to 60 characters."))

            // An alert on a product in stock is refused: there is nothing to wait for.
            let inStock = try await shopper.post(client, "/stock-alerts/\(first.id)", form: [])
            #expect(inStock.status == .conflict)
        }
    }

    /// The same in the JSON API under `/api/v1/me/…`: whole answers against their snapshots.
    @Test func theAPIKeepsFavouritesListsAndAlertsAndBuysAgain() async throws {
        try await withTestApp { client in
            func call(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil, token: String? = nil) async throws -> TestResponse {
                var headers = HTTPFields()
                if json != nil { headers[.contentType] = "application/json" }
                if let token { headers[.authorization] = "Bearer \(token)" }
                if method == .post && uri == "/api/v1/orders" { headers[HTTPField.Name("Idempotency-Key")!] = "api-lists-order-1" }
                return try await client.executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
            }
            let created = try await call(.post, "/api/v1/customers", json: #"{"name":"Grace","email":"grace-lists@example.com","password":"a good long password"}"#)
            let token = try #require(try created.json()["token"] as? String)
            let products = try await inStockProducts(client)
            let (bread, buns) = (products[0], products[1])
            _ = try await call(.put, "/api/v1/me/favourites/\(bread.id)", token: token)
            assertSnapshot(of: try await call(.put, "/api/v1/me/favourites/\(buns.id)", token: token), named: "favourites")
            #expect(try await call(.put, "/api/v1/me/favourites/\(UUID().uuidString)", token: token).status == .notFound)

            let list = try await call(.post, "/api/v1/me/lists", json: #"{"name":"Picnic"}"#, token: token)
            #expect(list.status == .created)
            let listID = try #require(try list.json()["id"] as? String)
            _ = try await call(.put, "/api/v1/me/lists/\(listID)/items/\(bread.id)", json: #"{"quantity":6}"#, token: token)
            assertSnapshot(of: try await call(.get, "/api/v1/me/lists", token: token), named: "lists")
            assertSnapshot(of: try await call(.post, "/api/v1/me/lists/\(listID)/cart", token: token), named: "list-to-cart")

            let delivery = #""delivery":{"name":"Grace","line1":"1 Navy Way","city":"York","postcode":"YO1 7HH","phone":"01904 123456"}"#
            let card = #""card":{"number":"4242 4242 4242 4242","expiryMonth":12,"expiryYear":2030,"cvc":"123"}"#
            let order = try await call(.post, "/api/v1/orders", json: "{\(delivery),\(card)}", token: token)
            #expect(order.status == .created)
            let orderID = try #require(try order.json()["id"] as? String)
            assertSnapshot(of: try await call(.get, "/api/v1/me/buy-again", token: token), named: "buy-again")
            assertSnapshot(of: try await call(.post, "/api/v1/orders/\(orderID)/reorder", token: token), named: "reorder")
            assertSnapshot(of: try await call(.put, "/api/v1/me/stock-alerts/\(bread.id)", token: token), named: "alert-in-stock")
        }
    }
}
