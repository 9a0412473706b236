import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Pricing
import Promotions
import Slots
import SQLKit
import Storage
import TestSupport
import Testing

extension TestShop {
    /// An offer running from now for a week.
    @discardableResult
    func offer(_ label: String, _ rule: Offer.Rule, on products: [Product], startingIn seconds: TimeInterval = 0) async throws -> StoredOffer {
        try await promotions.createOffer(OfferDraft(label: label, rule: rule, groups: [Offer.Scope(products: Set(products.map(\.id)))],
                                                    startsAt: clock.now.addingTimeInterval(seconds), endsAt: clock.now.addingTimeInterval(7 * 86_400)),
                                         by: "test")
    }

    /// A voucher for `amount` off from `minimum`, running from now for a week.
    @discardableResult
    func voucher(_ code: String, amount: Int64, minimum: Int64, uses: Int? = nil, perCustomer: Int? = 1) async throws -> StoredVoucher {
        try await promotions.createVoucher(VoucherDraft(code: code, label: "\(Money(minorUnits: amount, currency: .gbp).formatted) off",
                                                        value: .amountOff(Money(minorUnits: amount, currency: .gbp)),
                                                        minimumSpend: Money(minorUnits: minimum, currency: .gbp), startsAt: clock.now,
                                                        endsAt: clock.now.addingTimeInterval(7 * 86_400), maximumUses: uses, usesPerCustomer: perCustomer),
                                           by: "test")
    }

    func used(_ code: String) async throws -> Int {
        try #require(try await promotions.vouchers().first { $0.code == code }).used
    }

    func count(_ table: String) async throws -> Int {
        try await database.read { sql in try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first(decodingColumn: "n", as: Int.self) ?? 0 }
    }
}

@Suite struct PromotionTests {
    @Test func offersAndAVoucherPriceTheCartTheOrderAndWhatARefundGivesBack() async throws {
        let shop = try await TestShop.make(slotRequirement: .optional)
        let customer = try #require(try await shop.makeCustomers(1).first)
        let yoghurt = try await shop.product(minimumStock: 10)
        let other = try await shop.product(minimumStock: 10, skip: 1)
        try await shop.offer("3 for 2 on yoghurt", .multiBuy(buy: 3, pay: 2), on: [yoghurt])
        try await shop.voucher("TAKE1", amount: 100, minimum: 100)
        let owner = CartOwner.customer(id: customer)
        try await shop.cart.add(productID: yoghurt.id, quantity: 3, to: owner)
        try await shop.cart.add(productID: other.id, quantity: 1, to: owner)
        try await shop.cart.applyVoucher(code: " take1 ", to: owner)

        let cart = try await shop.cart.cart(for: owner)
        let shelf = yoghurt.price.minorUnits * 3 + other.price.minorUnits
        #expect(cart.voucherCode == "TAKE1")
        #expect(cart.quote.subtotal.minorUnits == shelf)
        #expect(cart.quote.adjustments.filter { $0.kind == .discount }.map(\.label) == ["3 for 2 on yoghurt", "Voucher TAKE1: £1.00 off"])
        #expect(cart.quote.savings.minorUnits == yoghurt.price.minorUnits + 100)
        #expect(cart.lines.map(\.saving.minorUnits) == [yoghurt.price.minorUnits, 0])

        let placed = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "promo-order-1")
        let order = placed.order
        // The order keeps what the cart said: the same total, the savings by name, the voucher used once.
        #expect(order.total == cart.total)
        #expect(order.savings.map(\.amount.minorUnits) == [-yoghurt.price.minorUnits, -100])
        #expect(order.saved.minorUnits == yoghurt.price.minorUnits + 100)
        #expect(order.voucherCode == "TAKE1")
        #expect(order.lines.map(\.saving) == [yoghurt.price.minorUnits, 0])
        #expect(try await shop.used("TAKE1") == 1)
        #expect(try await shop.cart.cart(for: owner).voucherCode == nil)

