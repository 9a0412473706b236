import BackOffice
import Catalog
import Foundation
import GoMartModels
import Hummingbird
import Pricing
import Promotions
import Web

/// The back office's offers and voucher codes: what runs, what is coming and what ended, a form
/// for each (with start and end times in the shop's time zone), and ending one early.
public struct AdminPromotionsController: Sendable {
    public typealias Context = ShopRequestContext
    let desk: PromotionDesk
    let catalog: CatalogService
    let pages: AdminPages
    let shop: ShopSettings

    /// Creates the controller.
    public init(desk: PromotionDesk, catalog: CatalogService, staff: StaffService, renderer: PageRenderer, shop: ShopSettings) {
        self.desk = desk
        self.catalog = catalog
        self.pages = AdminPages(staff: staff, renderer: renderer, shop: shop)
        self.shop = shop
    }

    /// Adds the routes under `/admin`.
    public func addRoutes(to router: Router<Context>) {
        router.get("/admin/offers", use: offers)
        router.post("/admin/offers", use: createOffer)
        router.post("/admin/offers/:id/end", use: endOffer)
        router.get("/admin/vouchers", use: vouchers)
        router.post("/admin/vouchers", use: createVoucher)
        router.post("/admin/vouchers/:code/end", use: endVoucher)
    }

    // MARK: - Offers

    struct OffersPage: Sendable {
        struct Row: Sendable {
            var id: String
            var label: String
            var kind: String
            var terms: String
            var goods: String
            var starts: String
            var ends: String
            var state: String
            var endable: Bool
        }

        struct Option: Sendable {
            var value: String
            var label: String
            var selected: Bool
        }

        var chrome: AdminPages.Chrome
        var rows: [Row]
        var hasRows: Bool
        var showingEnded: Bool
        var kinds: [Option]
        /// The aisle choices of each group (a meal deal's three courses).
        var aisles1: [Option]
        var aisles2: [Option]
        var aisles3: [Option]
        var form: [String: String]
        var errors: [String]
        var hasErrors: Bool
        var timeZone: String
    }

