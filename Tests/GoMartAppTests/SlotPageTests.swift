import Foundation
import GoMartApp
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Slots
import Testing

/// The first bookable slot's id on a slots page.
func firstSlotID(in html: String) -> String? {
    html.range(of: #"name="slot_id" value="[0-9a-f-]{36}""#, options: .regularExpression)
        .map { String(html[$0].dropFirst(#"name="slot_id" value=""#.count).dropLast()) }
}

@Suite struct SlotPageTests {
    @Test func aShopperBooksASlotAndTheOrderIsDeliveredInIt() async throws {
        try await withTestApp(configure: { $0.orders.slotRequirement = .required }) { client in
            var browser = try await signedInWithCart(client, email: "slots@example.com")

            // No slot yet: checkout asks for one and cannot be placed.
            let unslotted = String(buffer: try await browser.get(client, "/checkout").body)
            #expect(unslotted.contains(#"<a class="button" href="/slots">Book a slot</a>"#))
            #expect(unslotted.contains(#"class="button place-order" disabled"#))
            let key = hiddenValue("idempotency_key", in: unslotted)
            let refused = try await browser.post(client, "/checkout", form: checkoutFields + [("card_number", "4242 4242 4242 4242"), ("idempotency_key", key)])
            #expect(refused.status == .conflict)
            #expect(String(buffer: refused.body).contains("Please book a delivery or collection slot first"))

            // The demo shop delivers everywhere in two-hour windows.
            let ask = String(buffer: try await browser.get(client, "/slots").body)
            #expect(ask.contains(#"<label for="slot-postcode">Your postcode</label>"#))
            #expect(firstSlotID(in: ask) == nil)
            let offered = String(buffer: try await browser.get(client, "/slots?method=delivery&postcode=YO1%207HH").body)
            #expect(offered.contains("<h2>Home delivery</h2>"))
            let slotID = try #require(firstSlotID(in: offered))

            let booked = try await browser.post(client, "/slots/book", form: [("slot_id", slotID), ("method", "delivery"), ("postcode", "YO1 7HH")])
            #expect(booked.status == .seeOther)
            #expect(booked.headers[.location] == "/slots?method=delivery&postcode=YO1%207HH&booked=1")
            let confirmation = String(buffer: try await browser.get(client, booked.headers[.location]!).body)
            #expect(confirmation.contains("Your slot is booked."))
            #expect(confirmation.contains(#"<span class="slot-state">Your slot</span>"#))

            let checkout = String(buffer: try await browser.get(client, "/checkout").body)
            #expect(checkout.contains("<strong>Delivery: "))
            #expect(!checkout.contains(#"class="button place-order" disabled"#))
            let placed = try await browser.post(client, "/checkout", form: checkoutFields + [
                ("card_number", "4242 4242 4242 4242"), ("idempotency_key", hiddenValue("idempotency_key", in: checkout)),
            ])
            #expect(placed.status == .seeOther)
            let order = String(buffer: try await browser.get(client, try #require(placed.headers[.location])).body)
            #expect(order.contains("<h3>Delivery slot</h3>"))
            #expect(order.contains("Home delivery</p>"))
            // The hold became the order's booking: nothing is held any more.
            #expect(!String(buffer: try await browser.get(client, "/slots").body).contains("Your slot"))
        }
    }

    @Test func theSlotsPageAsItLooksOnAPinnedDay() async throws {
        // Monday 1 June 2026, 09:30 in London: home delivery from tomorrow (today's windows are
        // past their 12-hour cut-off), collection from this afternoon (a 4-hour cut-off).
        let pinned = Date(timeIntervalSince1970: 1_780_302_600)
        try await withTestApp(configure: { $0.orders.slotClock = { pinned }; $0.orders.timeZone = TimeZone(identifier: "Europe/London")! }) { client in
            var browser = try await signedInWithCart(client, email: "slot-snapshot@example.com")
            assertSnapshot(of: try await browser.get(client, "/slots?method=delivery&postcode=YO1%207HH"), named: "delivery")
            assertSnapshot(of: try await browser.get(client, "/slots?method=collection"), named: "collection")
        }
    }

    @Test func collectionPointsOfferTheirOwnSlotsAndAHoldCanBeLetGo() async throws {
        try await withTestApp(configure: { $0.orders.slotRequirement = .required }) { client in
            var browser = try await signedInWithCart(client, email: "collect@example.com")
            let page = String(buffer: try await browser.get(client, "/slots?method=collection").body)
            #expect(page.contains("<h2>Market Street store</h2>"))
            #expect(page.contains("1 Market Street, London EC1A 1AA"))
            let slotID = try #require(firstSlotID(in: page))
            let booked = try await browser.post(client, "/slots/book", form: [("slot_id", slotID), ("method", "collection"), ("next", "checkout")])
            #expect(booked.headers[.location] == "/checkout")
            let checkout = String(buffer: try await browser.get(client, "/checkout").body)
            #expect(checkout.contains("<strong>Collection: "))
            #expect(checkout.contains("Market Street store, 1 Market Street, London EC1A 1AA. Free."))

            let released = try await browser.post(client, "/slots/release", form: [])
            #expect(released.headers[.location] == "/slots")
            #expect(String(buffer: try await browser.get(client, "/checkout").body).contains(#"<a class="button" href="/slots">Book a slot</a>"#))

            let unknown = try await browser.post(client, "/slots/book", form: [("slot_id", UUID().uuidString.lowercased()), ("method", "collection")])
            #expect(unknown.status == .notFound)
            let malformed = try await browser.post(client, "/slots/book", form: [("slot_id", "nonsense"), ("method", "collection")])
            #expect(malformed.status == .notFound)
        }
    }

    @Test func slotsNeedASignedInShopper() async throws {
        try await withTestApp { client in
            var browser = Browser()
            let response = try await browser.get(client, "/slots")
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/account/sign-in?next=/slots")
        }
    }
}
