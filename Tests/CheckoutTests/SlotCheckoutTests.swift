import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Payments
import Pricing
import Slots
import Storage
import TestSupport
import Testing

/// A shop offering one delivery area (postcodes SW1…) with a 10:00–12:00 window of two orders
/// a day at £3.50, free from £50, and a customer with three of a product in their cart.
func shopWithSlots(_ requirement: SlotRequirement = .required) async throws -> (shop: TestShop, customer: CustomerID, product: Product, slots: [Slot]) {
    let shop = try await TestShop.make(slotRequirement: requirement)
    let slots = shop.checkout.slots
    let place = try await slots.save(SlotPlace(code: "central", method: .delivery, name: "Central", postcodePrefixes: ["SW1"]))
    for weekday in 1...7 {
        try await slots.save(SlotTemplate(placeID: place.id, weekday: weekday, startMinute: 600, endMinute: 720, capacity: 2,
                                          priceMinor: 350, freeFromMinor: 50_00, cutoffMinutes: 60))
    }
    let customer = try #require(try await shop.makeCustomers(1).first)
    let product = try await shop.product()
    try await shop.cart.add(productID: product.id, quantity: 3, to: .customer(id: customer))
    let offered = try #require(try await slots.choices(method: .delivery, postcode: "SW1A 1AA").first).slots
    return (shop, customer, product, offered)
}

@Suite struct SlotCheckoutTests {
    @Test func anOrderNeedsASlotPaysItsPriceAndConfirmsIt() async throws {
        let (shop, customer, product, offered) = try await shopWithSlots()
        do {
            _ = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "slot-key-1")
            Issue.record("an order without a slot was placed")
        } catch CheckoutError.slot(let error) {
            #expect(error == .noSlot)
        }

        _ = try await shop.checkout.slots.book(offered[0].id, customerID: customer.rawValue)
        let quote = try await shop.checkout.validateCart(of: .customer(id: customer))
        let goods = product.price.minorUnits * 3
        #expect(quote.deliveryFee.minorUnits == (goods >= 50_00 ? 0 : 350))
        #expect(quote.quote.adjustments.map(\.label) == ["Delivery, Friday 15 January, 10:00–12:00" + (goods >= 50_00 ? " (free)" : "")])

        let placed = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "slot-key-2")
        #expect(placed.order.total == quote.total)
        #expect(placed.order.slot == OrderSlot(method: .delivery, slotID: offered[0].id.publicString, place: "Central", startsAt: offered[0].startsAt,
                                               endsAt: offered[0].endsAt, window: "Friday 15 January, 10:00–12:00"))
        #expect(try await shop.checkout.slots.slot(id: offered[0].id)?.booked == 1)
        #expect(try await shop.checkout.slots.currentHold(customerID: customer.rawValue) == nil)

        // Cancelling the order frees its place.
        try await shop.fulfilment.move(placed.order.id, .cancel, by: .customer, customerID: customer)
        #expect(try await shop.checkout.slots.slot(id: offered[0].id)?.booked == 0)
        await shop.close()
    }

    @Test func aDeclinedCardKeepsTheSlotHeldForTheNextAttempt() async throws {
        let (shop, customer, _, offered) = try await shopWithSlots()
        let hold = try await shop.checkout.slots.book(offered[1].id, customerID: customer.rawValue)
        await #expect(throws: CheckoutError.self) {
            try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: card("4000000000000002"), idempotencyKey: "declined-slot")
        }
        #expect(try await shop.checkout.slots.currentHold(customerID: customer.rawValue)?.id == hold.id)
        #expect(try await shop.checkout.slots.slot(id: offered[1].id)?.booked == 1)
        let placed = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "second-try")
        #expect(placed.order.slot?.slotID == offered[1].id.publicString)
        #expect(try await shop.checkout.slots.slot(id: offered[1].id)?.booked == 1)
        await shop.close()
    }

    @Test func anAddressOutsideTheSlotsAreaIsRefusedAndNothingIsWritten() async throws {
        let (shop, customer, product, offered) = try await shopWithSlots()
        _ = try await shop.checkout.slots.book(offered[0].id, customerID: customer.rawValue)
        let elsewhere = DeliveryDetails(name: "Ada Lovelace", line1: "1 Deansgate", city: "Manchester", postcode: "M1 1AA", phone: "07700 900123")
        do {
            _ = try await shop.checkout.placeOrder(customerID: customer, delivery: elsewhere, card: goodCard, idempotencyKey: "elsewhere-key")
            Issue.record("an order outside the area was placed")
        } catch CheckoutError.invalidFields(let fields) {
            #expect(fields == ["postcode": "The slot you booked does not deliver to M1 1AA. Please book a slot for this address."])
        }
        #expect(try await shop.checkout.orders(customerID: customer).isEmpty)
        #expect(try await shop.stock(of: product) == product.stock)
        await shop.close()
    }

    @Test func aLapsedAndReleasedHoldIsRefusedAtCheckout() async throws {
        let (shop, customer, _, offered) = try await shopWithSlots()
        _ = try await shop.checkout.slots.book(offered[1].id, customerID: customer.rawValue)
        shop.clock.advance(by: 2 * 3_600 + 1)
        try await shop.checkout.slots.releaseLapsedHolds()
        do {
            _ = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "lapsed-key")
            Issue.record("an order without a slot was placed")
        } catch CheckoutError.slot(let error) {
            #expect(error == .noSlot)
        }
        await shop.close()
    }

    @Test func withSlotsOptionalAnOrderWithoutOneGoesByStandardDelivery() async throws {
        let (shop, customer, product, _) = try await shopWithSlots(.optional)
        let placed = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "standard-key")
        let goods = product.price.minorUnits * 3
        #expect(placed.order.slot == nil)
        #expect(placed.order.deliveryFee.minorUnits == (goods >= 40_00 ? 0 : 399))
        await shop.close()
    }

    @Test func pickingListsGroupTheDaysOrdersBySlotThenStandardDelivery() async throws {
        let (shop, slotted, product, offered) = try await shopWithSlots(.optional)
        let standard = try #require(try await shop.makeCustomers(1).first)
        try await shop.cart.add(productID: product.id, quantity: 2, to: .customer(id: standard))
        _ = try await shop.checkout.slots.book(offered[1].id, customerID: slotted.rawValue)
        let saturday = try await shop.checkout.placeOrder(customerID: slotted, delivery: delivery, card: goodCard, idempotencyKey: "saturday-key")
        let friday = try await shop.checkout.placeOrder(customerID: standard, delivery: delivery, card: goodCard, idempotencyKey: "friday-key")

        let today = try await shop.fulfilment.pickingList(day: shop.clock.now)
        #expect(today.groups.map(\.title) == ["Standard delivery (no slot), paid this day"])
        #expect(today.groups.map(\.orderNumbers) == [[friday.order.number]])
        let tomorrow = try await shop.fulfilment.pickingList(day: shop.clock.now.addingTimeInterval(86_400))
        #expect(tomorrow.groups.map(\.title) == ["Delivery 10:00–12:00, Central"])
        #expect(tomorrow.groups.first?.startsAt == offered[1].startsAt)
        #expect(tomorrow.groups.first?.lines.map(\.quantity) == [3])
        #expect(tomorrow.orderNumbers == [saturday.order.number])
        await shop.close()
    }
}
