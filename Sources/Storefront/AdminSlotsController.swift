import BackOffice
import Foundation
import GoMartModels
import Hummingbird
import Slots
import Web

/// The back office's slots: delivery areas and collection points, their weekly windows, and the
/// coming slots with how full each is (capacity can be changed per slot).
public struct AdminSlotsController: Sendable {
    public typealias Context = ShopRequestContext
    let desk: SlotDesk
    let pages: AdminPages

    public init(desk: SlotDesk, staff: StaffService, renderer: PageRenderer, shop: ShopSettings) {
        self.desk = desk
        self.pages = AdminPages(staff: staff, renderer: renderer, shop: shop)
    }

    public func addRoutes(to router: Router<Context>) {
        router.get("/admin/slots", use: show)
        router.post("/admin/slots/places", use: savePlace)
        router.post("/admin/slots/templates", use: addTemplate)
        router.post("/admin/slots/templates/:id/delete", use: deleteTemplate)
        router.post("/admin/slots/:slot/capacity", use: setCapacity)
    }

    struct PlaceRow: Sendable {
        var id: Int64
        var code: String
        var name: String
        var delivery: Bool
        var kind: String
        var postcodes: String
        var address: String
        var active: Bool
        var templates: [TemplateRow]
        var hasTemplates: Bool
    }

    struct TemplateRow: Sendable {
        var id: Int64
        var weekday: String
        var window: String
        var capacity: Int
        var price: String
        var freeFrom: String
        var cutoff: String
    }

    struct SlotRow: Sendable {
        var id: String
        var time: String
        var place: String
        var booked: Int
        var capacity: Int
        /// How full, 0–100, for the bar.
        var percent: Int
        var full: Bool
    }

    struct DayRow: Sendable {
        var heading: String
        var slots: [SlotRow]
    }

    struct Weekday: Sendable {
        var number: Int
        var name: String
    }

    struct Page: Sendable {
        var chrome: AdminPages.Chrome
        var places: [PlaceRow]
        var hasPlaces: Bool
        var days: [DayRow]
        var hasDays: Bool
        var weekdays: [Weekday]
        var timeZone: String
        var daysAhead: Int
        var notice: String?
        var error: String?
    }

    private func page(_ request: Request, _ context: Context, _ member: StaffMember, notice: String? = nil, error: String? = nil,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let (places, templates, coming) = try await desk.overview(for: member)
        let timeZone = desk.slots.timeZone
        let money = { (minor: Int64) in Money(minorUnits: minor, currency: desk.slots.currency).formatted }
        let rows = places.map { place in
            let own = templates.filter { $0.placeID == place.id }.map { template in
                TemplateRow(id: template.id, weekday: SlotTemplate.weekdayNames[template.weekday - 1],
                            window: "\(SlotTemplate.clock(template.startMinute))–\(SlotTemplate.clock(template.endMinute))", capacity: template.capacity,
                            price: template.priceMinor == 0 ? "Free" : money(template.priceMinor), freeFrom: template.freeFromMinor.map(money) ?? "—",
                            cutoff: Self.duration(minutes: template.cutoffMinutes))
            }
            return PlaceRow(id: place.id, code: place.code, name: place.name, delivery: place.method == .delivery,
                            kind: place.method == .delivery ? "Delivery area" : "Collection point", postcodes: place.postcodePrefixes.joined(separator: " "),
                            address: place.address, active: place.active, templates: own, hasTemplates: !own.isEmpty)
        }
        var days: [DayRow] = []
        for slot in coming {
            let (day, hours) = slot.parts(in: timeZone)
            let row = SlotRow(id: slot.id.publicString, time: hours, place: slot.place.name, booked: slot.booked, capacity: slot.capacity,
                              percent: slot.capacity == 0 ? 100 : min(100, slot.booked * 100 / slot.capacity), full: slot.available == 0)
            if days.last?.heading == day { days[days.count - 1].slots.append(row) } else { days.append(DayRow(heading: day, slots: [row])) }
        }
        let model = Page(
            chrome: pages.chrome("Slots", member, context, request: request), places: rows, hasPlaces: !rows.isEmpty, days: days, hasDays: !days.isEmpty,
            weekdays: SlotTemplate.weekdayNames.enumerated().map { Weekday(number: $0 + 1, name: $1) },
            timeZone: timeZone.identifier, daysAhead: desk.slots.daysAhead, notice: notice, error: error
        )
        return try pages.html(model, template: "admin-slots", status: status, request: request, context: context)
    }

