import BackOffice
import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Hummingbird
import Security
import Web

/// The back office's orders: the list, one order with the steps the member's role allows,
/// picking and packing, refunds, the packing slip, the day's picking list and the deliveries.
public struct AdminOrdersController: Sendable {
    public typealias Context = ShopRequestContext
    let desk: OrderDesk
    let pages: AdminPages
    /// The substitutes a picker may choose for a line's product and the shopper's wish.
    let substitutes: @Sendable (ProductID, SubstitutionChoice) async throws -> [Product]

    /// Creates the controller.
    public init(desk: OrderDesk, staff: StaffService, renderer: PageRenderer, shop: ShopSettings,
                substitutes: @escaping @Sendable (ProductID, SubstitutionChoice) async throws -> [Product] = { _, _ in [] }) {
        self.desk = desk
        self.pages = AdminPages(staff: staff, renderer: renderer, shop: shop)
        self.substitutes = substitutes
    }

    /// While an order is being picked, the substitutes to offer the picker per line (lines whose
    /// shopper allows one; never loose goods or substitutes themselves).
    func suggestions(for order: Order, member: StaffMember) async throws -> [Int: [Product]] {
        guard order.status == .picking, member.may(.pickOrders) else { return [:] }
        var suggestions: [Int: [Product]] = [:]
        for line in order.lines where line.substitution != .none && line.weighed == nil && line.substitute == nil {
            suggestions[line.number] = try await substitutes(line.productID, line.substitution)
        }
        return suggestions
    }

    /// Adds the routes under `/admin`.
    public func addRoutes(to router: Router<Context>) {
        router.get("/admin/orders", use: list)
        router.get("/admin/orders.csv", use: export)
        router.get("/admin/deliveries", use: deliveries)
        router.get("/admin/orders/:id", use: show)
        router.get("/admin/orders/:id/slip", use: slip)
        router.post("/admin/orders/:id/step", use: step)
        router.post("/admin/orders/:id/pack", use: pack)
        router.post("/admin/orders/:id/substitutes/:line/reject", use: rejectSubstitute)
        router.post("/admin/orders/:id/refund", use: refund)
        router.post("/admin/orders/:id/notes", use: addNote)
        router.get("/admin/picking", use: picking)
    }

    // MARK: - Pages

    struct ListPage: Sendable {
        struct Row: Sendable {
            var href: String
            var number: String
            var placed: String
            var status: String
            var statusValue: String
            var items: Int
            var total: String
        }

        struct Option: Sendable {
            var value: String
            var label: String
            var selected: Bool
        }

