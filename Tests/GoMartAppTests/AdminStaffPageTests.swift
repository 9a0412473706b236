import BackOffice
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct AdminStaffPageTests {
    @Test func onlyTheOwnerManagesStaff() async throws {
        try await withStaffTestApp { client, addStaff in
            var owner = try await signedInStaff(client, addStaff, .owner)
            let list = String(buffer: try await owner.get(client, "/admin/staff").body)
            let id = try #require(list.range(of: #"/admin/staff/([0-9a-f-]{36})/role"#, options: .regularExpression).map { String(list[$0].dropFirst(13).prefix(36)) })
            for role in [StaffRole.manager, .picker, .driver, .support] {
                var browser = try await signedInStaff(client, addStaff, role)
                #expect(try await browser.get(client, "/admin/staff").status == .forbidden, "\(role)")
                #expect(try await browser.post(client, "/admin/staff", form: [("email", "x@example.com"), ("name", "X"), ("role", "owner"),
                                                                               ("password", "a long staff password")]).status == .forbidden)
                #expect(try await browser.post(client, "/admin/staff/\(id)/role", form: [("role", "picker"), ("current", "owner")]).status == .forbidden)
                #expect(try await browser.post(client, "/admin/staff/\(id)/disable", form: []).status == .forbidden)
            }
            var guest = Browser()
            _ = try await guest.get(client, "/")
            #expect(try await guest.get(client, "/admin/staff").headers[.location] == "/admin/sign-in?next=%2Fadmin%2Fstaff")
        }
    }

    @Test func theOwnerAddsAManagerChangesRolesDisablesAndNeverLosesTheLastOwner() async throws {
        try await withStaffTestApp { client, addStaff in
            var owner = try await signedInStaff(client, addStaff, .owner)
            var picker = try await signedInStaff(client, addStaff, .picker)

            let added = String(buffer: try await owner.post(client, "/admin/staff", form: [
                ("email", "mo@example.com"), ("name", "Mo Manager"), ("role", "manager"), ("password", "a long staff password"),
            ]).body)
            #expect(added.contains("Second factor for Mo Manager: shown this once"))
            let code = try #require(added.range(of: #"[A-Z0-9]{5}-[A-Z0-9]{5}"#, options: .regularExpression).map { String(added[$0]) })
            var mo = Browser()
            _ = try await mo.get(client, "/admin/sign-in")
            #expect(try await mo.post(client, "/admin/sign-in", form: [("email", "mo@example.com"), ("password", "a long staff password"), ("code", code)])
                .headers[.location] == "/admin")
            let taken = try await owner.post(client, "/admin/staff", form: [("email", "mo@example.com"), ("name", "Mo Again"), ("role", "picker"),
                                                                             ("password", "a long staff password")])
            #expect(taken.status == .conflict)

            let list = String(buffer: try await owner.get(client, "/admin/staff").body)
            let pickerID = try #require(list.components(separatedBy: "<tr>").first { $0.contains("picker@example.com") }
                .flatMap { row in row.range(of: #"/admin/staff/[0-9a-f-]{36}/role"#, options: .regularExpression).map { String(row[$0].dropFirst(13).prefix(36)) } })
            let promoted = String(buffer: try await owner.post(client, "/admin/staff/\(pickerID)/role", form: [("role", "manager"), ("current", "picker")]).body)
            #expect(promoted.contains("Second factor for the member: shown this once"))
            #expect(try await picker.get(client, "/admin").status == .seeOther) // their session ended with the change
            let stale = try await owner.post(client, "/admin/staff/\(pickerID)/role", form: [("role", "driver"), ("current", "picker")])
            #expect(stale.status == .conflict)

            #expect(try await owner.post(client, "/admin/staff/\(pickerID)/disable", form: []).status == .seeOther)
            var again = Browser()
            _ = try await again.get(client, "/admin/sign-in")
            #expect(try await again.post(client, "/admin/sign-in", form: [("email", "picker@example.com"), ("password", "a long staff password")]).status == .unauthorized)

            let ownerID = try #require(list.components(separatedBy: "<tr>").first { $0.contains("owner@example.com") }
                .flatMap { row in row.range(of: #"/admin/staff/[0-9a-f-]{36}/role"#, options: .regularExpression).map { String(row[$0].dropFirst(13).prefix(36)) } })
            let lastOwner = try await owner.post(client, "/admin/staff/\(ownerID)/disable", form: [])
            #expect(lastOwner.status == .conflict)
            #expect(String(buffer: lastOwner.body).contains("The shop must keep at least one enabled owner."))
            #expect(try await owner.post(client, "/admin/staff/\(ownerID)/role", form: [("role", "manager"), ("current", "owner")]).status == .conflict)

            let audit = String(buffer: try await owner.get(client, "/admin/audit").body)
            #expect(audit.contains("<div>role: picker → manager</div>"))
            #expect(audit.contains("<td>staff.disabled</td>"))
        }
    }
}

@Suite struct AuditFilterTests {
    @Test func theOwnerFiltersTheAuditLogByWhoAndWhatItIsAbout() async throws {
        try await withStaffTestApp { client, addStaff in
            let (_, first) = try await paidOrderThroughTheShop(client, email: "audit-one@example.com")
            let (_, second) = try await paidOrderThroughTheShop(client, email: "audit-two@example.com")
            var picker = try await signedInStaff(client, addStaff, .picker)
            var support = try await signedInStaff(client, addStaff, .support)
            var owner = try await signedInStaff(client, addStaff, .owner)
            _ = try await picker.post(client, "/admin/orders/\(first)/step", form: [("transition", "start_picking"), ("expecting", "paid")])
            _ = try await support.post(client, "/admin/orders/\(second)/step", form: [("transition", "cancel"), ("expecting", "paid")])

            let aboutFirst = String(buffer: try await owner.get(client, "/admin/audit?action=order.moved&subject=\(first)").body)
            #expect(aboutFirst.components(separatedBy: "<td>order.moved</td>").count - 1 == 1)
            #expect(aboutFirst.contains("<td>order \(first)</td>"))

            let team = String(buffer: try await owner.get(client, "/admin/staff").body)
            let supportID = try #require(team.components(separatedBy: "<tr>").first { $0.contains("support@example.com") }
                .flatMap { row in row.range(of: #"/admin/staff/[0-9a-f-]{36}/role"#, options: .regularExpression).map { String(row[$0].dropFirst(13).prefix(36)) } })
            let bySupport = String(buffer: try await owner.get(client, "/admin/audit?by=\(supportID)").body)
            #expect(bySupport.contains("<td>order \(second)</td>"))
            #expect(!bySupport.contains("<td>order \(first)</td>"))
            #expect(!bySupport.contains("<td>Staff picker</td>"))
        }
    }
}
