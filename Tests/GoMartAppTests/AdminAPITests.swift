import BackOffice
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Telemetry
import Testing

@Suite struct AdminAPITests {
    let api = OrdersAPITests()

    /// A staff token for a new member with `role` (owners and managers give a recovery code).
    func token(_ client: some TestClientProtocol, _ addStaff: @Sendable (String, StaffRole) async throws -> StaffEnrolment, _ role: StaffRole) async throws -> String {
        let email = "\(role.rawValue)-api@example.com"
        let enrolment = try await addStaff(email, role)
        let code = enrolment.secondFactor.map { #","oneTimeCode":"\#($0.recoveryCodes[0])""# } ?? ""
        let signedIn = try await api.call(client, .post, "/api/v1/admin/sessions", json: #"{"email":"\#(email)","password":"a long staff password"\#(code)}"#,
                                          documentedPath: "/admin/sessions")
        #expect(signedIn.status == 201)
        return try #require(signedIn.body["token"] as? String)
    }

    @Test func staffSignInForATokenAndAManagerNeedsTheSecondFactor() async throws {
        try await withStaffTestApp { client, addStaff in
            _ = try await addStaff("mia@example.com", .manager)
            let noCode = try await api.call(client, .post, "/api/v1/admin/sessions", json: #"{"email":"mia@example.com","password":"a long staff password"}"#,
                                            documentedPath: "/admin/sessions")
            #expect(noCode.status == 401)
            #expect(noCode.body["detail"] as? String == "Enter the code from your authenticator app, or one of your recovery codes.")

            let picker = try await token(client, addStaff, .picker)
            let orders = try await api.call(client, .get, "/api/v1/admin/orders", token: picker, documentedPath: "/admin/orders")
            #expect(orders.status == 200)
            let audit = try await api.call(client, .get, "/api/v1/admin/orders?status=sideways", token: picker, documentedPath: "/admin/orders")
            #expect(audit.status == 400)

            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(picker)"
            let out = try await client.executeRequest(uri: "/api/v1/admin/sessions/current", method: .delete, headers: headers, body: nil)
            #expect(out.status == .noContent)
            let after = try await api.call(client, .get, "/api/v1/admin/orders", token: picker, documentedPath: "/admin/orders")
            #expect(after.status == 401)
        }
    }

    @Test func aCustomerTokenOpensNothingUnderAdmin() async throws {
        try await withStaffTestApp { client, _ in
            let customer = try await api.call(client, .post, "/api/v1/customers",
                                              json: #"{"name":"Cy","email":"cy@example.com","password":"a good long password"}"#, documentedPath: "/customers")
            let customerToken = try #require(customer.body["token"] as? String)
            let refused = try await api.call(client, .get, "/api/v1/admin/orders", token: customerToken, documentedPath: "/admin/orders")
            #expect(refused.status == 401)
            #expect(refused.body["detail"] as? String == "This needs a staff session: sign in with POST /api/v1/admin/sessions and send its token as a bearer token.")
            #expect(try await api.call(client, .get, "/api/v1/admin/picking-list", documentedPath: "/admin/picking-list").status == 401)
        }
    }

    @Test func anOrderIsPickedPackedRefundedAndDeliveredThroughTheAPIWithTheSameRoleChecks() async throws {
        try await withStaffTestApp { client, addStaff in
            let (_, id) = try await paidOrderThroughTheShop(client, email: "api-journey@example.com")
            let picker = try await token(client, addStaff, .picker)
            let driver = try await token(client, addStaff, .driver)
            let manager = try await token(client, addStaff, .manager)
            let base = "/api/v1/admin/orders/\(id)"

            let list = try await api.call(client, .get, "/api/v1/admin/picking-list", token: picker, documentedPath: "/admin/picking-list")
            #expect((list.body["lines"] as? [[String: Any]])?.first?["quantity"] as? Int == 6)
            let refused = try await api.call(client, .post, base + "/transitions", json: #"{"transition":"start_picking"}"#, token: driver,
                                             documentedPath: "/admin/orders/{id}/transitions")
            #expect(refused.status == 403)
            #expect(refused.body["detail"] as? String == "Your role does not allow this (pick_orders).")

            let picking = try await api.call(client, .post, base + "/transitions", json: #"{"transition":"start_picking","expectedStatus":"paid"}"#,
                                             token: picker, documentedPath: "/admin/orders/{id}/transitions")
            #expect(picking.body["status"] as? String == "picking")
            let stale = try await api.call(client, .post, base + "/transitions", json: #"{"transition":"cancel","expectedStatus":"paid"}"#,
                                           token: manager, documentedPath: "/admin/orders/{id}/transitions")
            #expect(stale.status == 409)

            let tooMany = try await api.call(client, .post, base + "/pack", json: #"{"picked":[{"lineNumber":1,"quantity":7}]}"#, token: picker,
                                             documentedPath: "/admin/orders/{id}/pack")
            #expect(tooMany.status == 422)
            let packed = try await api.call(client, .post, base + "/pack", json: #"{"picked":[{"lineNumber":1,"quantity":5}],"expectedStatus":"picking"}"#,
                                            token: picker, documentedPath: "/admin/orders/{id}/pack")
            #expect(packed.body["status"] as? String == "packed")
            let line = try #require((packed.body["lines"] as? [[String: Any]])?.first)
            let unit = try #require((line["unitPrice"] as? [String: Any])?["amountMinor"] as? Int)
            #expect((packed.body["refunded"] as? [String: Any])?["amountMinor"] as? Int == unit)

            let pickerRefund = try await api.call(client, .post, base + "/refunds", json: #"{"lines":[{"lineNumber":1,"quantity":1}],"reason":"Squashed"}"#,
                                                  token: picker, key: "api-refund-0001", documentedPath: "/admin/orders/{id}/refunds")
            #expect(pickerRefund.status == 403)
            for _ in 0..<2 {
                let refunded = try await api.call(client, .post, base + "/refunds", json: #"{"lines":[{"lineNumber":1,"quantity":1}],"reason":"Squashed"}"#,
                                                  token: manager, key: "api-refund-0001", documentedPath: "/admin/orders/{id}/refunds")
                #expect(refunded.status == 200)
                #expect((refunded.body["refunded"] as? [String: Any])?["amountMinor"] as? Int == unit * 2)
                #expect((refunded.body["refunds"] as? [Any])?.count == 2)
            }

            _ = try await api.call(client, .post, base + "/transitions", json: #"{"transition":"dispatch"}"#, token: driver, documentedPath: "/admin/orders/{id}/transitions")
            let delivered = try await api.call(client, .post, base + "/transitions", json: #"{"transition":"deliver"}"#, token: driver,
                                               documentedPath: "/admin/orders/{id}/transitions")
            #expect(delivered.body["status"] as? String == "delivered")
            #expect((delivered.body["timeline"] as? [[String: Any]])?.compactMap { $0["status"] as? String }
                == ["pending_payment", "paid", "picking", "packed", "packed", "out_for_delivery", "delivered"])
            let read = try await api.call(client, .get, base, token: driver, documentedPath: "/admin/orders/{id}")
            #expect(read.status == 200)

            // Everything left given back: the order is refunded, and counted so.
            let inFull = try await api.call(client, .post, base + "/refunds", json: #"{"lines":[{"lineNumber":1,"quantity":4}],"delivery":true,"reason":"Never arrived"}"#,
                                            token: manager, key: "api-refund-0002", documentedPath: "/admin/orders/{id}/refunds")
            #expect(inFull.body["status"] as? String == "refunded")
            let metrics = String(decoding: MetricsRegistry.exposition(), as: UTF8.self)
            #expect(metrics.contains(#"gomart_orders_total{event="refunded"}"#))
            #expect(metrics.contains("gomart_refunds_total "))
        }
    }
}

@Suite struct AdminCatalogueAPITests {
    let api = OrdersAPITests()

    @Test func aManagersToolAddsAProductChangesItsPriceAndStockAndAPickerMayNot() async throws {
        try await withStaffTestApp { client, addStaff in
            let manager = try await AdminAPITests().token(client, addStaff, .manager)
            let picker = try await AdminAPITests().token(client, addStaff, .picker)
            let product = #"{"sku":"API-001","name":"Blood Orange Juice","brand":"Press","aisle":"Drinks","price":"2.80","packSize":"1 L","stock":12}"#

            let refused = try await api.call(client, .post, "/api/v1/admin/products", json: product, token: picker, documentedPath: "/admin/products")
            #expect(refused.status == 403)
            let bad = try await api.call(client, .post, "/api/v1/admin/products", json: product.replacingOccurrences(of: "2.80", with: "cheap"),
                                         token: manager, documentedPath: "/admin/products")
            #expect(bad.status == 422)
            #expect((bad.body["errors"] as? [String: String])?["price"] == "'cheap' is not a price such as 1.25")

            let created = try await api.call(client, .post, "/api/v1/admin/products", json: product, token: manager, documentedPath: "/admin/products")
            #expect(created.status == 201)
            let id = try #require(created.body["id"] as? String)
            let updated = try await api.call(client, .put, "/api/v1/admin/products/\(id)",
                                             json: #"{"name":"Blood Orange Juice","brand":"Press","aisle":"Drinks","price":"2.95","packSize":"1 L"}"#,
                                             token: manager, documentedPath: "/admin/products/{id}")
            #expect((updated.body["price"] as? [String: Any])?["amountMinor"] as? Int == 295)
            #expect(updated.body["stock"] as? Int == 12)
            let shop = String(buffer: try await client.executeRequest(uri: "/api/v1/products/\(id)", method: .get, headers: [:], body: nil).body)
            #expect(shop.contains(#""amountMinor":295"#))

            let adjusted = try await api.call(client, .post, "/api/v1/admin/products/\(id)/stock-adjustments",
                                              json: #"{"change":-13,"reason":"waste"}"#, token: manager, documentedPath: "/admin/products/{id}/stock-adjustments")
            #expect(adjusted.status == 409)
            let counted = try await api.call(client, .post, "/api/v1/admin/products/\(id)/stock-adjustments",
                                             json: #"{"count":3,"reason":"count","note":"Shelf"}"#, token: manager, documentedPath: "/admin/products/{id}/stock-adjustments")
            #expect(counted.body["stock"] as? Int == 3)
            #expect(counted.body["lowStock"] as? Bool == true)
            let history = try await api.call(client, .get, "/api/v1/admin/products/\(id)/stock-adjustments", token: manager,
                                             documentedPath: "/admin/products/{id}/stock-adjustments")
            #expect((history.body["adjustments"] as? [[String: Any]])?.compactMap { $0["change"] as? Int } == [-9, 12])

            let withdrawn = try await api.call(client, .post, "/api/v1/admin/products/\(id)/withdraw", token: manager, documentedPath: "/admin/products/{id}/withdraw")
            #expect(withdrawn.body["onSale"] as? Bool == false)
            let listed = try await api.call(client, .get, "/api/v1/admin/products?show=withdrawn", token: manager, documentedPath: "/admin/products")
            #expect(listed.body["total"] as? Int == 1)
            let dashboard = try await api.call(client, .get, "/api/v1/admin/dashboard", token: manager, documentedPath: "/admin/dashboard")
            #expect((dashboard.body["days"] as? [Any])?.count == 30)
            #expect(try await api.call(client, .get, "/api/v1/admin/dashboard", token: picker, documentedPath: "/admin/dashboard").status == 403)
        }
    }

    @Test func notesGoThroughTheAPIForThoseWithTheRight() async throws {
        try await withStaffTestApp { client, addStaff in
            let (_, id) = try await paidOrderThroughTheShop(client, email: "api-note@example.com")
            let support = try await AdminAPITests().token(client, addStaff, .support)
            let driver = try await AdminAPITests().token(client, addStaff, .driver)
            let added = try await api.call(client, .post, "/api/v1/admin/orders/\(id)/notes", json: #"{"text":"Call before delivery"}"#, token: support,
                                           documentedPath: "/admin/orders/{id}/notes")
            #expect(added.status == 201)
            #expect((added.body["notes"] as? [[String: Any]])?.first?["text"] as? String == "Call before delivery")
            #expect(try await api.call(client, .post, "/api/v1/admin/orders/\(id)/notes", json: #"{"text":"x"}"#, token: driver,
                                       documentedPath: "/admin/orders/{id}/notes").status == 403)
            let read = try await api.call(client, .get, "/api/v1/admin/orders/\(id)/notes", token: driver, documentedPath: "/admin/orders/{id}/notes")
            #expect((read.body["notes"] as? [Any])?.count == 1)
        }
    }
}
