import Accounts
import Foundation
import GoMartModels
import Hummingbird
import Slots
import Web

/// Delivery and collection slots in the JSON API: what can be booked, and the caller's hold.
public struct SlotsAPIController: Sendable {
    public typealias Context = ShopRequestContext
    let slots: SlotService
    let now: @Sendable () -> Date

    /// Creates the controller.
    public init(slots: SlotService, now: @escaping @Sendable () -> Date = Date.init) {
        self.slots = slots
        self.now = now
    }

    /// Adds `GET /api/v1/slots` and `GET|PUT|DELETE /api/v1/me/slot`.
    public func addRoutes(to router: Router<Context>) {
        let api = router.group("api/v1")
        api.get("slots", use: list)
        api.get("me/slot", use: current)
        api.put("me/slot", use: book)
        api.delete("me/slot", use: release)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> SlotChoicesDTO {
        let query = FormURLEncoded.parse(request.uri.query)
        let methodText = query["method"]?.first ?? "delivery"
        guard let method = FulfilmentMethod(rawValue: methodText) else {
            throw HTTPError(.badRequest, message: "method must be delivery or collection.")
        }
        // Without a postcode no delivery area can be chosen: the answer lists none.
        let postcode = query["postcode"]?.first ?? ""
        let at = now()
        let choices = try await slots.choices(method: method, postcode: postcode)
        return SlotChoicesDTO(places: choices.map { choice in
            SlotChoicesDTO.Place(place: choice.place, slots: choice.slots.map { SlotDTO($0, timeZone: slots.timeZone, now: at) })
        })
    }

    @Sendable func current(_ request: Request, context: Context) async throws -> SlotBookingDTO {
        let session = try context.requireSession()
        guard let hold = try await slots.currentHold(customerID: session.customer.internalID.rawValue) else {
            throw HTTPError(.notFound, message: "No slot is held: book one with PUT /api/v1/me/slot.")
        }
        return SlotBookingDTO(hold, timeZone: slots.timeZone, now: now())
    }

    struct BookRequest: Decodable, Sendable {
        var slotId: String
    }

    @Sendable func book(_ request: Request, context: Context) async throws -> SlotBookingDTO {
        let session = try context.requireSession()
        let body = try await request.decode(as: BookRequest.self, context: context)
        guard let id = UUID(publicString: body.slotId) else { throw SlotError.unknownSlot }
        return SlotBookingDTO(try await slots.book(id, customerID: session.customer.internalID.rawValue), timeZone: slots.timeZone, now: now())
    }

    @Sendable func release(_ request: Request, context: Context) async throws -> HTTPResponse.Status {
        let session = try context.requireSession()
        try await slots.cancelHold(customerID: session.customer.internalID.rawValue)
        return .noContent
    }
}

/// One bookable window.
struct SlotDTO: Encodable, Sendable {
    var id: String
    var startsAt: Date
    var endsAt: Date
    /// The window in words in the shop's time zone.
    var window: String
    var price: MoneyDTO
    var freeFrom: MoneyDTO?
    var available: Int
    var bookable: Bool
    var bookingClosesAt: Date

    init(_ slot: Slot, timeZone: TimeZone, now: Date) {
        id = slot.id.publicString
        startsAt = slot.startsAt
        endsAt = slot.endsAt
        window = slot.window(in: timeZone)
        price = MoneyDTO(slot.price)
        freeFrom = slot.freeFrom.map(MoneyDTO.init)
        available = slot.available
        bookable = slot.isBookable(at: now)
        bookingClosesAt = slot.cutoffAt
    }
}

/// A delivery area or collection point as shoppers see it.
struct SlotPlaceDTO: Encodable, Sendable {
    var code: String
    var name: String
    var method: String
    var address: String?

    init(_ place: SlotPlace) {
        code = place.code
        name = place.name
        method = place.method.rawValue
        address = place.address.isEmpty ? nil : place.address
    }
}

/// The places serving a request and their slots.
struct SlotChoicesDTO: ResponseEncodable, Sendable {
    struct Place: Encodable, Sendable {
        var code: String
        var name: String
        var method: String
        var address: String?
        var slots: [SlotDTO]

        init(place: SlotPlace, slots: [SlotDTO]) {
            let dto = SlotPlaceDTO(place)
            code = dto.code
            name = dto.name
            method = dto.method
            address = dto.address
            self.slots = slots
        }
    }

    var places: [Place]
}

/// The caller's hold on a slot.
struct SlotBookingDTO: ResponseEncodable, Sendable {
    var id: String
    var place: SlotPlaceDTO
    var slot: SlotDTO
    var heldUntil: Date

    init(_ booking: SlotBooking, timeZone: TimeZone, now: Date) {
        id = booking.id.publicString
        place = SlotPlaceDTO(booking.slot.place)
        slot = SlotDTO(booking.slot, timeZone: timeZone, now: now)
        heldUntil = booking.heldUntil
    }
}
