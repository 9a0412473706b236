import Foundation
import GoMartModels
import Logging
import SQLKit
import Storage

/// Delivery and collection slots: the places and weekly templates managers set up, the slots
/// generated from them some days ahead, and shoppers' bookings.
///
/// A booking first holds a place for ``holdDuration``; placing the order confirms it inside the
/// order's transaction, and a hold no order confirms is released (by ``releaseLapsedHolds()``,
/// or by the next shopper who finds the slot full). A place is taken with one conditional
/// update (`booked < capacity`), so a slot never takes more bookings than its capacity, however
/// many shoppers and instances race for it.
public struct SlotService: Sendable {
    let database: Database
    /// The shop's currency.
    public let currency: Currency
    /// The shop's time zone: slots are generated and shown in it.
    public let timeZone: TimeZone
    /// How long a booking holds its place before an order must confirm it.
    public let holdDuration: TimeInterval
    /// How many days ahead slots are generated and offered.
    public let daysAhead: Int
    /// Whether orders need a slot.
    public let requirement: SlotRequirement
    let logger: Logger
    /// The slots' clock: which windows are open, holds and cut-offs (the real one outside tests).
    public let now: @Sendable () -> Date

    /// Creates the service.
    public init(
        database: Database, currency: Currency, timeZone: TimeZone = TimeZone(identifier: "Europe/London")!, holdDuration: TimeInterval = 2 * 3_600,
        daysAhead: Int = 7, requirement: SlotRequirement = .required, logger: Logger, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.database = database
        self.currency = currency
        self.timeZone = timeZone
        self.holdDuration = holdDuration
        self.daysAhead = daysAhead
        self.requirement = requirement
        self.logger = logger
        self.now = now
    }

    var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    // MARK: - Places and templates

    /// Every place, delivery areas first, then by name.
    public func places() async throws -> [SlotPlace] {
        try await database.read { sql in
            try await sql.select().column("*").from("slot_places").orderBy("method", .descending).orderBy("name").all().map(Self.place)
        }
    }

    /// Work a caller does in the same transaction as a change (the back office's audit entry).
    public typealias AlsoInTransaction = @Sendable (any SQLDatabase) async throws -> Void

