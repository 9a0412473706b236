import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Every page, whole, against its stored snapshot (ids, tokens, numbers and dates pinned).
/// After an intended change to a page, delete its file under `__Snapshots__/PageSnapshotTests/`
/// and run the tests once to record it again; review the new file like any other change.
@Suite struct PageSnapshotTests {
    @Test func catalogueAndErrorPages() async throws {
        try await withTestApp { client in
            var browser = Browser()
            for (name, uri) in [
                ("home", "/"),
                ("aisle", "/aisles/bakery"),
                ("aisle-filtered", "/aisles/fruit-veg?sort=price&in_stock=1&page=2"),
                ("search", "/search?q=semi%20sk"),
                ("search-nothing", "/search?q=zzzz"),
                ("not-found", "/no-such-page"),
                ("bad-parameter", "/aisles/bakery?page=-1"),
            ] {
                assertSnapshot(of: try await browser.get(client, uri), named: name)
            }
            let product = try #require(try await inStockProducts(client).first)
            let page = try await client.executeRequest(uri: "/api/v1/products/\(product.id)", method: .get, headers: [:], body: nil)
            let url = try #require(try page.json()["url"] as? String)
            assertSnapshot(of: try await browser.get(client, url), named: "product")
        }
    }

    @Test func accountCartCheckoutAndOrderPages() async throws {
        try await withTestApp { client in
            var browser = Browser()
            assertSnapshot(of: try await browser.get(client, "/account/sign-in"), named: "sign-in")
            assertSnapshot(of: try await browser.get(client, "/account/sign-up"), named: "sign-up")
            assertSnapshot(of: try await browser.get(client, "/cart"), named: "cart-empty")

            browser = try await signedInWithCart(client, email: "snapshot@example.com")
            assertSnapshot(of: try await browser.get(client, "/account"), named: "account")
            assertSnapshot(of: try await browser.get(client, "/cart"), named: "cart")
            let checkout = try await browser.get(client, "/checkout")
            assertSnapshot(of: checkout, named: "checkout")

            let key = hiddenValue("idempotency_key", in: String(buffer: checkout.body))
            let placed = try await browser.post(client, "/checkout", form: checkoutFields + [("card_number", "4242 4242 4242 4242"), ("idempotency_key", key)])
            let location = try #require(placed.headers[.location])
            assertSnapshot(of: try await browser.get(client, location), named: "order-placed")
            assertSnapshot(of: try await browser.get(client, "/orders"), named: "orders")
            let declined = try await browser.post(client, "/checkout", form: checkoutFields + [("card_number", "4000 0000 0000 0002"), ("idempotency_key", key + "x")])
            assertSnapshot(of: declined, named: "checkout-empty-cart")
        }
    }
}
