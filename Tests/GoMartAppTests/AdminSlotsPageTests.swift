import BackOffice
import Foundation
import GoMartApp
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

@Suite struct AdminSlotsPageTests {
    @Test func aManagerAddsACollectionPointWithAWindowAndShoppersCanBookIt() async throws {
        try await withStaffTestApp { client, addStaff in
            var manager = try await signedInStaff(client, addStaff, .manager)
            let page = String(buffer: try await manager.get(client, "/admin/slots").body)
            #expect(page.contains("<h3>Home delivery <span class=\"muted\">Delivery area · local</span></h3>"))
            #expect(page.contains(#"<a href="/admin/slots""#))

            let added = try await manager.post(client, "/admin/slots/places", form: [
                ("method", "collection"), ("code", "station-road"), ("name", "Station Road locker"), ("address", "2 Station Road, York YO1 1AA"),
                ("active", "on"), ("postcodes", ""),
            ])
            #expect(added.status == .seeOther)
            #expect(added.headers[.location] == "/admin/slots?done=Place%20saved%2E")
            let withPlace = String(buffer: try await manager.get(client, added.headers[.location]!).body)
            #expect(withPlace.contains("<p>Place saved.</p>"))
            let placeID = try #require(withPlace.range(of: #"name="place_id" value="(\d+)">"#, options: .regularExpression, range:
                withPlace.range(of: "Station Road locker")!.lowerBound..<withPlace.endIndex).map { withPlace[$0] }
                .flatMap { $0.split(separator: "\"").dropFirst(3).first.map(String.init) })

            // Every day of the week, so that a window lies ahead whatever day the test runs.
            for weekday in 1...7 {
                let window = try await manager.post(client, "/admin/slots/templates", form: [
                    ("place_id", placeID), ("weekday", String(weekday)), ("start", "21:00"), ("end", "23:00"), ("capacity", "4"),
                    ("price", "1.00"), ("free_from", ""), ("cutoff_hours", "0"),
                ])
                #expect(window.status == .seeOther)
            }
            let bad = try await manager.post(client, "/admin/slots/templates", form: [
                ("place_id", placeID), ("weekday", "9"), ("start", "25:00"), ("end", "10:00"), ("capacity", "0"), ("price", "abc"), ("free_from", ""),
                ("cutoff_hours", "x"),
            ])
            #expect(bad.status == .unprocessableContent)
            #expect(String(buffer: bad.body).contains("The price must be an amount such as 4.50. The start must be a time such as 08:00."))

            var shopper = try await signedInWithCart(client, email: "locker@example.com")
            let offered = String(buffer: try await shopper.get(client, "/slots?method=collection").body)
            #expect(offered.contains("<h2>Station Road locker</h2>"))
            #expect(offered.contains("21:00–23:00"))

            // The audit log has every change.
            var owner = try await signedInStaff(client, addStaff, .owner)
            let audit = String(buffer: try await owner.get(client, "/admin/audit?action=slots.changed").body)
            #expect(audit.components(separatedBy: "slots.changed").count - 1 >= 8)
        }
    }

    @Test func aSlotsCapacityCannotGoBelowItsBookingsAndPickersMayNotChangeSlots() async throws {
        try await withStaffTestApp { client, addStaff in
            var shopper = try await signedInWithCart(client, email: "early@example.com")
            let offered = String(buffer: try await shopper.get(client, "/slots?method=collection").body)
            let slotID = try #require(firstSlotID(in: offered))
            _ = try await shopper.post(client, "/slots/book", form: [("slot_id", slotID), ("method", "collection")])

            var manager = try await signedInStaff(client, addStaff, .manager)
            let refused = try await manager.post(client, "/admin/slots/\(slotID)/capacity", form: [("capacity", "0")])
            #expect(refused.status == .unprocessableContent)
            #expect(String(buffer: refused.body).contains("1 orders are booked in this slot: the capacity cannot go below that."))
            let changed = try await manager.post(client, "/admin/slots/\(slotID)/capacity", form: [("capacity", "1")])
            #expect(changed.headers[.location] == "/admin/slots?done=Capacity%20changed%2E")
            let full = String(buffer: try await manager.get(client, "/admin/slots").body)
            #expect(full.contains(#"aria-label="1 of 1 booked""#))
            let unknown = try await manager.post(client, "/admin/slots/\(UUID().uuidString.lowercased())/capacity", form: [("capacity", "3")])
            #expect(unknown.status == .notFound)

            var picker = try await signedInStaff(client, addStaff, .picker)
            #expect(try await picker.get(client, "/admin/slots").status == .forbidden)
            #expect(try await picker.post(client, "/admin/slots/\(slotID)/capacity", form: [("capacity", "9")]).status == .forbidden)
        }
    }
}
