import Accounts
import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Hummingbird
import Slots
import Web

/// Booking a delivery or collection slot: the days ahead for the shopper's postcode or the
/// collection points, a place held for a while, and letting it go.
public struct SlotsController: Sendable {
    public typealias Context = ShopRequestContext
    let slots: SlotService
    let renderer: PageRenderer
    let shop: ShopSettings
    let chrome: PageChromeBuilder

    /// Creates the controller; what is open or closed follows the slots' clock.
    public init(slots: SlotService, cart: CartService, catalog: CatalogService, renderer: PageRenderer, shop: ShopSettings) {
        self.slots = slots
        self.renderer = renderer
        self.shop = shop
        self.chrome = PageChromeBuilder(catalog: catalog, cart: cart, shop: shop)
    }

    /// Adds the routes to `router`.
    public func addRoutes(to router: Router<Context>) {
        router.get("/slots", use: show)
        router.post("/slots/book", use: book)
        router.post("/slots/release", use: release)
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        let query = FormURLEncoded.parse(request.uri.query)
        let method = FulfilmentMethod(rawValue: query["method"]?.first ?? "") ?? .delivery
        let postcode = (query["postcode"]?.first ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        let booked = query["booked"]?.first == "1"
        return try await page(context: context, customerID: session.customer.internalID, method: method, postcode: postcode,
                              notice: booked ? "Your slot is booked." : nil, error: nil, status: .ok).response(from: request, context: context)
    }

    @Sendable func book(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        let method = FulfilmentMethod(rawValue: context.formValue("method")) ?? .delivery
        let postcode = context.formValue("postcode").trimmingCharacters(in: .whitespaces).uppercased()
        guard let slotID = UUID(publicString: context.formValue("slot_id")) else { throw SlotError.unknownSlot }
        do {
            _ = try await slots.book(slotID, customerID: session.customer.internalID.rawValue)
        } catch let error as SlotError where error == .full || error == .closed {
            return try await page(context: context, customerID: session.customer.internalID, method: method, postcode: postcode, notice: nil,
                                  error: error.description, status: .conflict).response(from: request, context: context)
        }
        if context.formValue("next") == "checkout" { return .redirect(to: "/checkout", type: .normal) }
        return .redirect(to: "/slots?" + Self.query(method: method, postcode: postcode) + "&booked=1", type: .normal)
    }

    @Sendable func release(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        try await slots.cancelHold(customerID: session.customer.internalID.rawValue)
        return .redirect(to: "/slots", type: .normal)
    }

    static func query(method: FulfilmentMethod, postcode: String) -> String {
        "method=\(method.rawValue)" + (postcode.isEmpty ? "" : "&postcode=" + (postcode.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
    }

    private func page(context: Context, customerID: CustomerID, method: FulfilmentMethod, postcode: String, notice: String?, error: String?,
                      status: HTTPResponse.Status) async throws -> HTMLResponse {
        let hold = try await slots.currentHold(customerID: customerID.rawValue)
        let needsPostcode = method == .delivery && postcode.isEmpty
        let choices = needsPostcode ? [] : try await slots.choices(method: method, postcode: postcode)
        let model = SlotsPageModel(
            shop: chrome.shopView,
            meta: PageMeta(title: "Book a slot | \(shop.name)", description: "Choose a delivery or collection slot at \(shop.name).",
                           canonicalURL: "\(shop.publicBaseURL)/slots", noIndex: true),
            header: try await chrome.header(context),
            method: method, postcode: postcode, needsPostcode: needsPostcode, choices: choices, hold: hold,
            timeZone: slots.timeZone, now: slots.now(), notice: notice, error: error
        )
        return HTMLResponse(html: try renderer.render(model, template: "slots"), status: status, privatePage: true)
    }
}

/// A booked slot as the shopper's pages show it.
struct HeldSlotView: Sendable {
    var method: String
    var window: String
    var place: String
    var address: String?
    var heldUntil: String
    var charge: String

    init(_ hold: SlotBooking, timeZone: TimeZone) {
        method = hold.slot.place.method.title
        window = hold.slot.window(in: timeZone)
        place = hold.slot.place.name
        address = hold.slot.place.address.isEmpty ? nil : hold.slot.place.address
        heldUntil = SlotTemplate.clock(Self.minutes(hold.heldUntil, timeZone))
        charge = SlotsPageModel.price(hold.slot)
    }

    static func minutes(_ date: Date, _ timeZone: TimeZone) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
    }
}

/// The slot booking page.
struct SlotsPageModel: Sendable {
    struct SlotView: Sendable {
        var id: String
        var time: String
        var price: String
        var availability: String
        var bookable: Bool
        var mine: Bool
    }
    struct DayView: Sendable {
        var heading: String
        var slots: [SlotView]
    }
    struct PlaceView: Sendable {
        var name: String
        var address: String?
        var days: [DayView]
        var hasDays: Bool
    }

    var shop: ShopView
    var meta: PageMeta
    var header: HeaderModel
    var delivery: Bool
    var method: String
    var postcode: String
    var needsPostcode: Bool
    var places: [PlaceView]
    var noPlaces: Bool
    var hold: HeldSlotView?
    var notice: String?
    var error: String?

    init(shop: ShopView, meta: PageMeta, header: HeaderModel, method: FulfilmentMethod, postcode: String, needsPostcode: Bool,
         choices: [PlaceSlots], hold: SlotBooking?, timeZone: TimeZone, now: Date, notice: String?, error: String?) {
        self.shop = shop
        self.meta = meta
        self.header = header
        delivery = method == .delivery
        self.method = method.rawValue
        self.postcode = postcode
        self.needsPostcode = needsPostcode
        self.hold = hold.map { HeldSlotView($0, timeZone: timeZone) }
        self.notice = notice
        self.error = error
        places = choices.map { choice in
            var days: [DayView] = []
            for slot in choice.slots {
                let (heading, time) = slot.parts(in: timeZone)
                let availability = now >= slot.cutoffAt ? "Closed" : slot.available == 0 ? "Full" : slot.available <= 5 ? "\(slot.available) left" : "Available"
                let view = SlotView(id: slot.id.publicString, time: time, price: Self.price(slot), availability: availability,
                                    bookable: slot.isBookable(at: now), mine: hold?.slot.id == slot.id)
                if days.last?.heading == heading { days[days.count - 1].slots.append(view) } else { days.append(DayView(heading: heading, slots: [view])) }
            }
            return PlaceView(name: choice.place.name, address: choice.place.address.isEmpty ? nil : choice.place.address, days: days, hasDays: !days.isEmpty)
        }
        noPlaces = !needsPostcode && choices.isEmpty
    }

    /// "Free", "£4.50", or "£4.50, free over £80.00".
    static func price(_ slot: Slot) -> String {
        guard slot.price.minorUnits > 0 else { return "Free" }
        return slot.price.formatted + (slot.freeFrom.map { ", free over \($0.formatted)" } ?? "")
    }
}
