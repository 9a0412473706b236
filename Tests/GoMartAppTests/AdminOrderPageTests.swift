import BackOffice
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A shopper who paid for 6 of the first bakery product: their browser and the order's id.
func paidOrderThroughTheShop(_ client: some TestClientProtocol, email: String) async throws -> (shopper: Browser, id: String) {
    var shopper = try await signedInWithCart(client, email: email)
    let page = try await shopper.get(client, "/checkout")
    let key = hiddenValue("idempotency_key", in: String(buffer: page.body))
    let placed = try await shopper.post(client, "/checkout", form: checkoutFields + [("card_number", "4242 4242 4242 4242"), ("idempotency_key", key)])
    let location = try #require(placed.headers[.location])
    let id = String(location.dropFirst("/orders/".count).prefix { $0 != "?" })
    return (shopper, id)
}

/// A member of staff with `role`, signed in (owners and managers with a recovery code).
func signedInStaff(_ client: some TestClientProtocol, _ addStaff: @Sendable (String, StaffRole) async throws -> StaffEnrolment,
                   _ role: StaffRole) async throws -> Browser {
    let email = "\(role.rawValue)@example.com"
    let enrolment = try await addStaff(email, role)
    var browser = Browser()
    _ = try await browser.get(client, "/admin/sign-in")
    var form = [("email", email), ("password", "a long staff password")]
    if let factor = enrolment.secondFactor { form.append(("code", factor.recoveryCodes[0])) }
    let signedIn = try await browser.post(client, "/admin/sign-in", form: form)
    #expect(signedIn.status == .seeOther)
    _ = try await browser.get(client, "/admin")
    return browser
}

