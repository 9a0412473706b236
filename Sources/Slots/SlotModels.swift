import Foundation
import GoMartModels

/// How an order reaches the shopper.
public enum FulfilmentMethod: String, Sendable, Hashable, CaseIterable, Codable {
    /// A driver brings it to the shopper's address in a delivery area.
    case delivery
    /// The shopper collects it from a collection point.
    case collection

    /// "Delivery" or "Collection".
    public var title: String { self == .delivery ? "Delivery" : "Collection" }
}

/// Where slots are offered: a delivery area (by postcode prefixes) or a collection point.
public struct SlotPlace: Sendable, Hashable {
    /// The internal key.
    public var id: Int64
    /// A short stable name for addresses and forms, e.g. `central` or `market-street`.
    public var code: String
    /// Delivery area or collection point.
    public var method: FulfilmentMethod
    /// What shoppers read, e.g. "Central London" or "Market Street store".
    public var name: String
    /// For a delivery area, the postcode beginnings it serves (upper case, without spaces, e.g.
    /// `SW1`, `EC`); none means every postcode. Unused for a collection point.
    public var postcodePrefixes: [String]
    /// For a collection point, where it is; empty for a delivery area.
    public var address: String
    /// Inactive places offer no new slots (their booked slots stand).
    public var active: Bool

    /// Creates a place.
    public init(id: Int64 = 0, code: String, method: FulfilmentMethod, name: String, postcodePrefixes: [String] = [], address: String = "", active: Bool = true) {
        self.id = id
        self.code = code
        self.method = method
        self.name = name
        self.postcodePrefixes = postcodePrefixes
        self.address = address
        self.active = active
    }

    /// How long the prefix of this area that matches `postcode` is, or nil when the area does
    /// not serve it (a collection point serves everyone, with length 0). The longest match
    /// decides which area delivers to an address.
    public func match(postcode: String) -> Int? {
        guard method == .delivery else { return 0 }
        let normalised = Self.normalise(postcode)
        if postcodePrefixes.isEmpty { return 0 }
        return postcodePrefixes.filter { normalised.hasPrefix($0) }.map(\.count).max()
    }

    /// A postcode or prefix as compared: upper case, letters and digits only.
    public static func normalise(_ postcode: String) -> String {
        String(postcode.uppercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) })
    }
}

/// A weekly pattern a place's slots are generated from: one window on one weekday.
public struct SlotTemplate: Sendable, Hashable {
    /// The internal key (0 for a new template).
    public var id: Int64
    /// The place it belongs to.
    public var placeID: Int64
    /// ISO weekday: 1 is Monday, 7 is Sunday.
    public var weekday: Int
    /// When the window opens, in minutes after local midnight.
    public var startMinute: Int
    /// When it closes, in minutes after local midnight (after the start, at most 24:00).
    public var endMinute: Int
    /// Orders the window takes.
    public var capacity: Int
    /// What the window costs the shopper, in minor units.
    public var priceMinor: Int64
    /// Goods worth at least this (minor units) make the window free; nil: never free.
    public var freeFromMinor: Int64?
    /// How long before the window opens booking and amending close, in minutes.
    public var cutoffMinutes: Int

    /// Creates a template.
    public init(id: Int64 = 0, placeID: Int64, weekday: Int, startMinute: Int, endMinute: Int, capacity: Int, priceMinor: Int64,
                freeFromMinor: Int64? = nil, cutoffMinutes: Int = 12 * 60) {
        self.id = id
        self.placeID = placeID
        self.weekday = weekday
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.capacity = capacity
        self.priceMinor = priceMinor
        self.freeFromMinor = freeFromMinor
        self.cutoffMinutes = cutoffMinutes
    }

    /// Every problem with the template, in words, keyed by field.
    public func problems() -> [String: String] {
        var problems: [String: String] = [:]
        if !(1...7).contains(weekday) { problems["weekday"] = "Choose a day of the week." }
        if !(0..<(24 * 60)).contains(startMinute) { problems["start"] = "The start must be a time of day, such as 08:00." }
        if !(1...(24 * 60)).contains(endMinute) || endMinute <= startMinute { problems["end"] = "The end must be after the start, at most 24:00." }
        if !(1...10_000).contains(capacity) { problems["capacity"] = "The capacity must be from 1 to 10,000 orders." }
        if !(0...100_000).contains(priceMinor) { problems["price"] = "The price must be from 0 to 1,000.00." }
        if let freeFromMinor, !(0...100_000_000).contains(freeFromMinor) { problems["free_from"] = "The free-from amount must be from 0 to 1,000,000.00." }
        if !(0...(14 * 24 * 60)).contains(cutoffMinutes) { problems["cutoff"] = "The cut-off must be from 0 minutes to 14 days before the start." }
        return problems
    }

    /// "08:00" for a number of minutes after midnight.
    public static func clock(_ minutes: Int) -> String {
        let hours = minutes / 60, rest = minutes % 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (rest < 10 ? "0" : "") + "\(rest)"
    }

    /// Minutes after midnight for "08:00" or "8:00"; "24:00" is the end of the day.
    public static func minutes(_ text: String) -> Int? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let hours = Int(parts[0]), let minutes = Int(parts[1]), minutes < 60, hours * 60 + minutes <= 24 * 60 else { return nil }
        return hours * 60 + minutes
    }

    /// Monday to Sunday, by ISO weekday.
    public static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
}

