import BackOffice
import Foundation
import GoMartApp
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

/// A `datetime-local` value `days` from now, in London time (the shop's default).
func localDateTime(daysFromNow days: Int) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_GB")
    formatter.timeZone = TimeZone(identifier: "Europe/London")
    formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
    return formatter.string(from: Date().addingTimeInterval(TimeInterval(days) * 86_400))
}

@Suite struct AdminPromotionsPageTests {
    @Test func aManagerRunsAnOfferAndAVoucherThatShoppersSeeAndPickersMayNotTouch() async throws {
        try await withStaffTestApp { client, addStaff in
            var manager = try await signedInStaff(client, addStaff, .manager)
            #expect(String(buffer: try await manager.get(client, "/admin/offers").body).contains("<p>No offer yet.</p>"))
            let bad = try await manager.post(client, "/admin/offers", form: [
                ("label", "x"), ("kind", "multi_buy"), ("buy", "3"), ("pay", "3"), ("products1", "NO-SUCH-SKU"), ("aisle1", ""),
                ("starts_at", localDateTime(daysFromNow: 0)), ("ends_at", "tomorrow"),
            ])
            #expect(bad.status == .unprocessableContent)
            let refused = String(buffer: bad.body)
            #expect(refused.contains("<li>give the end as a date and time</li><li>no product has the SKU NO-SUCH-SKU</li>"))

            let created = try await manager.post(client, "/admin/offers", form: [
                ("label", "Any 2 bakery items for £3"), ("kind", "bundle"), ("count", "2"), ("price", "3.00"), ("products1", ""), ("aisle1", "bakery"),
                ("starts_at", localDateTime(daysFromNow: -1)), ("ends_at", localDateTime(daysFromNow: 7)),
            ])
            #expect(created.headers[.location] == "/admin/offers")
            let listed = String(buffer: try await manager.get(client, "/admin/offers").body)
            #expect(listed.contains("<td><strong>Any 2 bakery items for £3</strong><br><span class=\"hint\">Any 2 for £3.00</span></td><td>Any N for a price</td><td>all of Bakery</td>"))

            // Shoppers see it on the aisle's tiles at once.
            var shopper = try await signedInWithCart(client, email: "bakery-offer@example.com", quantity: 2)
            let aisle = String(buffer: try await shopper.get(client, "/aisles/bakery").body)
            #expect(aisle.contains(#"<p class="badge badge-offer"><span class="visually-hidden">Offer: </span>Any 2 bakery items for £3</p>"#))

            let voucher = try await manager.post(client, "/admin/vouchers", form: [
                ("code", "bread-1"), ("label", "£1 off bread"), ("kind", "amount_off"), ("value", "1.00"), ("minimum_spend", ""),
                ("maximum_uses", "100"), ("uses_per_customer", "1"),
                ("starts_at", localDateTime(daysFromNow: -1)), ("ends_at", localDateTime(daysFromNow: 7)),
            ])
            #expect(voucher.headers[.location] == "/admin/vouchers")
            let vouchers = String(buffer: try await manager.get(client, "/admin/vouchers").body)
            #expect(vouchers.contains("<td><strong>BREAD-1</strong><br><span class=\"hint\">£1 off bread</span></td><td>£1.00 off</td><td>£0.00</td>"))
            #expect(vouchers.contains("<td>0 of 100, 1 per customer</td><td><span class=\"status status-running\">running</span></td>"))
            let duplicate = try await manager.post(client, "/admin/vouchers", form: [
                ("code", "BREAD-1"), ("label", "Again"), ("kind", "percent_off"), ("value", "10"),
                ("starts_at", localDateTime(daysFromNow: 0)), ("ends_at", localDateTime(daysFromNow: 7)),
            ])
            #expect(duplicate.status == .unprocessableContent)
            #expect(String(buffer: duplicate.body).contains("<li>a voucher BREAD-1 already exists</li>"))

            // Ending the voucher: the shopper can no longer take it.
            let offerID = try #require(listed.range(of: #"/admin/offers/[0-9a-f-]{36}/end"#, options: .regularExpression).map { listed[$0] })
            _ = try await manager.post(client, "/admin/vouchers/BREAD-1/end", form: [])
            let ended = try await shopper.post(client, "/cart/voucher", form: [("code", "bread-1")])
            #expect(ended.status == .conflict)
            #expect(String(buffer: ended.body).contains("Voucher BREAD-1 has expired."))

            var picker = try await signedInStaff(client, addStaff, .picker)
            #expect(try await picker.get(client, "/admin/offers").status == .forbidden)
            #expect(try await picker.post(client, String(offerID), form: []).status == .forbidden)

            let endedOffer = try await manager.post(client, String(offerID), form: [])
            #expect(endedOffer.headers[.location] == "/admin/offers")
            #expect(!String(buffer: try await shopper.get(client, "/aisles/bakery").body).contains("badge-offer"))

            var owner = try await signedInStaff(client, addStaff, .owner)
            let audit = String(buffer: try await owner.get(client, "/admin/audit").body)
            #expect(audit.components(separatedBy: "offer.changed").count - 1 >= 2)
            #expect(audit.components(separatedBy: "voucher.changed").count - 1 >= 2)
        }
    }
}
