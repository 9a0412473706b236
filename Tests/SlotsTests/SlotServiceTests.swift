import Foundation
import GoMartModels
import SQLKit
import Slots
import Storage
import TestSupport
import Testing

/// A slot service over `database` with a clock tests move; the clock starts on Friday
/// 15 January 2027, 08:00 in London.
func makeSlots(_ database: Database, clock: TestAccounts.Clock, requirement: SlotRequirement = .required) -> SlotService {
    SlotService(database: database, currency: .gbp, holdDuration: 2 * 3_600, daysAhead: 3, requirement: requirement,
                logger: TestDatabase.logger, now: { clock.now })
}

/// A delivery area for `prefixes` with one window a day, 10:00–12:00, of `capacity` orders.
@discardableResult
func area(_ slots: SlotService, code: String = "central", prefixes: [String] = ["SW1", "EC"], capacity: Int = 2, cutoffMinutes: Int = 60) async throws -> SlotPlace {
    let place = try await slots.save(SlotPlace(code: code, method: .delivery, name: "Area \(code)", postcodePrefixes: prefixes))
    for weekday in 1...7 {
        try await slots.save(SlotTemplate(placeID: place.id, weekday: weekday, startMinute: 10 * 60, endMinute: 12 * 60, capacity: capacity,
                                          priceMinor: 350, freeFromMinor: 50_00, cutoffMinutes: cutoffMinutes))
    }
    return place
}

func bookedCount(_ slot: UUID, _ slots: SlotService) async throws -> Int {
    try #require(try await slots.slot(id: slot)).booked
}

@Suite struct SlotGenerationTests {
    @Test func templatesBecomeSlotsForTheDaysAheadOnceInTheShopsTimeZone() async throws {
        let database = try await TestDatabase.migrated()
        let clock = TestAccounts.Clock()
        let slots = makeSlots(database, clock: clock)
        let place = try await area(slots)
        // Today's 10:00 window closes at 09:00 (a cut-off of an hour), after now (08:00): three days, three slots.
        #expect(try await slots.generate() == 0)
        let all = try await slots.slots(from: clock.now, until: clock.now.addingTimeInterval(10 * 86_400))
        #expect(all.map { $0.window(in: slots.timeZone) } == [
            "Friday 15 January, 10:00–12:00", "Saturday 16 January, 10:00–12:00", "Sunday 17 January, 10:00–12:00",
        ])
        #expect(all.allSatisfy { $0.place == place && $0.capacity == 2 && $0.booked == 0 && $0.price.minorUnits == 350 })
        #expect(all.first?.cutoffAt == all.first?.startsAt.addingTimeInterval(-3_600))

        // A day later, one more day comes into view; today's window has passed its cut-off by 09:30.
        clock.advance(by: 86_400 + 5_400)
        #expect(try await slots.generate() == 1)
        #expect(try await slots.generate() == 0)
        await database.close()
    }

    @Test func summerTimeIsTheShopsClockNotUTC() async throws {
        let database = try await TestDatabase.migrated()
        let clock = TestAccounts.Clock()
        clock.advance(by: 150 * 86_400) // mid-June 2027: London is on UTC+1
        let slots = makeSlots(database, clock: clock)
        try await area(slots)
        // 09:00 in London: today's 10:00 window has closed (an hour's cut-off); tomorrow's is the first.
        let first = try #require(try await slots.slots(from: clock.now, until: clock.now.addingTimeInterval(2 * 86_400)).first)
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        #expect(utc.component(.hour, from: first.startsAt) == 9)
        #expect(first.window(in: slots.timeZone).hasSuffix("10:00–12:00"))
        await database.close()
    }

    @Test func badTemplatesAreRefusedWithEveryReason() async throws {
        let database = try await TestDatabase.migrated()
        let slots = makeSlots(database, clock: TestAccounts.Clock())
        let place = try await slots.save(SlotPlace(code: "north", method: .delivery, name: "North"))
        let bad = SlotTemplate(placeID: place.id, weekday: 8, startMinute: 600, endMinute: 600, capacity: 0, priceMinor: -1, cutoffMinutes: -5)
        await #expect(throws: SlotError.invalid([
            "weekday": "Choose a day of the week.", "end": "The end must be after the start, at most 24:00.",
            "capacity": "The capacity must be from 1 to 10,000 orders.", "price": "The price must be from 0 to 1,000.00.",
            "cutoff": "The cut-off must be from 0 minutes to 14 days before the start.",
        ])) { try await slots.save(bad) }
        await #expect(throws: SlotError.invalid(["address": "A collection point needs its address."])) {
            try await slots.save(SlotPlace(code: "shop", method: .collection, name: "Shop"))
        }
        #expect(SlotTemplate.minutes("8:30") == 510)
        #expect(SlotTemplate.minutes("24:00") == 1_440)
        #expect(SlotTemplate.minutes("24:01") == nil)
        #expect(SlotTemplate.minutes("8.30") == nil)
        await database.close()
    }
}