    /// Adds a place (when its id is 0) or changes one; `also` runs in its transaction.
    @discardableResult
    public func save(_ place: SlotPlace, also: AlsoInTransaction? = nil) async throws -> SlotPlace {
        var place = place
        place.code = place.code.trimmingCharacters(in: .whitespaces).lowercased()
        place.name = place.name.trimmingCharacters(in: .whitespaces)
        place.address = place.address.trimmingCharacters(in: .whitespacesAndNewlines)
        place.postcodePrefixes = Array(Set(place.postcodePrefixes.map(SlotPlace.normalise).filter { !$0.isEmpty })).sorted()
        var problems: [String: String] = [:]
        if place.code.isEmpty || place.code.count > 40 || !place.code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
            problems["code"] = "The code must be 1 to 40 letters, digits or hyphens."
        }
        if place.name.isEmpty || place.name.count > 80 { problems["name"] = "The name must be 1 to 80 characters." }
        if place.method == .collection && place.address.isEmpty { problems["address"] = "A collection point needs its address." }
        if place.address.count > 200 { problems["address"] = "The address must be at most 200 characters." }
        if place.postcodePrefixes.contains(where: { $0.count > 8 }) { problems["postcodes"] = "A postcode beginning is at most 8 letters and digits." }
        guard problems.isEmpty else { throw SlotError.invalid(problems) }
        let saved = place
        return try await database.transaction { sql in
            let taken = try await sql.select().column("id").from("slot_places").where("code", .equal, SQLBind(saved.code)).first()
            if let taken, try taken.decode(column: "id", as: Int64.self) != saved.id {
                throw SlotError.invalid(["code": "Another place has the code \(saved.code)."])
            }
            var result = saved
            if saved.id == 0 {
                let row = try await sql.insert(into: "slot_places")
                    .columns("code", "method", "name", "postcode_prefixes", "address", "active")
                    .values(SQLBind(saved.code), SQLBind(saved.method.rawValue), SQLBind(saved.name), SQLBind(saved.postcodePrefixes.joined(separator: " ")),
                            SQLBind(saved.address), SQLBind(saved.active ? 1 : 0))
                    .returning("id").first()
                result.id = try row?.decode(column: "id", as: Int64.self) ?? 0
            } else {
                let row = try await sql.update("slot_places")
                    .set("code", to: SQLBind(saved.code)).set("method", to: SQLBind(saved.method.rawValue)).set("name", to: SQLBind(saved.name))
                    .set("postcode_prefixes", to: SQLBind(saved.postcodePrefixes.joined(separator: " "))).set("address", to: SQLBind(saved.address))
                    .set("active", to: SQLBind(saved.active ? 1 : 0))
                    .where("id", .equal, SQLBind(saved.id)).returning("id").first()
                guard row != nil else { throw SlotError.unknownPlace }
            }
            try await also?(sql)
            return result
        }
    }

    /// The weekly templates, by place, weekday and start.
    public func templates() async throws -> [SlotTemplate] {
        try await database.read { sql in
            try await sql.select().column("*").from("slot_templates").orderBy("place_id").orderBy("weekday").orderBy("start_minute").all().map(Self.template)
        }
    }

    /// Adds a template (id 0) or changes one, then generates the slots it brings. A change
    /// applies to slots generated from now on; slots already generated keep their settings.
    @discardableResult
    public func save(_ template: SlotTemplate, also: AlsoInTransaction? = nil) async throws -> SlotTemplate {
        let saved = try await store([template], also: also)[0]
        try await generate()
        return saved
    }

    /// Adds or changes `templates` in one transaction, without generating slots.
    func store(_ templates: [SlotTemplate], also: AlsoInTransaction? = nil) async throws -> [SlotTemplate] {
        for template in templates {
            let problems = template.problems()
            guard problems.isEmpty else { throw SlotError.invalid(problems) }
        }
        return try await database.transaction { sql -> [SlotTemplate] in
            var stored: [SlotTemplate] = []
            for template in templates {
                guard try await sql.select().column("id").from("slot_places").where("id", .equal, SQLBind(template.placeID)).first() != nil else {
                    throw SlotError.unknownPlace
                }
                var saved = template
                if template.id == 0 {
                    let row = try await sql.insert(into: "slot_templates")
                        .columns("place_id", "weekday", "start_minute", "end_minute", "capacity", "price_minor", "free_from_minor", "cutoff_minutes")
                        .values(SQLBind(template.placeID), SQLBind(template.weekday), SQLBind(template.startMinute), SQLBind(template.endMinute),
                                SQLBind(template.capacity), SQLBind(template.priceMinor), SQLBind(template.freeFromMinor), SQLBind(template.cutoffMinutes))
                        .returning("id").first()
                    saved.id = try row?.decode(column: "id", as: Int64.self) ?? 0
                } else {
                    let row = try await sql.update("slot_templates")
                        .set("place_id", to: SQLBind(template.placeID)).set("weekday", to: SQLBind(template.weekday))
                        .set("start_minute", to: SQLBind(template.startMinute)).set("end_minute", to: SQLBind(template.endMinute))
                        .set("capacity", to: SQLBind(template.capacity)).set("price_minor", to: SQLBind(template.priceMinor))
                        .set("free_from_minor", to: SQLBind(template.freeFromMinor)).set("cutoff_minutes", to: SQLBind(template.cutoffMinutes))
                        .where("id", .equal, SQLBind(template.id)).returning("id").first()
                    guard row != nil else { throw SlotError.invalid(["template": "No such template."]) }
                }
                stored.append(saved)
            }
            try await also?(sql)
            return stored
        }
    }

    /// Deletes a template; its future slots that nobody has booked go with it.
    public func deleteTemplate(id: Int64, also: AlsoInTransaction? = nil) async throws {
        let cutoff = seconds(now())
        try await database.transaction { sql in
            try await sql.raw("""
                DELETE FROM slots WHERE template_id = \(bind: id) AND starts_at > \(bind: cutoff)
                AND NOT EXISTS (SELECT 1 FROM slot_bookings b WHERE b.slot_id = slots.id)
                """).run()
            try await sql.update("slots").set("template_id", to: SQLLiteral.null).where("template_id", .equal, SQLBind(id)).run()
            guard try await sql.delete(from: "slot_templates").where("id", .equal, SQLBind(id)).returning("id").first() != nil else {
                throw SlotError.invalid(["template": "No such template."])
            }
            try await also?(sql)
        }
    }

    /// True when the shop offers slots at all: some active place has a template.
    public func offersSlots() async throws -> Bool {
        try await database.read { sql in
            try await sql.raw("""
                SELECT 1 AS one FROM slot_templates t JOIN slot_places p ON p.id = t.place_id WHERE p.active = 1 LIMIT 1
                """).first() != nil
        }
    }

    /// True when an order must name a slot: the shop requires one and offers slots.
    public func orderNeedsSlot() async throws -> Bool {
        requirement == .required ? try await offersSlots() : false
    }

    // MARK: - Generating slots

    /// Creates the slots of the next ``daysAhead`` days (today included) that active places'
    /// templates call for and that do not exist yet; slots whose cut-off has passed are not
    /// created. Returns how many were created. Running it again creates nothing new.
    @discardableResult
    public func generate() async throws -> Int {
        let calendar = calendar
        let now = now()
        let today = calendar.startOfDay(for: now)
        let templates = try await database.read { sql in
            try await sql.raw("""
                SELECT t.* FROM slot_templates t JOIN slot_places p ON p.id = t.place_id WHERE p.active = 1
                """).all().map(Self.template)
        }
        var rows: [[any SQLExpression]] = []
        for offset in 0..<daysAhead {
            guard let day = calendar.date(byAdding: .day, value: offset, to: today) else { continue }
            // Calendar weekdays run from 1 (Sunday); ISO ones from 1 (Monday).
            let weekday = (calendar.component(.weekday, from: day) + 5) % 7 + 1
            for template in templates where template.weekday == weekday {
                guard let starts = Self.instant(day, minute: template.startMinute, calendar),
                      let ends = Self.instant(day, minute: template.endMinute, calendar) else { continue }
                let cutoff = starts.addingTimeInterval(-TimeInterval(template.cutoffMinutes * 60))
                guard cutoff > now else { continue }
                rows.append([
                    SQLBind(UUID().publicString), SQLBind(template.placeID), SQLBind(template.id), SQLBind(seconds(starts)), SQLBind(seconds(ends)),
                    SQLBind(template.capacity), SQLBind(0), SQLBind(template.priceMinor), SQLBind(template.freeFromMinor), SQLBind(seconds(cutoff)),
                ])
            }
        }
        guard !rows.isEmpty else { return 0 }
        let batches = stride(from: 0, to: rows.count, by: 200).map { Array(rows[$0..<min($0 + 200, rows.count)]) }
        return try await database.transaction { sql in
            var created = 0
            for batch in batches {
                created += try await sql.insert(into: "slots")
                    .columns("public_id", "place_id", "template_id", "starts_at", "ends_at", "capacity", "booked", "price_minor", "free_from_minor", "cutoff_at")
                    .rows(batch)
                    .ignoringConflicts(with: ["place_id", "starts_at"])
                    .returning("id").all().count
            }
            return created
        }
    }

    /// `minute` minutes after midnight on `day`, in the calendar's time zone (24:00 is the next
    /// day's midnight).
    static func instant(_ day: Date, minute: Int, _ calendar: Calendar) -> Date? {
        if minute == 24 * 60 { return calendar.date(byAdding: .day, value: 1, to: day) }
        return calendar.date(bySettingHour: minute / 60, minute: minute % 60, second: 0, of: day)
    }

    // MARK: - Choosing and booking

    /// The slots a shopper can choose from: for `.delivery`, those of the area serving
    /// `postcode` (the longest matching postcode beginning wins; none when no area serves it);
    /// for `.collection`, those of every collection point. From now until ``daysAhead`` days ahead.
    public func choices(method: FulfilmentMethod, postcode: String?) async throws -> [PlaceSlots] {
        let places = try await places().filter { $0.active && $0.method == method }
        let chosen: [SlotPlace]
        if method == .delivery {
            guard let postcode, !SlotPlace.normalise(postcode).isEmpty else { return [] }
            let matches = places.compactMap { place in place.match(postcode: postcode).map { (place, $0) } }
            guard let best = matches.max(by: { $0.1 < $1.1 }) else { return [] }
            chosen = [best.0]
        } else {
            chosen = places
        }
        guard !chosen.isEmpty else { return [] }
        let from = seconds(now())
        let until = from + Int64(daysAhead) * 86_400
        let ids = chosen.map(\.id)
        let slots = try await database.read { sql in
            try await sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("s"))).from(SQLAlias(SQLIdentifier("slots"), as: SQLIdentifier("s")))
                .where(SQLColumn("place_id", table: "s"), .in, SQLBind.group(ids))
                .where(SQLColumn("starts_at", table: "s"), .greaterThan, SQLBind(from))
                .where(SQLColumn("starts_at", table: "s"), .lessThan, SQLBind(until))
                .orderBy(SQLColumn("starts_at", table: "s")).all()
        }
        let byPlace = Dictionary(uniqueKeysWithValues: chosen.map { ($0.id, $0) })
        let decoded = try slots.compactMap { row -> Slot? in
            let placeID = try row.decode(column: "place_id", as: Int64.self)
            return try byPlace[placeID].map { try slot(row, place: $0) }
        }
        return chosen.map { place in PlaceSlots(place: place, slots: decoded.filter { $0.place.id == place.id }) }
    }

    /// One slot by its public id.
    public func slot(id: UUID) async throws -> Slot? {
        try await database.read { sql in try await Self.slotRow(id: id, sql: sql) }.map { try slot($0.row, place: $0.place) }
    }

    /// Books `slotID` for the customer: holds one place for ``holdDuration``. The customer's
    /// earlier hold, if any, is let go in the same transaction. Throws ``SlotError/full``,
    /// ``SlotError/closed`` or ``SlotError/unknownSlot``.
    public func book(_ slotID: UUID, customerID: Int64) async throws -> SlotBooking {
        let now = now()
        let at = seconds(now)
        let heldUntil = seconds(now.addingTimeInterval(holdDuration))
        let bookingID = UUID()
        let row = try await database.transaction { sql -> (row: any SQLRow, place: SlotPlace, booking: UUID) in
            guard let found = try await Self.slotRow(id: slotID, sql: sql), found.place.active else { throw SlotError.unknownSlot }
            let slotKey = try found.row.decode(column: "id", as: Int64.self)
            guard try found.row.decode(column: "cutoff_at", as: Int64.self) > at else { throw SlotError.closed }
            // Lapsed holds on this slot give their places back first.
            try await Self.releaseLapsed(slot: slotKey, at: at, sql: sql)
            // The customer's earlier hold goes. Rows are updated in slot order, so that two
            // shoppers swapping between the same two slots cannot deadlock each other.
            let earlier = try await sql.select().column("id").column("slot_id").from("slot_bookings")
                .where("customer_id", .equal, SQLBind(customerID)).where("state", .equal, SQLBind(SlotBooking.State.held.rawValue)).all()
                .map { (id: try $0.decode(column: "id", as: Int64.self), slot: try $0.decode(column: "slot_id", as: Int64.self)) }
            if let same = earlier.first(where: { $0.slot == slotKey }) {
                // Booking the slot already held renews the hold.
                try await sql.update("slot_bookings").set("held_until", to: SQLBind(heldUntil)).set("updated_at", to: SQLBind(at))
                    .where("id", .equal, SQLBind(same.id)).run()
                for hold in earlier where hold.id != same.id { try await Self.release(booking: hold.id, slot: hold.slot, at: at, sql: sql) }
                return (found.row, found.place, try await Self.publicID(ofBooking: same.id, sql: sql))
            }
            for hold in earlier where hold.slot < slotKey { try await Self.release(booking: hold.id, slot: hold.slot, at: at, sql: sql) }
            let taken = try await sql.update("slots").set("booked", to: SQLRaw("booked + 1"))
                .where("id", .equal, SQLBind(slotKey)).where("booked", .lessThan, SQLColumn("capacity"))
                .returning("id").first()
            for hold in earlier where hold.slot >= slotKey { try await Self.release(booking: hold.id, slot: hold.slot, at: at, sql: sql) }
            guard taken != nil else { throw SlotError.full }
            try await sql.insert(into: "slot_bookings")
                .columns("public_id", "slot_id", "customer_id", "state", "held_until", "created_at", "updated_at")
                .values(SQLBind(bookingID.publicString), SQLBind(slotKey), SQLBind(customerID), SQLBind(SlotBooking.State.held.rawValue),
                        SQLBind(heldUntil), SQLBind(at), SQLBind(at))
                .run()
            guard let fresh = try await Self.slotRow(id: slotID, sql: sql) else { throw SlotError.unknownSlot }
            return (fresh.row, fresh.place, bookingID)
        }
        return SlotBooking(id: row.booking, slot: try slot(row.row, place: row.place), customerID: customerID, state: .held,
                           heldUntil: Date(timeIntervalSince1970: TimeInterval(heldUntil)), orderID: nil)
    }

    /// The customer's live hold: booked, not yet used by an order, and not lapsed.
    public func currentHold(customerID: Int64) async throws -> SlotBooking? {
        let at = seconds(now())
        let found = try await database.read { sql -> (booking: any SQLRow, slot: any SQLRow, place: SlotPlace)? in
            guard let booking = try await sql.select().column("*").from("slot_bookings")
                .where("customer_id", .equal, SQLBind(customerID)).where("state", .equal, SQLBind(SlotBooking.State.held.rawValue))
                .where("held_until", .greaterThanOrEqual, SQLBind(at)).orderBy("id", .descending).first() else { return nil }
            let slotKey = try booking.decode(column: "slot_id", as: Int64.self)
            guard let row = try await sql.select().column("*").from("slots").where("id", .equal, SQLBind(slotKey)).first(),
                  let place = try await Self.place(id: try row.decode(column: "place_id", as: Int64.self), sql: sql) else { return nil }
            return (booking, row, place)
        }
        guard let found else { return nil }
        return try booking(found.booking, slot: try slot(found.slot, place: found.place))
    }

    /// Lets go of the customer's hold, if any.
    public func cancelHold(customerID: Int64) async throws {
        let at = seconds(now())
        try await database.transaction { sql in
            let holds = try await sql.select().column("id").column("slot_id").from("slot_bookings")
                .where("customer_id", .equal, SQLBind(customerID)).where("state", .equal, SQLBind(SlotBooking.State.held.rawValue)).all()
            for hold in holds {
                try await Self.release(booking: try hold.decode(column: "id", as: Int64.self), slot: try hold.decode(column: "slot_id", as: Int64.self), at: at, sql: sql)
            }
        }
    }

    // MARK: - Orders

    /// Confirms the hold `bookingID` of `customerID` for the order `orderID`, inside the order's
    /// transaction `sql`. A delivery slot must serve `postcode`, and the slot's cut-off must not
    /// have passed. Throws ``SlotError/noSlot`` when the hold is gone.
    public func confirm(_ bookingID: UUID, customerID: Int64, orderID: String, postcode: String, in sql: any SQLDatabase) async throws -> SlotBooking {
        let at = seconds(now())
        guard let row = try await sql.select().column("*").from("slot_bookings")
            .where("public_id", .equal, SQLBind(bookingID.publicString)).where("customer_id", .equal, SQLBind(customerID))
            .where("state", .equal, SQLBind(SlotBooking.State.held.rawValue)).first(),
            let slotRow = try await sql.select().column("*").from("slots").where("id", .equal, SQLBind(try row.decode(column: "slot_id", as: Int64.self))).first(),
            let place = try await Self.place(id: try slotRow.decode(column: "place_id", as: Int64.self), sql: sql)
        else { throw SlotError.noSlot }
        let slot = try slot(slotRow, place: place)
        guard seconds(slot.cutoffAt) > at else { throw SlotError.closed }
        guard place.match(postcode: postcode) != nil else { throw SlotError.outsideArea(postcode: postcode) }
        let updated = try await sql.update("slot_bookings")
            .set("state", to: SQLBind(SlotBooking.State.confirmed.rawValue)).set("order_id", to: SQLBind(orderID)).set("updated_at", to: SQLBind(at))
            .where("id", .equal, SQLBind(try row.decode(column: "id", as: Int64.self))).where("state", .equal, SQLBind(SlotBooking.State.held.rawValue))
            .returning("id").first()
        guard updated != nil else { throw SlotError.noSlot }
        var confirmed = try booking(row, slot: slot)
        confirmed.state = .confirmed
        confirmed.orderID = orderID
        return confirmed
    }

    /// Gives the booking of an order whose payment failed back to its customer as a hold, in
    /// the caller's transaction, so that they can pay again without losing the slot. The hold
    /// keeps its original expiry.
    public func returnToHold(orderID: String, in sql: any SQLDatabase) async throws {
        let at = seconds(now())
        try await sql.update("slot_bookings")
            .set("state", to: SQLBind(SlotBooking.State.held.rawValue)).set("order_id", to: SQLLiteral.null).set("updated_at", to: SQLBind(at))
            .where("order_id", .equal, SQLBind(orderID)).where("state", .equal, SQLBind(SlotBooking.State.confirmed.rawValue)).run()
    }

    /// Releases the booking of a cancelled order, in the caller's transaction: its place is free again.
    public func release(orderID: String, in sql: any SQLDatabase) async throws {
        let at = seconds(now())
        let bookings = try await sql.select().column("id").column("slot_id").from("slot_bookings")
            .where("order_id", .equal, SQLBind(orderID)).where("state", .equal, SQLBind(SlotBooking.State.confirmed.rawValue)).all()
        for booking in bookings {
            try await Self.release(booking: try booking.decode(column: "id", as: Int64.self), slot: try booking.decode(column: "slot_id", as: Int64.self),
                                   at: at, sql: sql, from: .confirmed)
        }
    }

    /// Releases every hold that has lapsed; returns how many. The worker runs it every minute.
    @discardableResult
    public func releaseLapsedHolds() async throws -> Int {
        let at = seconds(now())
        return try await database.transaction { sql in
            let slots = try await sql.select().distinct().column("slot_id").from("slot_bookings")
                .where("state", .equal, SQLBind(SlotBooking.State.held.rawValue)).where("held_until", .lessThan, SQLBind(at))
                .orderBy("slot_id").all().map { try $0.decode(column: "slot_id", as: Int64.self) }
            var released = 0
            for slot in slots { released += try await Self.releaseLapsed(slot: slot, at: at, sql: sql) }
            return released
        }
    }

    // MARK: - The back office

    /// Every slot starting in [`from`, `until`), with its place, by start then place.
    public func slots(from: Date, until: Date) async throws -> [Slot] {
        let places = Dictionary(uniqueKeysWithValues: try await places().map { ($0.id, $0) })
        let rows = try await database.read { sql in
            try await sql.select().column("*").from("slots")
                .where("starts_at", .greaterThanOrEqual, SQLBind(seconds(from))).where("starts_at", .lessThan, SQLBind(seconds(until)))
                .orderBy("starts_at").orderBy("place_id").all()
        }
        return try rows.compactMap { row in try places[try row.decode(column: "place_id", as: Int64.self)].map { try slot(row, place: $0) } }
    }

    /// Sets one slot's capacity (at least the places already taken; 0 there closes it).
    public func setCapacity(of slotID: UUID, to capacity: Int, also: AlsoInTransaction? = nil) async throws {
        guard (0...10_000).contains(capacity) else { throw SlotError.invalid(["capacity": "The capacity must be from 0 to 10,000 orders."]) }
        try await database.transaction { sql in
            guard let found = try await Self.slotRow(id: slotID, sql: sql) else { throw SlotError.unknownSlot }
            let booked = try found.row.decode(column: "booked", as: Int.self)
            guard capacity >= booked else {
                throw SlotError.invalid(["capacity": "\(booked) orders are booked in this slot: the capacity cannot go below that."])
            }
            try await sql.update("slots").set("capacity", to: SQLBind(capacity)).where("public_id", .equal, SQLBind(slotID.publicString)).run()
            try await also?(sql)
        }
    }

    // MARK: - Rows

    /// Marks one booking released and gives its place back, if it was still `from`.
    static func release(booking: Int64, slot: Int64, at: Int64, sql: any SQLDatabase, from state: SlotBooking.State = .held) async throws {
        let released = try await sql.update("slot_bookings")
            .set("state", to: SQLBind(SlotBooking.State.released.rawValue)).set("updated_at", to: SQLBind(at))
            .where("id", .equal, SQLBind(booking)).where("state", .equal, SQLBind(state.rawValue))
            .returning("id").first()
        if released != nil {
            try await sql.update("slots").set("booked", to: SQLRaw("booked - 1")).where("id", .equal, SQLBind(slot)).run()
        }
    }

    /// Releases the lapsed holds on one slot; returns how many.
    @discardableResult
    static func releaseLapsed(slot: Int64, at: Int64, sql: any SQLDatabase) async throws -> Int {
        let released = try await sql.update("slot_bookings")
            .set("state", to: SQLBind(SlotBooking.State.released.rawValue)).set("updated_at", to: SQLBind(at))
            .where("slot_id", .equal, SQLBind(slot)).where("state", .equal, SQLBind(SlotBooking.State.held.rawValue))
            .where("held_until", .lessThan, SQLBind(at))
            .returning("id").all().count
        if released > 0 {
            try await sql.update("slots").set("booked", to: SQLRaw("booked - \(released)")).where("id", .equal, SQLBind(slot)).run()
        }
        return released
    }

    static func publicID(ofBooking id: Int64, sql: any SQLDatabase) async throws -> UUID {
        guard let row = try await sql.select().column("public_id").from("slot_bookings").where("id", .equal, SQLBind(id)).first(),
              let publicID = UUID(publicString: try row.decode(column: "public_id", as: String.self)) else { throw SlotError.noSlot }
        return publicID
    }

    static func slotRow(id: UUID, sql: any SQLDatabase) async throws -> (row: any SQLRow, place: SlotPlace)? {
        guard let row = try await sql.select().column("*").from("slots").where("public_id", .equal, SQLBind(id.publicString)).first(),
              let place = try await place(id: try row.decode(column: "place_id", as: Int64.self), sql: sql) else { return nil }
        return (row, place)
    }

    static func place(id: Int64, sql: any SQLDatabase) async throws -> SlotPlace? {
        try await sql.select().column("*").from("slot_places").where("id", .equal, SQLBind(id)).first().map(place)
    }

    static func place(_ row: any SQLRow) throws -> SlotPlace {
        SlotPlace(
            id: try row.decode(column: "id", as: Int64.self), code: try row.decode(column: "code", as: String.self),
            method: FulfilmentMethod(rawValue: try row.decode(column: "method", as: String.self)) ?? .delivery,
            name: try row.decode(column: "name", as: String.self),
            postcodePrefixes: try row.decode(column: "postcode_prefixes", as: String.self).split(separator: " ").map(String.init),
            address: try row.decode(column: "address", as: String.self), active: try row.decode(column: "active", as: Int.self) != 0
        )
    }

    static func template(_ row: any SQLRow) throws -> SlotTemplate {
        SlotTemplate(
            id: try row.decode(column: "id", as: Int64.self), placeID: try row.decode(column: "place_id", as: Int64.self),
            weekday: try row.decode(column: "weekday", as: Int.self), startMinute: try row.decode(column: "start_minute", as: Int.self),
            endMinute: try row.decode(column: "end_minute", as: Int.self), capacity: try row.decode(column: "capacity", as: Int.self),
            priceMinor: try row.decode(column: "price_minor", as: Int64.self), freeFromMinor: try row.decode(column: "free_from_minor", as: Int64?.self),
            cutoffMinutes: try row.decode(column: "cutoff_minutes", as: Int.self)
        )
    }

    func slot(_ row: any SQLRow, place: SlotPlace) throws -> Slot {
        let date = { (column: String) in Date(timeIntervalSince1970: TimeInterval(try row.decode(column: column, as: Int64.self))) }
        guard let id = UUID(publicString: try row.decode(column: "public_id", as: String.self)) else { throw SlotError.unknownSlot }
        return Slot(
            id: id, place: place, startsAt: try date("starts_at"), endsAt: try date("ends_at"),
            capacity: try row.decode(column: "capacity", as: Int.self), booked: try row.decode(column: "booked", as: Int.self),
            price: Money(minorUnits: try row.decode(column: "price_minor", as: Int64.self), currency: currency),
            freeFrom: try row.decode(column: "free_from_minor", as: Int64?.self).map { Money(minorUnits: $0, currency: currency) },
            cutoffAt: try date("cutoff_at")
        )
    }

    func booking(_ row: any SQLRow, slot: Slot) throws -> SlotBooking {
        guard let id = UUID(publicString: try row.decode(column: "public_id", as: String.self)) else { throw SlotError.noSlot }
        return SlotBooking(
            id: id, slot: slot, customerID: try row.decode(column: "customer_id", as: Int64.self),
            state: SlotBooking.State(rawValue: try row.decode(column: "state", as: String.self)) ?? .released,
            heldUntil: Date(timeIntervalSince1970: TimeInterval(try row.decode(column: "held_until", as: Int64.self))),
            orderID: try row.decode(column: "order_id", as: String?.self)
        )
    }
}
