import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Places the cart of `browser` as an order and returns the order page's address (without the query).
func placeOrder(_ client: some TestClientProtocol, _ browser: inout Browser) async throws -> String {
    let key = hiddenValue("idempotency_key", in: String(buffer: try await browser.get(client, "/checkout").body))
    let placed = try await browser.post(client, "/checkout", form: checkoutFields + [("card_number", "4242 4242 4242 4242"), ("idempotency_key", key)])
    let location = try #require(placed.headers[.location])
    return String(location.prefix { $0 != "?" })
}

@Suite struct OrderChangePageTests {
    @Test func theShopperChangesQuantitiesAndAddsTheirCartOnTheOrderPage() async throws {
        try await withTestApp { client in
            var browser = try await signedInWithCart(client, email: "changer@example.com", quantity: 6)
            let products = try await inStockProducts(client)
            let (first, second) = (products[0], products[1])
            let order = try await placeOrder(client, &browser)
            let page = String(buffer: try await browser.get(client, order).body)
            #expect(page.contains("<h2 id=\"change-heading\">Change this order</h2>"))
            #expect(page.contains("You can change this order until we start picking it."))
            #expect(page.contains(#"name="quantity.\#(first.id)" value="6""#))
            #expect(hiddenValue("version", in: page) == "0")
            #expect(!page.contains("Add my cart to this order"))

            let changed = try await browser.post(client, "\(order)/change", form: [("version", "0"), ("quantity.\(first.id)", "8")])
            #expect(changed.status == .seeOther)
            #expect(changed.headers[.location] == "\(order)?changed=1")
            let after = String(buffer: try await browser.get(client, "\(order)?changed=1").body)
            #expect(after.contains("Your changes are saved."))
            #expect(after.contains(#"name="quantity.\#(first.id)" value="8""#))
            #expect(after.contains("<strong>Changed by you</strong>"))
            #expect(hiddenValue("version", in: after) == "1")

            // The same form sent again is from an older version of the order.
            let stale = try await browser.post(client, "\(order)/change", form: [("version", "0"), ("quantity.\(first.id)", "9")])
            #expect(stale.status == .conflict)
            #expect(String(buffer: stale.body).contains("This order was changed meanwhile (in another window, perhaps). Reload it and make your change again."))

            let negative = try await browser.post(client, "\(order)/change", form: [("version", "1"), ("quantity.\(first.id)", "-1")])
            #expect(negative.status == .unprocessableContent)
            #expect(String(buffer: negative.body).contains("Enter a whole number of 0 or more for each item."))
            let nothing = try await browser.post(client, "\(order)/change", form: [("version", "1"), ("quantity.\(first.id)", "0")])
            #expect(nothing.status == .unprocessableContent)
            #expect(String(buffer: nothing.body).contains("That would leave nothing in the order. To call it off, cancel the order."))

            // Two of another product in the cart: the page offers them, and adding empties the cart.
            _ = try await browser.post(client, "/cart/items", form: [("product_id", second.id), ("quantity", "2")])
            #expect(String(buffer: try await browser.get(client, order).body).contains("Add my cart to this order (2 items)"))
            let added = try await browser.post(client, "\(order)/change", form: [("version", "1"), ("add_cart", "1")])
            #expect(added.status == .seeOther)
            let withCart = String(buffer: try await browser.get(client, order).body)
            #expect(withCart.contains(#"name="quantity.\#(second.id)" value="2""#))
            #expect(String(buffer: try await browser.get(client, "/cart").body).contains("Your cart is empty"))
            assertSnapshot(of: try await browser.get(client, order), named: "order-changed")

        }
    }
}