@Suite struct SlotChoiceTests {
    @Test func theLongestPostcodeBeginningDecidesTheAreaAndCollectionPointsServeEveryone() async throws {
        let database = try await TestDatabase.migrated()
        let slots = makeSlots(database, clock: TestAccounts.Clock())
        let wide = try await area(slots, code: "wide", prefixes: ["SW"])
        let narrow = try await area(slots, code: "narrow", prefixes: ["SW1A"])
        let store = try await slots.save(SlotPlace(code: "store", method: .collection, name: "Store", address: "1 High Street"))
        try await slots.save(SlotTemplate(placeID: store.id, weekday: 5, startMinute: 14 * 60, endMinute: 16 * 60, capacity: 5, priceMinor: 0,
                                          cutoffMinutes: 60))

        #expect(try await slots.choices(method: .delivery, postcode: "sw1a 1aa").map(\.place) == [narrow])
        #expect(try await slots.choices(method: .delivery, postcode: "SW19 2AB").map(\.place) == [wide])
        #expect(try await slots.choices(method: .delivery, postcode: "M1 1AA").isEmpty)
        let collection = try await slots.choices(method: .collection, postcode: nil)
        #expect(collection.map(\.place) == [store])
        #expect(collection.first?.slots.count == 1)
        await database.close()
    }
}

@Suite struct SlotBookingTests {
    @Test func aBookingHoldsAPlaceAndABookingElsewhereLetsItGo() async throws {
        let database = try await TestDatabase.migrated()
        let clock = TestAccounts.Clock()
        let slots = makeSlots(database, clock: clock)
        try await area(slots)
        let days = try #require(try await slots.choices(method: .delivery, postcode: "SW1A 1AA").first).slots
        let (friday, saturday) = (days[0].id, days[1].id)

        let held = try await slots.book(friday, customerID: 1)
        #expect(held.state == .held)
        #expect(held.heldUntil == clock.now.addingTimeInterval(7_200))
        #expect(try await bookedCount(friday, slots) == 1)
        #expect(try await slots.currentHold(customerID: 1)?.id == held.id)

        // Booking the same slot again renews the hold instead of taking a second place.
        clock.advance(by: 60)
        let renewed = try await slots.book(friday, customerID: 1)
        #expect(renewed.id == held.id)
        #expect(renewed.heldUntil == clock.now.addingTimeInterval(7_200))
        #expect(try await bookedCount(friday, slots) == 1)

        _ = try await slots.book(saturday, customerID: 1)
        #expect(try await bookedCount(friday, slots) == 0)
        #expect(try await bookedCount(saturday, slots) == 1)
        try await slots.cancelHold(customerID: 1)
        #expect(try await bookedCount(saturday, slots) == 0)
        #expect(try await slots.currentHold(customerID: 1) == nil)
        await database.close()
    }

    @Test func aFullSlotAndAClosedSlotAreRefused() async throws {
        let database = try await TestDatabase.migrated()
        let clock = TestAccounts.Clock()
        let slots = makeSlots(database, clock: clock)
        try await area(slots, capacity: 1)
        let friday = try #require(try await slots.choices(method: .delivery, postcode: "EC1A 1AA").first?.slots.first).id
        _ = try await slots.book(friday, customerID: 1)
        await #expect(throws: SlotError.full) { try await slots.book(friday, customerID: 2) }
        clock.advance(by: 3_600) // 09:00: the cut-off
        await #expect(throws: SlotError.closed) { try await slots.book(friday, customerID: 3) }
        await #expect(throws: SlotError.unknownSlot) { try await slots.book(UUID(), customerID: 3) }
        await database.close()
    }

    @Test func aLapsedHoldGivesItsPlaceBack() async throws {
        let database = try await TestDatabase.migrated()
        let clock = TestAccounts.Clock()
        let slots = makeSlots(database, clock: clock)
        try await area(slots, capacity: 1, cutoffMinutes: 0)
        let saturday = try #require(try await slots.choices(method: .delivery, postcode: "EC1A 1AA").first?.slots[1]).id
        _ = try await slots.book(saturday, customerID: 1)
        clock.advance(by: 7_201)
        #expect(try await slots.currentHold(customerID: 1) == nil)
        // The next shopper finds the slot full only on paper: the lapsed hold goes first.
        _ = try await slots.book(saturday, customerID: 2)
        #expect(try await bookedCount(saturday, slots) == 1)
        clock.advance(by: 7_201)
        #expect(try await slots.releaseLapsedHolds() == 1)
        #expect(try await slots.releaseLapsedHolds() == 0)
        #expect(try await bookedCount(saturday, slots) == 0)
        await database.close()
    }