/// The first amount of money in `text` after `label`.
func amount(after label: String, in text: String) -> String? {
    guard let start = text.range(of: label) else { return nil }
    return text[start.upperBound...].range(of: #"£\d+\.\d\d"#, options: .regularExpression).map { String(text[$0]) }
}

@Suite struct AdminOrderPageTests {
    @Test func everyOrderRouteRefusesTheRolesWithoutTheRightAndSendsOthersToTheStaffSignIn() async throws {
        try await withStaffTestApp { client, addStaff in
            let (_, id) = try await paidOrderThroughTheShop(client, email: "matrix@example.com")
            var browsers: [StaffRole: Browser] = [:]
            for role in StaffRole.allCases { browsers[role] = try await signedInStaff(client, addStaff, role) }
            var shopper = try await signedInWithCart(client, email: "nosy@example.com")
            var guest = Browser()
            _ = try await guest.get(client, "/")

            let reads: [(String, StaffPermission)] = [
                ("/admin/orders", .viewOrders), ("/admin/orders/\(id)", .viewOrders), ("/admin/orders/\(id)/slip", .viewOrders),
                ("/admin/picking", .pickOrders), ("/admin/deliveries", .deliverOrders), ("/admin/audit", .readAuditLog),
            ]
            for (path, permission) in reads {
                for role in StaffRole.allCases where !role.permissions.contains(permission) {
                    let response = try await browsers[role]!.get(client, path)
                    #expect(response.status == .forbidden, "\(role) GET \(path)")
                    #expect(String(buffer: response.body).contains("Your role does not allow this (\(permission.rawValue))."))
                }
                for role in StaffRole.allCases where role.permissions.contains(permission) {
                    #expect(try await browsers[role]!.get(client, path).status == .ok, "\(role) GET \(path)")
                }
                let encoded = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-_.")))!
                #expect(try await guest.get(client, path).headers[.location] == "/admin/sign-in?next=\(encoded)")
                #expect(try await shopper.get(client, path).headers[.location] == "/admin/sign-in?next=\(encoded)")
            }

            let writes: [(String, [(String, String)], StaffPermission)] = [
                ("/admin/orders/\(id)/step", [("transition", "start_picking"), ("expecting", "paid")], .pickOrders),
                ("/admin/orders/\(id)/step", [("transition", "dispatch"), ("expecting", "paid")], .deliverOrders),
                ("/admin/orders/\(id)/step", [("transition", "cancel"), ("expecting", "paid")], .cancelOrders),
                ("/admin/orders/\(id)/pack", [("picked_1", "6"), ("expecting", "picking")], .pickOrders),
                ("/admin/orders/\(id)/refund", [("refund_1", "1"), ("reason", "Test"), ("idempotency_key", "matrix-refund-1")], .refundOrders),
            ]
            for (path, form, permission) in writes {
                for role in StaffRole.allCases where !role.permissions.contains(permission) {
                    let response = try await browsers[role]!.post(client, path, form: form)
                    #expect(response.status == .forbidden, "\(role) POST \(path) \(form)")
                }
                let encoded = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-_.")))!
                #expect(try await guest.post(client, path, form: form).headers[.location] == "/admin/sign-in?next=\(encoded)")
                #expect(try await shopper.post(client, path, form: form).headers[.location] == "/admin/sign-in?next=\(encoded)")
            }
            // Nothing the refused requests asked for happened.
            let order = String(buffer: try await browsers[.owner]!.get(client, "/admin/orders/\(id)").body)
            #expect(order.contains(#"<span class="pill pill-paid">Paid</span>"#))
        }
    }

    @Test func aPickerPicksOneShortTheShopperSeesTheRefundAndADriverDelivers() async throws {
        try await withStaffTestApp { client, addStaff in
            var (shopper, id) = try await paidOrderThroughTheShop(client, email: "journey@example.com")
            var picker = try await signedInStaff(client, addStaff, .picker)
            var driver = try await signedInStaff(client, addStaff, .driver)
            var owner = try await signedInStaff(client, addStaff, .owner)

            let list = String(buffer: try await picker.get(client, "/admin/picking").body)
            #expect(list.contains("<h2>Standard delivery (no slot), paid this day</h2>\n    <p>1 orders: GM-"))
            _ = try await picker.get(client, "/admin/orders/\(id)")
            #expect(try await picker.post(client, "/admin/orders/\(id)/step", form: [("transition", "start_picking"), ("expecting", "paid")]).status == .seeOther)
            _ = try await picker.get(client, "/admin/orders/\(id)")
            let packed = try await picker.post(client, "/admin/orders/\(id)/pack", form: [("picked_1", "4"), ("expecting", "picking")])
            #expect(packed.status == .seeOther)

            let page = String(buffer: try await shopper.get(client, "/orders/\(id)").body)
            let unitPrice = try #require(amount(after: "<td>6</td>", in: page))
            let unitMinor = Int(unitPrice.dropFirst().replacingOccurrences(of: ".", with: ""))!
            let refund = String(format: "£%d.%02d", unitMinor * 2 / 100, unitMinor * 2 % 100)
            #expect(page.contains("2 not available, not charged"))
            #expect(amount(after: "<dt>Not charged</dt>", in: page) == refund)
            #expect(!page.contains("<dt>Refunded</dt>"))
            #expect(page.contains("<strong>Packed</strong>"))
            #expect(page.contains("\(refund) not charged. Not available: 2 ×"))
            #expect(!page.contains("Cancel this order"))

            _ = try await driver.get(client, "/admin/deliveries")
            #expect(try await driver.post(client, "/admin/orders/\(id)/step", form: [("transition", "dispatch"), ("expecting", "packed")]).status == .seeOther)
            #expect(try await driver.post(client, "/admin/orders/\(id)/step", form: [("transition", "deliver"), ("expecting", "out_for_delivery")]).status == .seeOther)
            #expect(String(buffer: try await shopper.get(client, "/orders/\(id)").body).contains("<dd class=\"status\">Delivered</dd>"))

            let audit = String(buffer: try await owner.get(client, "/admin/audit").body)
            #expect(audit.components(separatedBy: "<td>order.moved</td>").count - 1 == 4)
            #expect(audit.contains("<td>Staff picker</td><td>order.moved</td><td>order \(id)</td><td><div>refunded: – → \(refund)</div><div>status: picking → packed</div></td>"))
            #expect(audit.contains("<td>Staff driver</td><td>order.moved</td><td>order \(id)</td><td><div>status: out_for_delivery → delivered</div></td>"))
            #expect(audit.contains("<td>Staff picker</td><td>customer.data_read</td><td>order \(id)</td>"))
        }
    }

    @Test func twoStaffMovingTheSameOrderTheSecondGetsAClear409() async throws {
        try await withStaffTestApp { client, addStaff in
            let (_, id) = try await paidOrderThroughTheShop(client, email: "race@example.com")
            var picker = try await signedInStaff(client, addStaff, .picker)
            var support = try await signedInStaff(client, addStaff, .support)
            _ = try await picker.get(client, "/admin/orders/\(id)")
            _ = try await support.get(client, "/admin/orders/\(id)")

            #expect(try await picker.post(client, "/admin/orders/\(id)/step", form: [("transition", "start_picking"), ("expecting", "paid")]).status == .seeOther)
            let late = try await support.post(client, "/admin/orders/\(id)/step", form: [("transition", "cancel"), ("expecting", "paid")])
            #expect(late.status == .conflict)
            #expect(String(buffer: late.body).contains("The order is now “Being picked”, so this step no longer applies."))
        }
    }

    @Test func theShopperCancelsUntilPickingStarts() async throws {
        try await withStaffTestApp { client, addStaff in
            var (shopper, id) = try await paidOrderThroughTheShop(client, email: "cancel@example.com")
            let before = String(buffer: try await shopper.get(client, "/orders/\(id)").body)
            let total = try #require(amount(after: "<dt class=\"total\">Total</dt>", in: before))
            let cancelled = try await shopper.post(client, "/orders/\(id)/cancel", form: [])
            #expect(cancelled.status == .seeOther)
            let after = String(buffer: try await shopper.get(client, "/orders/\(id)").body)
            #expect(after.contains("<strong>Cancelled</strong>"))
            #expect(amount(after: "<dt>Not charged</dt>", in: after) == total)
            #expect(amount(after: "You paid</dt>", in: after) == "£0.00")

            let (second, secondID) = try await paidOrderThroughTheShop(client, email: "late@example.com")
            var picker = try await signedInStaff(client, addStaff, .picker)
            _ = try await picker.post(client, "/admin/orders/\(secondID)/step", form: [("transition", "start_picking"), ("expecting", "paid")])
            var late = second
            _ = try await late.get(client, "/orders/\(secondID)")
            let refused = try await late.post(client, "/orders/\(secondID)/cancel", form: [])
            #expect(refused.status == .conflict)
            #expect(try await shopper.post(client, "/orders/\(secondID)/cancel", form: []).status == .notFound) // not theirs
        }
    }

    @Test func looseApplesAreEstimatedAtCheckoutWeighedByThePickerAndChargedForTheirWeight() async throws {
        try await withStaffTestApp { client, addStaff in
            var shopper = try await signedInWithCart(client, email: "weighed@example.com")
            let product = String(buffer: try await shopper.get(client, "/products/loose-braeburn-apples-fv-0004").body)
            let added = try await shopper.post(client, "/cart/items", form: [("product_id", hiddenValue("product_id", in: product)), ("quantity", "1000")])
            #expect(added.status == .seeOther)
            let cart = String(buffer: try await shopper.get(client, "/cart").body)
            #expect(cart.contains("1 kg, estimated price"))
            #expect(cart.contains(#"<dt class="total">Estimated total</dt>"#))
            #expect(cart.contains("We reserve up to"))
            let page = try await shopper.get(client, "/checkout")
            let placed = try await shopper.post(client, "/checkout", form: checkoutFields + [("card_number", "4242 4242 4242 4242"),
                                                                                               ("idempotency_key", hiddenValue("idempotency_key", in: String(buffer: page.body)))])
            let id = String(try #require(placed.headers[.location]).dropFirst("/orders/".count).prefix { $0 != "?" })
            var picker = try await signedInStaff(client, addStaff, .picker)
            _ = try await picker.post(client, "/admin/orders/\(id)/step", form: [("transition", "start_picking"), ("expecting", "paid")])
            let order = String(buffer: try await picker.get(client, "/admin/orders/\(id)").body)
            #expect(order.contains(#"<label class="weight-label" for="weight_2">Weight in grams <span class="muted">(900 g–1.1 kg, 0 if none)</span></label>"#))
            let tooHeavy = try await picker.post(client, "/admin/orders/\(id)/pack", form: [("picked_1", "6"), ("weight_2", "1200"), ("expecting", "picking")])
            #expect(tooHeavy.status == .unprocessableContent)
            let packed = try await picker.post(client, "/admin/orders/\(id)/pack", form: [("picked_1", "6"), ("weight_2", "1060"), ("expecting", "picking")])
            #expect(packed.status == .seeOther)
            let shown = String(buffer: try await shopper.get(client, "/orders/\(id)").body)
            #expect(shown.contains("Weighed 1.06 kg; estimated £1.90"))
            #expect(shown.contains("<td>1 kg</td><td>£1.90 per kg</td><td>£2.01</td>"))
        }
    }

    @Test func thePickerPutsInASubstituteAndTheShopperRejectsItOnTheirOrderPage() async throws {
        try await withStaffTestApp { client, addStaff in
            var (shopper, id) = try await paidOrderThroughTheShop(client, email: "substitute@example.com")
            var picker = try await signedInStaff(client, addStaff, .picker)
            _ = try await picker.post(client, "/admin/orders/\(id)/step", form: [("transition", "start_picking"), ("expecting", "paid")])
            let page = String(buffer: try await picker.get(client, "/admin/orders/\(id)").body)
            #expect(page.contains("<div class=\"muted\">Shopper: any similar product</div>"))
            // Without a model the suggestions are the aisle's products that pass the rule, closest in unit price first.
            let select = try #require(page.range(of: #"<select id="substitute_1" name="substitute_1"><option value="" selected>No substitute</option><option value=""#))
            let substitute = String(page[select.upperBound...].prefix { $0 != "\"" })
            let packed = try await picker.post(client, "/admin/orders/\(id)/pack", form: [("picked_1", "4"), ("substitute_1", substitute), ("expecting", "picking")])
            #expect(packed.status == .seeOther)
            let order = String(buffer: try await shopper.get(client, "/orders/\(id)").body)
            #expect(order.contains("accept or reject it before we send your order"))
            #expect(order.contains(#"<button type="submit" name="answer" value="reject" class="button secondary">Reject</button>"#))
            #expect(order.contains("You pay only for what we hand over"))
            let rejected = try await shopper.post(client, "/orders/\(id)/substitutes/2", form: [("answer", "reject")])
            #expect(rejected.status == .seeOther)
            let after = String(buffer: try await shopper.get(client, "/orders/\(id)").body)
            #expect(after.contains("rejected: not charged"))
            #expect(!after.contains(#"value="reject""#))
        }
    }

    @Test func theOrderPageAndPickingListAsTheyLook() async throws {
        try await withStaffTestApp { client, addStaff in
            let (_, id) = try await paidOrderThroughTheShop(client, email: "snapshot@example.com")
            var manager = try await signedInStaff(client, addStaff, .manager)
            assertSnapshot(of: try await manager.get(client, "/admin/orders/\(id)"), named: "order")
            assertSnapshot(of: try await manager.get(client, "/admin/picking"), named: "picking")
            _ = try await manager.post(client, "/admin/orders/\(id)/step", form: [("transition", "start_picking"), ("expecting", "paid")])
            _ = try await manager.post(client, "/admin/orders/\(id)/pack", form: [("picked_1", "6"), ("expecting", "picking")])
            assertSnapshot(of: try await manager.get(client, "/admin/orders/\(id)/slip"), named: "slip")
        }
    }
}

@Suite struct AdminDashboardPageTests {
    @Test func ownersAndManagersSeeTheDashboardWithChartsAndOthersGet403() async throws {
        try await withStaffTestApp { client, addStaff in
            _ = try await paidOrderThroughTheShop(client, email: "dash@example.com")
            var manager = try await signedInStaff(client, addStaff, .manager)
            for role in [StaffRole.picker, .driver, .support] {
                var browser = try await signedInStaff(client, addStaff, role)
                #expect(try await browser.get(client, "/admin/dashboard").status == .forbidden, "\(role)")
            }
            var guest = Browser()
            #expect(try await guest.get(client, "/admin/dashboard").headers[.location] == "/admin/sign-in?next=%2Fadmin%2Fdashboard")

            let page = try await manager.get(client, "/admin/dashboard")
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains(#"<div class="tile"><h2>Orders</h2><p><span class="tile-figure">1</span> today</p><p><span class="tile-figure">1</span> in 30 days</p></div>"#))
            #expect(html.contains(#"<div class="tile"><h2>Revenue</h2><p><span class="tile-figure">£14.73</span> today</p>"#))
            #expect(html.components(separatedBy: "<svg ").count - 1 == 4)
            #expect(html.contains("<title>Brioche Burger Buns: 6 units</title>"))
            #expect(html.contains(#"<li><a href="/admin/orders?status=paid">Paid</a>: 1</li>"#))
        }
    }
}

@Suite struct OrderNoteTests {
    @Test func supportAddsANoteTheShopperNeverSeesAndRolesWithoutTheRightGet403() async throws {
        try await withStaffTestApp { client, addStaff in
            var (shopper, id) = try await paidOrderThroughTheShop(client, email: "noted@example.com")
            var support = try await signedInStaff(client, addStaff, .support)
            var picker = try await signedInStaff(client, addStaff, .picker)
            _ = try await support.get(client, "/admin/orders/\(id)")
            #expect(try await support.post(client, "/admin/orders/\(id)/notes", form: [("note", "  ")]).status == .unprocessableContent)
            #expect(try await support.post(client, "/admin/orders/\(id)/notes", form: [("note", "Leave with the neighbour at no. 3")]).status == .seeOther)
            #expect(try await picker.post(client, "/admin/orders/\(id)/notes", form: [("note", "Picked")]).status == .forbidden)

            let page = String(buffer: try await picker.get(client, "/admin/orders/\(id)").body)
            #expect(page.contains("<strong>Staff support</strong>"))
            #expect(page.contains("<div>Leave with the neighbour at no. 3</div>"))
            #expect(!page.contains(#"action="/admin/orders/\#(id)/notes""#)) // no form for a picker
            #expect(!String(buffer: try await shopper.get(client, "/orders/\(id)").body).contains("neighbour"))
        }
    }
}
