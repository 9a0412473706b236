import BackOffice
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

@Suite struct AdminCustomerPageTests {
    @Test func rolesWithoutTheRightGet403AndManagersMayLookButNotExportOrErase() async throws {
        try await withStaffTestApp { client, addStaff in
            _ = try await paidOrderThroughTheShop(client, email: "looked-up@example.com")
            var support = try await signedInStaff(client, addStaff, .support)
            let found = try await support.get(client, "/admin/customers?email=Looked-Up%40example.com")
            let path = try #require(found.headers[.location])
            for role in [StaffRole.picker, .driver] {
                var browser = try await signedInStaff(client, addStaff, role)
                #expect(try await browser.get(client, "/admin/customers").status == .forbidden)
                #expect(try await browser.get(client, path).status == .forbidden)
                #expect(try await browser.get(client, path + "/export.json").status == .forbidden)
                #expect(try await browser.post(client, path + "/erase", form: [("confirm", "on")]).status == .forbidden)
            }
            var manager = try await signedInStaff(client, addStaff, .manager)
            #expect(try await manager.get(client, path).status == .ok)
            #expect(try await manager.get(client, path + "/export.json").status == .forbidden)
            #expect(try await manager.post(client, path + "/erase", form: [("confirm", "on")]).status == .forbidden)
            var guest = Browser()
            _ = try await guest.get(client, "/")
            #expect(try await guest.get(client, path).headers[.location]?.hasPrefix("/admin/sign-in?next=") == true)
            #expect(try await support.get(client, "/admin/customers?email=nobody%40example.com").status == .notFound)
        }
    }

    @Test func supportExportsAndErasesACustomersDataAndTheOrdersStillAddUp() async throws {
        try await withStaffTestApp { client, addStaff in
            var (shopper, orderID) = try await paidOrderThroughTheShop(client, email: "leaving@example.com")
            var support = try await signedInStaff(client, addStaff, .support)
            var owner = try await signedInStaff(client, addStaff, .owner)
            let path = try #require(try await support.get(client, "/admin/customers?email=leaving%40example.com").headers[.location])
            let page = String(buffer: try await support.get(client, path).body)
            #expect(page.contains("<dt>E-mail</dt><dd>leaving@example.com</dd>"))
            #expect(page.contains("GM-"))

            let export = try await support.get(client, path + "/export.json")
            #expect(export.headers[.contentType] == "application/json; charset=utf-8")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: export.body)) as? [String: Any])
            #expect((json["account"] as? [String: Any])?["email"] as? String == "leaving@example.com")
            let exportedOrder = try #require((json["orders"] as? [[String: Any]])?.first)
            #expect((exportedOrder["delivery"] as? [String: Any])?["postcode"] as? String == "YO1 7HH")

            let notYet = try await support.post(client, path + "/erase", form: [("confirm", "on")])
            #expect(notYet.status == .conflict)
            #expect(String(buffer: notYet.body).contains("The customer has 1 order(s) in progress"))
            let unconfirmed = try await support.post(client, path + "/erase", form: [])
            #expect(unconfirmed.status == .unprocessableContent)

            let before = String(buffer: try await owner.get(client, "/admin/orders/\(orderID)").body)
            _ = try await shopper.post(client, "/orders/\(orderID)/cancel", form: [])
            #expect(try await support.post(client, path + "/erase", form: [("confirm", "on")]).status == .seeOther)

            let erased = String(buffer: try await support.get(client, path).body)
            #expect(erased.contains("<h1>Erased customer <span class=\"pill pill-cancelled\">Data erased</span></h1>"))
            #expect(!erased.contains("leaving@example.com"))
            #expect(try await support.get(client, "/admin/customers?email=leaving%40example.com").status == .notFound)
            let order = String(buffer: try await owner.get(client, "/admin/orders/\(orderID)").body)
            #expect(order.contains("<address>Erased<br></address>"))
            #expect(!order.contains("YO1 7HH"))
            #expect(amount(after: "<th scope=\"row\" colspan=\"6\">Total</th>", in: order) == amount(after: "<th scope=\"row\" colspan=\"6\">Total</th>", in: before))
            #expect(try await shopper.get(client, "/account").headers[.location] == "/account/sign-in?next=%2Faccount") // sessions ended

            var newcomer = Browser()
            _ = try await newcomer.get(client, "/account/sign-in")
            let old = try await newcomer.post(client, "/account/sign-in", form: [("email", "leaving@example.com"), ("password", "a good long password")])
            #expect(old.status == .unauthorized)
            _ = try await newcomer.get(client, "/account/sign-up")
            let again = try await newcomer.post(client, "/account/sign-up", form: [("name", "Back Again"), ("email", "leaving@example.com"), ("password", "a good long password")])
            #expect(again.status == .seeOther)

            let audit = String(buffer: try await owner.get(client, "/admin/audit?action=customer.erased").body)
            #expect(audit.contains("<td>Staff support</td><td>customer.erased</td><td>customer "))
            #expect(audit.contains("<div>orders_pseudonymised: – → 1</div>"))
        }
    }
}