        var chrome: AdminPages.Chrome
        var heading: String
        var lede: String
        var showFilter: Bool
        /// The member may download the orders as CSV.
        var canExport: Bool = false
        var statuses: [Option]
        var rows: [Row]
        var hasRows: Bool
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let chosen = FormURLEncoded.parse(request.uri.query)["status"]?.first.flatMap { $0.isEmpty ? nil : $0 }
            guard chosen == nil || OrderStatus(rawValue: chosen!) != nil else {
                return try pages.message(request, context, member, status: .badRequest, heading: "Unknown order state",
                                         message: "Choose one of the states in the list.")
            }
            let status = chosen.flatMap(OrderStatus.init(rawValue:))
            let orders = try await desk.orders(for: member, statuses: status.map { [$0] } ?? [])
            let page = ListPage(
                chrome: pages.chrome("Orders", member, context, request: request), heading: "Orders",
                lede: "The newest 200 orders\(status.map { " that are “\($0.label)”" } ?? ""), newest first.", showFilter: true,
                canExport: member.may(.viewReports),
                statuses: OrderStatus.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == status) },
                rows: orders.map(Self.row), hasRows: !orders.isEmpty
            )
            return try pages.html(page, template: "admin-orders", request: request, context: context)
        }
    }

    /// Orders placed from `from` to `to` (days, inclusive; the last 30 days by default) as CSV.
    @Sendable func export(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let query = FormURLEncoded.parse(request.uri.query)
            let today = Calendar.utc.startOfDay(for: Date())
            let from = query["from"]?.first.flatMap(Self.day) ?? today.addingTimeInterval(-29 * 86_400)
            let to = query["to"]?.first.flatMap(Self.day) ?? today
            return AdminCatalogueController.csv(try await desk.exportOrders(from: from, before: to.addingTimeInterval(86_400), for: member), name: "orders")
        }
    }

    @Sendable func deliveries(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let orders = try await desk.deliveries(for: member)
            let page = ListPage(
                chrome: pages.chrome("Deliveries", member, context, request: request), heading: "Deliveries",
                lede: "Orders packed and waiting for the van, and orders out for delivery, oldest first.", showFilter: false,
                statuses: [], rows: orders.map(Self.row), hasRows: !orders.isEmpty
            )
            return try pages.html(page, template: "admin-orders", request: request, context: context)
        }
    }

    static func row(_ order: OrderSummary) -> ListPage.Row {
        ListPage.Row(href: "/admin/orders/\(order.id.publicString)", number: order.number, placed: AdminPages.timestamp(order.createdAt),
                     status: order.status.label, statusValue: order.status.rawValue, items: order.itemCount, total: order.total.formatted)
    }

    struct OrderPage: Sendable {
        struct Line: Sendable {
            var number: Int
            var name: String
            var packSize: String
            var sku: String
            /// What was ordered: "2", "750 g", "4 (about 720 g)".
            var quantity: String
            var unitPrice: String
            var lineTotal: String
            var picked: String
            var refunded: Int
            /// Units not refunded yet: the most that can be picked, or refunded.
            var unrefunded: Int
            /// Loose goods: the picker enters the weight, within `weightRange`; goods bought by
            /// count also the number found (`countPicked`).
            var weighed: Bool
            var countPicked: Bool
            var weightRange: String
            var refundLabel: String
            /// What the shopper wants if it is not on the shelf, e.g. "Any similar product".
            var substitution: String?
            /// While picking: substitutes to choose from for the units not found (the first option
            /// is none).
            var substituteOptions: [ListPage.Option]
            var canSubstitute: Bool
            /// For a substitute: what it stands in for and what the shopper made of it.
            var standsIn: String?
            /// The driver may take the substitute back at the door.
            var canTakeBack: Bool
        }

        struct Step: Sendable {
            var value: String
            var label: String
            var danger: Bool
        }

        struct Event: Sendable {
            var at: String
            var label: String
            var note: String?
            var actor: String
        }

        struct Refund: Sendable {
            var at: String
            var amount: String
            var reason: String
            var state: String
        }

        var chrome: AdminPages.Chrome
        var id: String
        var number: String
        var status: String
        var statusValue: String
        var placed: String
        var card: String?
        /// Where the card payment stands, for staff.
        var payment: String?
        var paymentFailed: Bool
        /// The age to check at the door, e.g. "ID check at delivery: 18+".
        var idCheck: String?
        var deliveryName: String
        var addressLines: [String]
        var phone: String
        var lines: [Line]
        var subtotal: String
        var deliveryFee: String
        var total: String
        var refunded: String?
        var netTotal: String
        var steps: [Step]
        var hasSteps: Bool
        var canPack: Bool
        var canRefund: Bool
        var refundKey: String
        var timeline: [Event]
        var refunds: [Refund]
        var hasRefunds: Bool
        var notes: [Event] = []
        var canAddNotes = false
        var noteError: String?
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let order = try await desk.order(try Self.orderID(context), for: member)
            var page = orderPage(order, member: member, context: context, request: request, suggestions: try await suggestions(for: order, member: member))
            try await addNotes(to: &page, order: order.id, member: member)
            return try pages.html(page, template: "admin-order", request: request, context: context)
        }
    }

    /// The shopper's wish for a line, in words.
    static func describe(_ choice: SubstitutionChoice, _ suggestions: [Product]?) -> String {
        switch choice {
        case .none: "Shopper: no substitute"
        case .anySimilar: "Shopper: any similar product"
        case .product: "Shopper named a substitute" + (suggestions?.first.map { ": \($0.name)" } ?? "")
        }
    }

    func orderPage(_ order: Order, member: StaffMember, context: Context, request: Request, suggestions: [Int: [Product]] = [:]) -> OrderPage {
        // Keeping back age-restricted goods is a step only for an order that has some.
        let steps = OrderDesk.steps(for: member, from: order.status).filter { $0 != .pack && ($0 != .deliverWithoutRestricted || order.idCheckAge > 0) }
        return OrderPage(
            chrome: pages.chrome("Order \(order.number)", member, context, request: request),
            id: order.id.publicString, number: order.number, status: order.status.label, statusValue: order.status.rawValue,
            placed: AdminPages.timestamp(order.createdAt),
            card: order.cardBrand.map { "\($0) ending \(order.cardLastFour ?? "")" },
            payment: order.payment.map { payment in
                switch payment.state {
                case .authorised where order.idCheckAge > 0 || order.lines.contains { $0.substitute != nil }:
                    "\(payment.authorised.formatted) authorised; captured for what is handed over, at the door"
                case .authorised: "\(payment.authorised.formatted) authorised; captured for what is picked when the order is packed"
                case .capturing: "Capturing \(order.netTotal.formatted): the payment provider has not confirmed it yet"
                case .captured: "\(payment.captured.formatted) captured of \(payment.authorised.formatted) authorised"
                case .failed: "The payment could not be captured: settle it with the customer"
                case .voided: "Authorisation voided: nothing charged"
                }
            },
            paymentFailed: order.payment?.state == .failed,
            idCheck: order.idCheckAge > 0 ? "ID check at delivery: \(order.idCheckAge)+ (\(order.lines.filter { $0.minimumAge > 0 }.map(\.name).joined(separator: ", ")))" : nil,
            deliveryName: order.delivery.name, addressLines: Array(order.delivery.addressLines.dropFirst()), phone: order.delivery.phone,
            lines: order.lines.map { line in
                OrderPage.Line(number: line.number, name: line.name, packSize: line.packSize, sku: line.sku, quantity: line.quantityText,
                               unitPrice: line.weighed == nil ? line.unitPrice.formatted : "\(line.unitPrice.formatted)/kg", lineTotal: line.lineTotal.formatted,
                               picked: Self.picked(line), refunded: line.refundedQuantity,
                               unrefunded: line.quantity - line.refundedQuantity, weighed: line.weighed != nil, countPicked: line.weighed?.mode != .weight,
                               weightRange: line.weighed.map { "\(Weighing.format(grams: $0.acceptableGrams.lowerBound))–\(Weighing.format(grams: $0.acceptableGrams.upperBound))" } ?? "",
                               refundLabel: line.weighed == nil ? "\(line.name) (up to \(line.quantity - line.refundedQuantity))"
                                   : "\(line.name) (weighed: \(line.quantity - line.refundedQuantity) refunds the whole line)",
                               substitution: line.substitute != nil || line.weighed != nil ? nil : Self.describe(line.substitution, suggestions[line.number]),
                               substituteOptions: [ListPage.Option(value: "", label: "No substitute", selected: true)]
                                   + (suggestions[line.number] ?? []).map { ListPage.Option(value: $0.id.publicString, label: "\($0.name), \($0.packSize), \($0.price.formatted)", selected: false) },
                               canSubstitute: !(suggestions[line.number] ?? []).isEmpty,
                               standsIn: line.substitute.map { substitute in
                                   "Substitute for line \(substitute.forLine), \(order.lines.first { $0.number == substitute.forLine }?.name ?? ""): \(substitute.state.rawValue)"
                               },
                               canTakeBack: line.substitute.map { $0.state != .rejected } == true && [.packed, .outForDelivery].contains(order.status)
                                   && member.may(.deliverOrders))
            },
            subtotal: order.subtotal.formatted, deliveryFee: order.deliveryFee.formatted, total: order.total.formatted,
            refunded: order.refunded.minorUnits > 0 ? order.refunded.formatted : nil, netTotal: order.netTotal.formatted,
            steps: steps.map { .init(value: $0.rawValue, label: $0.label, danger: $0 == .cancel || $0 == .refuse) },
            hasSteps: !steps.isEmpty,
            canPack: order.status == .picking && member.may(.pickOrders),
            canRefund: order.status.allowsRefund && member.may(.refundOrders),
            refundKey: RandomToken.make(bytes: 16),
            timeline: order.timeline.map { event in
                OrderPage.Event(at: AdminPages.timestamp(event.at), label: event.status.label, note: event.note,
                                actor: event.actor.hasPrefix("staff:") ? "staff" : event.actor)
            },
            refunds: order.refunds.map { refund in
                OrderPage.Refund(at: AdminPages.timestamp(refund.createdAt), amount: refund.amount.formatted, reason: refund.reason,
                                 state: refund.state.rawValue)
            },
            hasRefunds: !order.refunds.isEmpty
        )
    }

    @Sendable func slip(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let order = try await desk.order(try Self.orderID(context), for: member)
            return try pages.html(orderPage(order, member: member, context: context, request: request), template: "admin-slip", request: request, context: context)
        }
    }

    func addNotes(to page: inout OrderPage, order id: OrderID, member: StaffMember) async throws {
        page.notes = try await desk.notes(on: id, for: member).map { OrderPage.Event(at: AdminPages.timestamp($0.at), label: $0.author, note: $0.text, actor: "") }
        page.canAddNotes = member.may(.addNotes)
    }

    @Sendable func addNote(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let id = try Self.orderID(context)
            do {
                try await desk.addNote(to: id, text: context.formValue("note"), by: member)
                return .redirect(to: "/admin/orders/\(id.publicString)", type: .normal)
            } catch FulfilmentError.invalidNote {
                let order = try await desk.order(id, for: member)
                var page = orderPage(order, member: member, context: context, request: request)
                try await addNotes(to: &page, order: id, member: member)
                page.noteError = FulfilmentError.invalidNote.description
                return try pages.html(page, template: "admin-order", status: .unprocessableContent, request: request, context: context)
            }
        }
    }

    // MARK: - Changes

    @Sendable func step(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let id = try Self.orderID(context)
            guard let transition = OrderTransition(rawValue: context.formValue("transition")), transition != .pack else {
                return try pages.message(request, context, member, status: .badRequest, heading: "Unknown step", message: "Choose one of the order's buttons.")
            }
            try await desk.move(id, transition, expecting: OrderStatus(rawValue: context.formValue("expecting")), by: member)
            return .redirect(to: "/admin/orders/\(id.publicString)", type: .normal)
        }
    }

    @Sendable func pack(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let id = try Self.orderID(context)
            guard let picked = Self.counts(context, prefix: "picked_"), let weights = Self.counts(context, prefix: "weight_") else {
                return try pages.message(request, context, member, status: .unprocessableContent, heading: "That cannot be done",
                                         message: "Enter each quantity picked and each weight in grams as a whole number.")
            }
            var substitutes: [Int: ProductID] = [:]
            for (name, values) in context.form where name.hasPrefix("substitute_") {
                guard let line = Int(name.dropFirst("substitute_".count)), let value = values.first, !value.isEmpty else { continue }
                guard let product = ProductID(publicString: value) else {
                    return try pages.message(request, context, member, status: .unprocessableContent, heading: "That cannot be done", message: "Choose a substitute from the list.")
                }
                substitutes[line] = product
            }
            try await desk.pack(id, picked: picked, weights: weights, substitutes: substitutes, expecting: OrderStatus(rawValue: context.formValue("expecting")), by: member)
            return .redirect(to: "/admin/orders/\(id.publicString)", type: .normal)
        }
    }

    @Sendable func rejectSubstitute(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let id = try Self.orderID(context)
            guard let line = Int(context.parameters.get("line") ?? "") else {
                return try pages.message(request, context, member, status: .notFound, heading: "Not found", message: "The order has no such line.")
            }
            try await desk.rejectSubstitute(id, line: line, by: member)
            return .redirect(to: "/admin/orders/\(id.publicString)", type: .normal)
        }
    }

    @Sendable func refund(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let id = try Self.orderID(context)
            guard let lines = Self.counts(context, prefix: "refund_") else {
                return try pages.message(request, context, member, status: .unprocessableContent, heading: "That cannot be done",
                                         message: "Enter each quantity to refund as a whole number.")
            }
            try await desk.refund(id, lines: lines, delivery: context.formValue("delivery") == "on", reason: context.formValue("reason"),
                                  idempotencyKey: context.formValue("idempotency_key"), by: member)
            return .redirect(to: "/admin/orders/\(id.publicString)", type: .normal)
        }
    }

    // MARK: - Picking

    struct PickingPage: Sendable {
        struct Line: Sendable {
            var aisle: String
            var name: String
            var packSize: String
            var sku: String
            var quantity: String
            var orders: String
        }

        struct Group: Sendable {
            var title: String
            var orderCount: Int
            var orders: String
            var lines: [Line]
        }

        var chrome: AdminPages.Chrome
        var day: String
        var orderCount: Int
        var groups: [Group]
        var hasLines: Bool
    }

    @Sendable func picking(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let text = FormURLEncoded.parse(request.uri.query)["day"]?.first ?? ""
            let asked: Date?
            if text.isEmpty {
                asked = nil
            } else if let parsed = Self.day(text) {
                asked = parsed
            } else {
                return try pages.message(request, context, member, status: .badRequest, heading: "Not a date", message: "Give the day as YYYY-MM-DD.")
            }
            let (day, list) = try await desk.pickingList(day: asked, for: member)
            let page = PickingPage(
                chrome: pages.chrome("Picking list", member, context, request: request), day: String(AdminPages.timestamp(day).prefix(10)),
                orderCount: list.orderNumbers.count,
                groups: list.groups.map { group in
                    PickingPage.Group(title: group.title, orderCount: group.orderNumbers.count, orders: group.orderNumbers.joined(separator: ", "),
                                      lines: group.lines.map { line in
                                          PickingPage.Line(aisle: line.aisleName, name: line.name, packSize: line.packSize, sku: line.sku, quantity: line.amount,
                                                           orders: line.orders.map { "\($0.number) × \($0.amount)" }.joined(separator: ", "))
                                      })
                },
                hasLines: !list.lines.isEmpty
            )
            return try pages.html(page, template: "admin-picking", request: request, context: context)
        }
    }

    // MARK: - Helpers

    static func orderID(_ context: Context) throws -> OrderID {
        guard let id = OrderID(publicString: try context.parameters.require("id")) else { throw FulfilmentError.orderNotFound }
        return id
    }

    /// `prefix<line number>` fields as counts by line number; nil when one is not a whole number.
    /// What was picked of a line: the count, and the weight of loose goods ("3, 560 g"; "1.06 kg").
    static func picked(_ line: OrderLine) -> String {
        guard let count = line.pickedQuantity else { return "–" }
        guard let weighed = line.weighed else { return String(count) }
        let weight = weighed.pickedGrams.map { Weighing.format(grams: $0) }
        if weighed.mode == .weight { return weight ?? (count == 0 ? "0" : "–") }
        return [String(count), weight].compactMap { $0 }.joined(separator: ", ")
    }

    static func counts(_ context: Context, prefix: String) -> [Int: Int]? {
        var counts: [Int: Int] = [:]
        for (name, values) in context.form where name.hasPrefix(prefix) {
            guard let line = Int(name.dropFirst(prefix.count)) else { continue }
            let text = (values.first ?? "").trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let count = Int(text) else { return nil }
            counts[line] = count
        }
        return counts
    }

    /// A `YYYY-MM-DD` day, as midnight UTC.
    static func day(_ text: String) -> Date? {
        guard text.count == 10 else { return nil }
        return try? Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day().dateSeparator(.dash).parse(text)
    }
}