    @Test func anOrderConfirmsItsHoldForAnAddressTheAreaServes() async throws {
        let database = try await TestDatabase.migrated()
        let clock = TestAccounts.Clock()
        let slots = makeSlots(database, clock: clock)
        try await area(slots)
        let saturday = try #require(try await slots.choices(method: .delivery, postcode: "EC1A 1AA").first?.slots[1]).id
        let hold = try await slots.book(saturday, customerID: 7)

        await #expect(throws: SlotError.outsideArea(postcode: "M1 1AA")) {
            try await database.transaction { sql in try await slots.confirm(hold.id, customerID: 7, orderID: "order-1", postcode: "M1 1AA", in: sql) }
        }
        await #expect(throws: SlotError.noSlot) {
            try await database.transaction { sql in try await slots.confirm(hold.id, customerID: 8, orderID: "order-1", postcode: "EC1A 1AA", in: sql) }
        }
        let confirmed = try await database.transaction { sql in try await slots.confirm(hold.id, customerID: 7, orderID: "order-1", postcode: "EC1A 1AA", in: sql) }
        #expect(confirmed.state == .confirmed)
        #expect(confirmed.orderID == "order-1")
        #expect(try await slots.currentHold(customerID: 7) == nil)
        // A confirmed booking never lapses.
        clock.advance(by: 7_201)
        #expect(try await slots.releaseLapsedHolds() == 0)
        #expect(try await bookedCount(saturday, slots) == 1)

        // A failed payment gives the hold back; a cancelled order frees the place.
        try await database.transaction { sql in try await slots.returnToHold(orderID: "order-1", in: sql) }
        let again = try await database.transaction { sql in try await slots.confirm(hold.id, customerID: 7, orderID: "order-2", postcode: "EC1A 1AA", in: sql) }
        #expect(again.orderID == "order-2")
        try await database.transaction { sql in try await slots.release(orderID: "order-2", in: sql) }
        #expect(try await bookedCount(saturday, slots) == 0)
        await database.close()
    }
}

/// Two shop instances over one database: two connection pools (two SQLite connections to one
/// file, or two PostgreSQL pools on one schema).
func twoInstances() async throws -> (first: Database, second: Database, directory: URL?) {
    if let url = TestDatabase.postgresURL {
        let schema = try await TestDatabase.makeSchema()
        let open = { TestDatabase.running(try await Database.open(url: .postgres(url: url), postgresSearchPath: schema, postgresMaxConnections: 8, logger: TestDatabase.logger)) }
        let first = try await open()
        try await Migrator(migrations: TestDatabase.migrations).migrate(first, logger: TestDatabase.logger)
        return (first, try await open(), nil)
    }
    let (first, directory) = try await TestDatabase.migratedFile()
    let second = TestDatabase.running(try await Database.open(url: .sqliteFile(path: directory.appendingPathComponent("test.sqlite").path), logger: TestDatabase.logger))
    return (first, second, directory)
}

@Suite struct SlotRaceTests {
    @Test func fiveHundredShoppersOnTwoInstancesRacingForTwentyPlacesMakeExactlyTwentyBookings() async throws {
        let (first, second, directory) = try await twoInstances()
        let clock = TestAccounts.Clock()
        let instances = [makeSlots(first, clock: clock), makeSlots(second, clock: clock)]
        try await area(instances[0], capacity: 20)
        let slot = try #require(try await instances[1].choices(method: .delivery, postcode: "SW1A 1AA").first?.slots.first).id

        let outcomes = await withTaskGroup(of: String.self) { group in
            for shopper in 1...500 {
                group.addTask {
                    do {
                        _ = try await instances[shopper % 2].book(slot, customerID: Int64(shopper))
                        return "booked"
                    } catch let error as SlotError {
                        return error == .full ? "full" : "\(error)"
                    } catch {
                        return "error: \(error)"
                    }
                }
            }
            var counts: [String: Int] = [:]
            for await outcome in group { counts[outcome, default: 0] += 1 }
            return counts
        }
        #expect(outcomes == ["booked": 20, "full": 480])
        #expect(try await bookedCount(slot, instances[0]) == 20)
        let holds = try await first.read { sql in
            try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("slot_bookings")
                .where("state", .equal, SQLBind("held")).first()?.decode(column: "n", as: Int.self)
        }
        #expect(holds == 20)
        await second.close()
        await first.close()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }
}