/// One bookable window on one day at one place.
public struct Slot: Sendable, Hashable, Identifiable {
    /// The public identifier.
    public var id: UUID
    /// Where it is offered.
    public var place: SlotPlace
    /// When the window opens and closes.
    public var startsAt: Date
    public var endsAt: Date
    /// Orders it takes, and places taken (held or confirmed).
    public var capacity: Int
    public var booked: Int
    /// Its price, and the goods' value from which it is free (nil: never free).
    public var price: Money
    public var freeFrom: Money?
    /// After this, it can no longer be booked, and its orders can no longer be changed.
    public var cutoffAt: Date

    /// Places left.
    public var available: Int { max(capacity - booked, 0) }

    /// True when a shopper may book it at `now`.
    public func isBookable(at now: Date) -> Bool { available > 0 && now < cutoffAt }

    /// The window in words in `timeZone`, e.g. "Tuesday 1 December, 08:00–10:00".
    public func window(in timeZone: TimeZone) -> String {
        Self.window(from: startsAt, to: endsAt, in: timeZone)
    }

    /// A window in words in `timeZone`, e.g. "Tuesday 1 December, 08:00–10:00".
    public static func window(from start: Date, to end: Date, in timeZone: TimeZone) -> String {
        let (day, hours) = parts(from: start, to: end, in: timeZone)
        return "\(day), \(hours)"
    }

    /// The window's day and hours in `timeZone`, e.g. ("Tuesday 1 December", "08:00–10:00").
    public func parts(in timeZone: TimeZone) -> (day: String, hours: String) {
        Self.parts(from: startsAt, to: endsAt, in: timeZone)
    }

    /// A moment in words in `timeZone`, e.g. "Tuesday 1 December, 08:00".
    public static func moment(_ date: Date, in timeZone: TimeZone) -> String {
        let (day, hours) = parts(from: date, to: date, in: timeZone)
        return "\(day), \(hours.prefix(5))"
    }

    /// A window's day and hours in `timeZone`, e.g. ("Tuesday 1 December", "08:00–10:00").
    public static func parts(from start: Date, to end: Date, in timeZone: TimeZone) -> (day: String, hours: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .day, .month, .hour, .minute], from: start)
        let endParts = calendar.dateComponents([.hour, .minute, .day], from: end)
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let weekday = SlotTemplate.weekdayNames[((parts.weekday ?? 2) + 5) % 7]
        let endMinute = endParts.day != parts.day && endParts.hour == 0 && endParts.minute == 0 ? 24 * 60 : (endParts.hour ?? 0) * 60 + (endParts.minute ?? 0)
        return ("\(weekday) \(parts.day ?? 1) \(months[(parts.month ?? 1) - 1])",
                "\(SlotTemplate.clock((parts.hour ?? 0) * 60 + (parts.minute ?? 0)))–\(SlotTemplate.clock(endMinute))")
    }

    /// What the slot costs for goods worth `goods`.
    public func charge(forGoods goods: Money) -> Money {
        if let freeFrom, goods.minorUnits >= freeFrom.minorUnits { return Money(minorUnits: 0, currency: price.currency) }
        return price
    }
}

/// A shopper's hold on a place in a slot, then the order's booking.
public struct SlotBooking: Sendable, Hashable {
    /// Held for a while before checkout, confirmed by an order, or released.
    public enum State: String, Sendable, Hashable {
        case held, confirmed, released
    }

    /// The public identifier.
    public var id: UUID
    /// The slot booked.
    public var slot: Slot
    /// The customer's internal id.
    public var customerID: Int64
    /// Where it stands.
    public var state: State
    /// A hold lapses at this time unless an order confirms it first.
    public var heldUntil: Date
    /// The order it was confirmed for.
    public var orderID: String?
}

/// The slots a shopper can choose from for one place.
public struct PlaceSlots: Sendable {
    /// The place.
    public var place: SlotPlace
    /// Its slots in the days shown, earliest first, bookable or not.
    public var slots: [Slot]
}

/// Why a slot cannot be booked or an order cannot use it.
public enum SlotError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No such slot (or it belongs to no active place).
    case unknownSlot
    /// Every place in it is taken.
    case full
    /// Its cut-off has passed.
    case closed
    /// The slot's delivery area does not serve the postcode.
    case outsideArea(postcode: String)
    /// The shop asks for a slot and the shopper holds none (never booked, or the hold lapsed).
    case noSlot
    /// A setting is out of range (field to message).
    case invalid([String: String])
    /// No such place.
    case unknownPlace

    public var description: String {
        switch self {
        case .unknownSlot: "This slot is not available."
        case .full: "Sorry, that slot has just been fully booked. Please choose another."
        case .closed: "Booking for that slot has closed. Please choose another."
        case .outsideArea(let postcode): "The slot you booked does not deliver to \(postcode). Please book a slot for this address."
        case .noSlot: "Please book a delivery or collection slot first: your slot hold may have run out."
        case .invalid(let problems): problems.sorted { $0.key < $1.key }.map(\.value).joined(separator: " ")
        case .unknownPlace: "No such delivery area or collection point."
        }
    }
}

/// Whether orders need a slot.
public enum SlotRequirement: String, Sendable, Hashable {
    /// Every order needs a booked slot, once the shop offers slots at all.
    case required
    /// A slot is the shopper's choice; orders without one go by standard delivery at the
    /// shop's flat delivery charge.
    case optional
}
