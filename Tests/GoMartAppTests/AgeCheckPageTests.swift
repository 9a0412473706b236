import Foundation
import GoMartApp
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

@Suite struct AgeCheckPageTests {
    @Test func checkoutAsksForTheAgeDeclarationAndTheOrderSaysIDWillBeChecked() async throws {
        try await withTestApp { client in
            var browser = try await signedInWithCart(client, email: "age@example.com")
            let found = try await client.executeRequest(uri: "/api/v1/products?q=ibuprofen&limit=5", method: .get, headers: [:], body: nil)
            let products = try #require((try JSONSerialization.jsonObject(with: Data(buffer: found.body)) as? [String: Any])?["products"] as? [[String: Any]])
            let restricted = try #require(products.first { $0["minimumAge"] as? Int == 16 })
            let name = try #require(restricted["name"] as? String)
            _ = try await browser.post(client, "/cart/items", form: [("product_id", try #require(restricted["id"] as? String)), ("quantity", "1")])

            let page = String(buffer: try await browser.get(client, "/checkout").body)
            #expect(page.contains("<legend>Age-restricted items</legend>"))
            #expect(page.contains("\(escapeHTML(name)): for people aged 16 or over."))
            #expect(page.contains(#"<input type="checkbox" name="age_declaration" value="yes"> I am 16 or over</label>"#))
            let key = hiddenValue("idempotency_key", in: page)

            let refused = try await browser.post(client, "/checkout", form: checkoutFields + [("card_number", "4242 4242 4242 4242"), ("idempotency_key", key)])
            #expect(refused.status == .unprocessableContent)
            #expect(String(buffer: refused.body).contains(#"<p class="field-error" id="age_declaration-error">Some items are for people aged 16 or over: please confirm that you are. We check ID when we hand them over.</p>"#))

            let placed = try await browser.post(client, "/checkout", form: checkoutFields + [
                ("card_number", "4242 4242 4242 4242"), ("idempotency_key", key), ("age_declaration", "yes"),
            ])
            #expect(placed.status == .seeOther)
            let order = String(buffer: try await browser.get(client, try #require(placed.headers[.location])).body)
            #expect(order.contains(#"<p class="age-restricted">Please have ID ready: some items are for people aged 16 or over.</p>"#))
            #expect(order.contains("You pay only for what we hand over, when we deliver your order."))
        }
    }
}