    /// "12 hours", "4 hours 30 minutes", "45 minutes".
    static func duration(minutes: Int) -> String {
        let hours = minutes / 60, rest = minutes % 60
        let hourText = hours == 0 ? nil : hours == 1 ? "1 hour" : "\(hours) hours"
        let minuteText = rest == 0 ? nil : rest == 1 ? "1 minute" : "\(rest) minutes"
        return [hourText, minuteText].compactMap { $0 }.joined(separator: " ").isEmpty ? "none" : [hourText, minuteText].compactMap { $0 }.joined(separator: " ")
    }

    /// Runs `change`; a refused change shows the page again with why (422), and a done one
    /// redirects to the page with `done` as the notice.
    private func change(_ request: Request, _ context: Context, done: String,
                        _ change: @escaping @Sendable (StaffMember) async throws -> Void) async throws -> Response {
        try await pages.page(request, context) { member in
            do {
                try await change(member)
            } catch let error as SlotError {
                return try await page(request, context, member, error: error.description,
                                      status: error == .unknownSlot || error == .unknownPlace ? .notFound : .unprocessableContent)
            }
            return .redirect(to: "/admin/slots?done=" + (done.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""), type: .normal)
        }
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let done = FormURLEncoded.parse(request.uri.query)["done"]?.first
            return try await page(request, context, member, notice: done.flatMap { Self.notices.contains($0) ? $0 : nil })
        }
    }

    static let notices: Set<String> = ["Place saved.", "Window added.", "Window deleted.", "Capacity changed."]

    @Sendable func savePlace(_ request: Request, context: Context) async throws -> Response {
        let place = SlotPlace(
            id: Int64(context.formValue("id")) ?? 0, code: context.formValue("code"),
            method: FulfilmentMethod(rawValue: context.formValue("method")) ?? .delivery, name: context.formValue("name"),
            postcodePrefixes: context.formValue("postcodes").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init),
            address: context.formValue("address"), active: context.formValue("active") == "on"
        )
        return try await change(request, context, done: "Place saved.") { member in _ = try await desk.save(place, by: member) }
    }

    @Sendable func addTemplate(_ request: Request, context: Context) async throws -> Response {
        let currency = desk.slots.currency
        var problems: [String: String] = [:]
        let start = SlotTemplate.minutes(context.formValue("start"))
        let end = SlotTemplate.minutes(context.formValue("end"))
        if start == nil { problems["start"] = "The start must be a time such as 08:00." }
        if end == nil { problems["end"] = "The end must be a time such as 10:00." }
        let price = context.formValue("price").isEmpty ? Money(minorUnits: 0, currency: currency) : Money(decimal: context.formValue("price"), currency: currency)
        if price == nil { problems["price"] = "The price must be an amount such as 4.50." }
        let freeText = context.formValue("free_from")
        let freeFrom = freeText.isEmpty ? nil : Money(decimal: freeText, currency: currency)
        if !freeText.isEmpty && freeFrom == nil { problems["free_from"] = "Free from must be an amount such as 40.00, or left empty." }
        let cutoff = Int(context.formValue("cutoff_hours"))
        if cutoff == nil { problems["cutoff"] = "The cut-off must be a whole number of hours." }
        let template = SlotTemplate(
            placeID: Int64(context.formValue("place_id")) ?? 0, weekday: Int(context.formValue("weekday")) ?? 0, startMinute: start ?? 0,
            endMinute: end ?? 0, capacity: Int(context.formValue("capacity")) ?? 0, priceMinor: price?.minorUnits ?? 0,
            freeFromMinor: freeFrom?.minorUnits, cutoffMinutes: (cutoff ?? 0) * 60
        )
        let known = problems
        return try await change(request, context, done: "Window added.") { member in
            guard known.isEmpty else { throw SlotError.invalid(known) }
            _ = try await desk.save(template, by: member)
        }
    }

    @Sendable func deleteTemplate(_ request: Request, context: Context) async throws -> Response {
        let id = Int64(try context.parameters.require("id")) ?? 0
        return try await change(request, context, done: "Window deleted.") { member in try await desk.deleteTemplate(id, by: member) }
    }

    @Sendable func setCapacity(_ request: Request, context: Context) async throws -> Response {
        let slot = UUID(publicString: try context.parameters.require("slot"))
        let capacity = Int(context.formValue("capacity"))
        return try await change(request, context, done: "Capacity changed.") { member in
            guard let slot else { throw SlotError.unknownSlot }
            guard let capacity else { throw SlotError.invalid(["capacity": "The capacity must be a whole number of orders."]) }
            try await desk.setCapacity(of: slot, to: capacity, by: member)
        }
    }
}