        // One yoghurt not found: it gives back what it cost after its third of the offer.
        try await shop.fulfilment.move(order.id, .startPicking, expecting: .paid, by: picker)
        let yoghurtLine = try #require(order.lines.first { $0.productID == yoghurt.id })
        let packed = try await shop.fulfilment.pack(order.id, picked: [yoghurtLine.number: 2], by: picker)
        #expect(packed.refunded.minorUnits == yoghurt.price.minorUnits - yoghurt.price.minorUnits / 3)
        await shop.close()
    }

    @Test func aVoucherLimitedToTenUsesIsUsedTenTimesByFiftyCheckoutsAtOnce() async throws {
        let shop = try await TestShop.make(onFile: true, slotRequirement: .optional)
        let customers = try await shop.makeCustomers(50)
        let product = try await shop.product(minimumStock: 60)
        try await shop.voucher("TEN", amount: 50, minimum: 0, uses: 10)
        for customer in customers {
            try await shop.cart.add(productID: product.id, quantity: 1, to: .customer(id: customer))
            try await shop.cart.applyVoucher(code: "TEN", to: .customer(id: customer))
        }
        let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
            for (index, customer) in customers.enumerated() {
                group.addTask {
                    do {
                        let placed = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard,
                                                                        idempotencyKey: "voucher-race-\(index)")
                        return placed.order.voucherCode ?? "placed without the voucher"
                    } catch let error as CheckoutError {
                        // Refused at validation (the uses were gone) or at the conditional update (gone meanwhile): the same words.
                        return String(String(describing: error).prefix(54))
                    }
                }
            }
            var outcomes: [String] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.filter { $0 == "TEN" }.count == 10)
        #expect(outcomes.filter { $0 == "Voucher TEN has been used as many times as it allows." }.count == 40)
        #expect(try await shop.used("TEN") == 10)
        #expect(try await shop.count("voucher_redemptions") == 10)
        // A refused checkout wrote nothing: no order, and its stock is still on the shelf.
        #expect(try await shop.count("orders") == 10)
        #expect(try await shop.stock(of: product) == product.stock - 10)
        await shop.close()
    }

    @Test func aCustomerUsesAVoucherAsOftenAsItAllowsAndADeclinedOrderGivesItsUseBack() async throws {
        let shop = try await TestShop.make(slotRequirement: .optional)
        let customer = try #require(try await shop.makeCustomers(1).first)
        let owner = CartOwner.customer(id: customer)
        let product = try await shop.product(minimumStock: 10)
        try await shop.voucher("ONCE", amount: 50, minimum: 0)
        try await shop.cart.add(productID: product.id, quantity: 1, to: owner)
        try await shop.cart.applyVoucher(code: "ONCE", to: owner)
        await #expect(throws: CheckoutError.self) {
            try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: card("4000 0000 0000 0002"), idempotencyKey: "declined-1")
        }
        #expect(try await shop.used("ONCE") == 0)
        #expect(try await shop.count("voucher_redemptions") == 0)

        let placed = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "accepted-1")
        #expect(placed.order.voucherCode == "ONCE")
        try await shop.cart.add(productID: product.id, quantity: 1, to: owner)
        await #expect(throws: CartError.voucher(.alreadyUsed("ONCE"))) { try await shop.cart.applyVoucher(code: "ONCE", to: owner) }
        await #expect(throws: CartError.voucher(.unknown("NOPE"))) { try await shop.cart.applyVoucher(code: "nope", to: owner) }
        // A visitor cannot take a voucher limited per customer.
        await #expect(throws: CartError.voucher(.signInFirst("ONCE"))) { try await shop.cart.applyVoucher(code: "ONCE", to: .visitor(key: "v")) }
        // Cancelling the order gives the use back.
        try await shop.fulfilment.move(placed.order.id, .cancel, by: .customer, customerID: customer)
        #expect(try await shop.used("ONCE") == 0)
        try await shop.cart.applyVoucher(code: "ONCE", to: owner)
        #expect(try await shop.cart.cart(for: owner).voucherCode == "ONCE")
        await shop.close()
    }

    @Test func offersRunFromTheirStartToTheirEndAndAVoucherBelowItsMinimumSpendBlocksCheckout() async throws {
        let shop = try await TestShop.make(slotRequirement: .optional)
        let customer = try #require(try await shop.makeCustomers(1).first)
        let owner = CartOwner.customer(id: customer)
        let product = try await shop.product(minimumStock: 10)
        let offer = try await shop.offer("Half price", .percentOff(50), on: [product], startingIn: 3_600)
        try await shop.cart.add(productID: product.id, quantity: 2, to: owner)
        #expect(try await shop.cart.cart(for: owner).quote.offers.isEmpty)
        shop.clock.advance(by: 3_600)
        #expect(try await shop.cart.cart(for: owner).quote.offers.map(\.label) == ["Half price"])
        try await shop.promotions.endOffer(id: offer.id)
        #expect(try await shop.cart.cart(for: owner).quote.offers.isEmpty)

        try await shop.voucher("BIG", amount: 500, minimum: 1_000_00)
        try await shop.cart.applyVoucher(code: "BIG", to: owner)
        let quote = try await shop.checkout.validateCart(of: owner)
        let short = Money(minorUnits: 1_000_00 - product.price.minorUnits * 2, currency: .gbp)
        #expect(quote.problems.map(\.message) == ["Spend \(short.formatted) more to use voucher BIG, or remove it."])
        try await shop.cart.removeVoucher(from: owner)
        #expect(try await shop.checkout.validateCart(of: owner).isValid)
        await shop.close()
    }

    @Test func theGenerationGrowsOnlyWhenWhatShoppersSeeOfOffersChanges() async throws {
        let shop = try await TestShop.make()
        let product = try await shop.product()
        let start = try await shop.promotions.generation()
        #expect(try await shop.promotions.generation() == start)
        let offer = try await shop.offer("Half price", .percentOff(50), on: [product], startingIn: 3_600)
        let created = try await shop.promotions.generation()
        #expect(created > start)
        #expect(try await shop.promotions.generation() == created)
        shop.clock.advance(by: 3_600)
        let started = try await shop.promotions.generation()
        #expect(started > created)
        try await shop.promotions.endOffer(id: offer.id)
        #expect(try await shop.promotions.generation() > started)
        await shop.close()
    }

    @Test func changingAnOrderKeepsItsVoucherAndPricesTodaysOffers() async throws {
        let shop = try await TestShop.make(slotRequirement: .optional)
        let customer = try #require(try await shop.makeCustomers(1).first)
        let owner = CartOwner.customer(id: customer)
        let product = try await shop.product(minimumStock: 10)
        try await shop.offer("3 for 2", .multiBuy(buy: 3, pay: 2), on: [product])
        try await shop.voucher("KEEP", amount: 100, minimum: 0)
        try await shop.cart.add(productID: product.id, quantity: 2, to: owner)
        try await shop.cart.applyVoucher(code: "KEEP", to: owner)
        let placed = try await shop.checkout.placeOrder(customerID: customer, delivery: delivery, card: goodCard, idempotencyKey: "amend-promo-1")
        #expect(placed.order.savings.map(\.label) == ["Voucher KEEP: £1.00 off"])
        let changed = try await shop.checkout.amend(placed.order.id, customerID: customer, to: [StockItem(productID: product.id, quantity: 3)], version: 0)
        #expect(changed.savings.map(\.label) == ["3 for 2", "Voucher KEEP: £1.00 off"])
        #expect(changed.total.minorUnits == product.price.minorUnits * 2 - 100 + changed.deliveryFee.minorUnits
            + changed.charges.reduce(0) { $0 + $1.amount.minorUnits })
        #expect(changed.lines.map(\.saving) == [product.price.minorUnits])
        #expect(try await shop.used("KEEP") == 1)
        await shop.close()
    }
}