    @Sendable func offers(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let showingEnded = request.uri.queryParameters["ended"] == "1"
            return try pages.html(try await offersPage(member, context, request, showingEnded: showingEnded), template: "admin-offers",
                                  request: request, context: context)
        }
    }

    func offersPage(_ member: StaffMember, _ context: Context, _ request: Request, showingEnded: Bool = false, form: [String: String] = [:],
                    errors: [String] = []) async throws -> OffersPage {
        let offers = try await desk.offers(for: member, includingEnded: showingEnded)
        let names = try await productNames(offers.flatMap { $0.groups.flatMap(\.products) })
        let aisles = try await catalog.aisles()
        let now = Date()
        let kind = form["kind"] ?? OfferKind.multiBuy.rawValue
        let choices = (1...3).map { group in
            [OffersPage.Option(value: "", label: "No aisle", selected: (form["aisle\(group)"] ?? "").isEmpty)]
                + aisles.map { OffersPage.Option(value: $0.slug, label: $0.name, selected: form["aisle\(group)"] == $0.slug) }
        }
        return OffersPage(
            chrome: pages.chrome("Offers", member, context, request: request),
            rows: offers.map { offer in
                OffersPage.Row(
                    id: offer.id, label: offer.label, kind: offer.kindName, terms: offer.badge,
                    goods: offer.groups.map { describe($0, names: names, aisles: aisles) }.joined(separator: " + "),
                    starts: AdminPages.timestamp(offer.startsAt), ends: AdminPages.timestamp(offer.endsAt),
                    state: offer.state(at: now).rawValue, endable: offer.state(at: now) != .ended
                )
            },
            hasRows: !offers.isEmpty, showingEnded: showingEnded,
            kinds: OfferKind.allCases.map { OffersPage.Option(value: $0.rawValue, label: $0.title, selected: $0.rawValue == kind) },
            aisles1: choices[0], aisles2: choices[1], aisles3: choices[2],
            form: form, errors: errors, hasErrors: !errors.isEmpty, timeZone: shop.timeZone.identifier
        )
    }

    @Sendable func createOffer(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let fields = ["label", "kind", "buy", "pay", "count", "price", "percent", "amount", "products1", "aisle1", "products2", "aisle2",
                          "products3", "aisle3", "starts_at", "ends_at"]
            let form = Dictionary(uniqueKeysWithValues: fields.map { ($0, String(context.formValue($0).prefix(2_000))) })
            do {
                try await desk.createOffer(try await draft(form, member: member), by: member)
                return .redirect(to: "/admin/offers", type: .normal)
            } catch let error as PromotionsError {
                guard case .invalidFields(let problems) = error else { throw error }
                return try pages.html(try await offersPage(member, context, request, form: form, errors: problems.sorted { $0.key < $1.key }.map(\.value)),
                                      template: "admin-offers", status: .unprocessableContent, request: request, context: context)
            }
        }
    }

    /// The offer a form describes; fields that cannot be read are ``PromotionsError/invalidFields(_:)``.
    func draft(_ form: [String: String], member: StaffMember) async throws -> OfferDraft {
        var problems: [String: String] = [:]
        let kind = OfferKind(rawValue: form["kind"] ?? "") ?? .multiBuy
        func number(_ field: String, _ name: String) -> Int {
            guard let value = Int((form[field] ?? "").trimmingCharacters(in: .whitespaces)) else {
                problems[field] = "give \(name) as a whole number"
                return 0
            }
            return value
        }
        func money(_ field: String, _ name: String) -> Money {
            guard let value = Money(decimal: (form[field] ?? "").trimmingCharacters(in: .whitespaces), currency: catalog.currency) else {
                problems[field] = "give \(name) in pounds and pence, e.g. 2.50"
                return Money(minorUnits: 0, currency: catalog.currency)
            }
            return value
        }
        let rule: Offer.Rule = switch kind {
        case .multiBuy: .multiBuy(buy: number("buy", "how many to buy"), pay: number("pay", "how many to pay for"))
        case .bundle: .bundle(count: number("count", "how many"), price: money("price", "the price"))
        case .percentOff: .percentOff(number("percent", "the percentage"))
        case .amountOff: .amountOff(money("amount", "the amount off"))
        case .mealDeal: .mealDeal(price: money("price", "the price"))
        }
        // A meal deal's courses are groups 1 to 3 (a course left empty is left out); every other
        // kind takes group 1.
        let groupCount = kind == .mealDeal ? 3 : 1
        var groups: [Offer.Scope] = []
        let aisles = Set(try await catalog.aisles().map(\.slug))
        for index in 1...groupCount {
            let skus = (form["products\(index)"] ?? "").uppercased()
                .split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }).map(String.init)
            let aisle = form["aisle\(index)"] ?? ""
            if skus.isEmpty && aisle.isEmpty { continue }
            let found = try await desk.products(skus: skus, for: member)
            let unknown = skus.filter { found[$0] == nil }
            if !unknown.isEmpty { problems["products\(index)"] = "no product has the SKU \(unknown.joined(separator: ", "))" }
            if !aisle.isEmpty, !aisles.contains(aisle) { problems["aisle\(index)"] = "choose an aisle from the list" }
            groups.append(Offer.Scope(products: Set(found.values), aisles: aisle.isEmpty ? [] : [aisle]))
        }
        let startsAt = localTime(form["starts_at"]) ?? { problems["starts_at"] = "give the start as a date and time"; return Date() }()
        let endsAt = localTime(form["ends_at"]) ?? { problems["ends_at"] = "give the end as a date and time"; return Date() }()
        guard problems.isEmpty else { throw PromotionsError.invalidFields(problems) }
        return OfferDraft(label: form["label"] ?? "", rule: rule, groups: groups, startsAt: startsAt, endsAt: endsAt)
    }

    @Sendable func endOffer(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            try await desk.endOffer(id: try context.parameters.require("id"), by: member)
            return .redirect(to: "/admin/offers", type: .normal)
        }
    }

    // MARK: - Vouchers

    struct VouchersPage: Sendable {
        struct Row: Sendable {
            var code: String
            var label: String
            var value: String
            var minimumSpend: String
            var starts: String
            var ends: String
            var uses: String
            var state: String
            var endable: Bool
        }

        var chrome: AdminPages.Chrome
        var rows: [Row]
        var hasRows: Bool
        var form: [String: String]
        var percentSelected: Bool
        var errors: [String]
        var hasErrors: Bool
        var timeZone: String
    }

    @Sendable func vouchers(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            try pages.html(try await vouchersPage(member, context, request), template: "admin-vouchers", request: request, context: context)
        }
    }

    func vouchersPage(_ member: StaffMember, _ context: Context, _ request: Request, form: [String: String] = [:],
                      errors: [String] = []) async throws -> VouchersPage {
        let vouchers = try await desk.vouchers(for: member)
        let now = Date()
        return VouchersPage(
            chrome: pages.chrome("Vouchers", member, context, request: request),
            rows: vouchers.map { voucher in
                VouchersPage.Row(
                    code: voucher.code, label: voucher.label, value: voucher.valueText, minimumSpend: voucher.minimumSpend.formatted,
                    starts: AdminPages.timestamp(voucher.startsAt), ends: AdminPages.timestamp(voucher.endsAt),
                    uses: "\(voucher.used) of \(voucher.maximumUses.map(String.init) ?? "unlimited")"
                        + (voucher.usesPerCustomer.map { ", \($0) per customer" } ?? ""),
                    state: voucher.state(at: now).rawValue, endable: voucher.state(at: now) != .ended
                )
            },
            hasRows: !vouchers.isEmpty, form: form, percentSelected: form["kind"] == "percent_off", errors: errors, hasErrors: !errors.isEmpty,
            timeZone: shop.timeZone.identifier
        )
    }

    @Sendable func createVoucher(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let fields = ["code", "label", "kind", "value", "minimum_spend", "starts_at", "ends_at", "maximum_uses", "uses_per_customer"]
            let form = Dictionary(uniqueKeysWithValues: fields.map { ($0, String(context.formValue($0).prefix(200))) })
            do {
                try await desk.createVoucher(try voucherDraft(form), by: member)
                return .redirect(to: "/admin/vouchers", type: .normal)
            } catch let error as PromotionsError {
                guard case .invalidFields(let problems) = error else { throw error }
                return try pages.html(try await vouchersPage(member, context, request, form: form, errors: problems.sorted { $0.key < $1.key }.map(\.value)),
                                      template: "admin-vouchers", status: .unprocessableContent, request: request, context: context)
            }
        }
    }

    /// The voucher a form describes; fields that cannot be read are ``PromotionsError/invalidFields(_:)``.
    func voucherDraft(_ form: [String: String]) throws -> VoucherDraft {
        var problems: [String: String] = [:]
        let text = { (field: String) in (form[field] ?? "").trimmingCharacters(in: .whitespaces) }
        let value: Voucher.Value
        if text("kind") == "percent_off" {
            value = .percentOff(Int(text("value")) ?? { problems["value"] = "give the percentage as a whole number"; return 0 }())
        } else {
            value = .amountOff(Money(decimal: text("value"), currency: catalog.currency)
                ?? { problems["value"] = "give the amount off in pounds and pence, e.g. 5.00"; return Money(minorUnits: 0, currency: catalog.currency) }())
        }
        let minimum = text("minimum_spend").isEmpty ? Money(minorUnits: 0, currency: catalog.currency)
            : Money(decimal: text("minimum_spend"), currency: catalog.currency)
                ?? { problems["minimum_spend"] = "give the minimum spend in pounds and pence, or leave it empty"; return Money(minorUnits: 0, currency: catalog.currency) }()
        func limit(_ field: String) -> Int? {
            guard !text(field).isEmpty else { return nil }
            guard let value = Int(text(field)) else { problems[field] = "give a whole number, or leave it empty for no limit"; return nil }
            return value
        }
        let maximumUses = limit("maximum_uses")
        let perCustomer = limit("uses_per_customer")
        let startsAt = localTime(form["starts_at"]) ?? { problems["starts_at"] = "give the start as a date and time"; return Date() }()
        let endsAt = localTime(form["ends_at"]) ?? { problems["ends_at"] = "give the end as a date and time"; return Date() }()
        guard problems.isEmpty else { throw PromotionsError.invalidFields(problems) }
        return VoucherDraft(code: text("code"), label: text("label"), value: value, minimumSpend: minimum, startsAt: startsAt, endsAt: endsAt,
                            maximumUses: maximumUses, usesPerCustomer: perCustomer)
    }

    @Sendable func endVoucher(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            try await desk.endVoucher(code: try context.parameters.require("code"), by: member)
            return .redirect(to: "/admin/vouchers", type: .normal)
        }
    }

    // MARK: - Shared

    /// A `datetime-local` field's value (`2026-12-01T09:00`) in the shop's time zone, or nil.
    func localTime(_ text: String?) -> Date? {
        guard let text, text.count >= 16 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = shop.timeZone
        let parts = text.prefix(16).split(whereSeparator: { $0 == "-" || $0 == "T" || $0 == ":" }).compactMap { Int($0) }
        guard parts.count == 5, (1...12).contains(parts[1]), (1...31).contains(parts[2]), (0...23).contains(parts[3]), (0...59).contains(parts[4]) else {
            return nil
        }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4]))
    }

    /// What a group of an offer takes, in words: "all of Bakery, Greek Style Natural Yoghurt (DE-0062)".
    private func describe(_ group: Offer.Scope, names: [ProductID: String], aisles: [Aisle]) -> String {
        let aisleNames: [String] = group.aisles.sorted().map { slug in "all of " + (aisles.first { $0.slug == slug }?.name ?? slug) }
        let productNames: [String] = group.products.compactMap { names[$0] }.sorted()
        return (aisleNames + productNames).joined(separator: ", ")
    }

    private func productNames(_ ids: [ProductID]) async throws -> [ProductID: String] {
        try await catalog.currentProducts(ids: ids).mapValues { "\($0.name) (\($0.sku))" }
    }
}
