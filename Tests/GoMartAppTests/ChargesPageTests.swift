import Cart
import Foundation
import GoMartApp
import GoMartModels
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Pricing
import Testing

@Suite struct ChargesPageTests {
    @Test func bagsAndASmallBasketChargeShowInTheCartCheckoutOrderAndAPIAndAreInTheTotal() async throws {
        try await withTestApp(configure: {
            $0.shopping.cartPolicy.pricing.bagCharge = Money(minorUnits: 40, currency: .gbp)
            $0.shopping.cartPolicy.pricing.smallBasketCharge = Money(minorUnits: 4_00, currency: .gbp)
            $0.shopping.cartPolicy.pricing.smallBasketThreshold = Money(minorUnits: 500_00, currency: .gbp)
        }) { client in
            var browser = try await signedInWithCart(client, email: "charges@example.com")
            let charges = #"<dt>Carrier bags</dt><dd>£0.40</dd><dt>Small basket charge (orders under £500.00)</dt><dd>£4.00</dd>"#
            #expect(String(buffer: try await browser.get(client, "/cart").body).contains(charges))
            let checkout = String(buffer: try await browser.get(client, "/checkout").body)
            #expect(checkout.contains(charges))
            let placed = try await browser.post(client, "/checkout", form: checkoutFields + [
                ("card_number", "4242 4242 4242 4242"), ("idempotency_key", hiddenValue("idempotency_key", in: checkout)),
            ])
            let order = String(buffer: try await browser.get(client, try #require(placed.headers[.location])).body)
            #expect(order.contains(charges))
            let subtotal = try #require(amount(after: "<dt>Subtotal</dt>", in: order))
            let delivery = try #require(amount(after: "<dt>Delivery</dt>", in: order))
            let total = try #require(amount(after: "<dt class=\"total\">Total</dt>", in: order))
            let pence = { (text: String) in Int(text.dropFirst().replacingOccurrences(of: ".", with: ""))! }
            #expect(pence(total) == pence(subtotal) + pence(delivery) + 40 + 4_00)
        }
    }
}
