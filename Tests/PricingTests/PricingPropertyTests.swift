import GoMartModels
@testable import Pricing
import PropertyBased
import Testing

/// Lines of 0 to 30 products at up to £200 a unit, 0 to 99 units each.
let lineGenerator = zip(Gen.int64(in: 0...20_000), Gen.int(in: 0...99))
    .map { price, quantity in PricedLine(unitPrice: Money(minorUnits: price, currency: .gbp), quantity: quantity) }
    .array(of: 0...30)

/// Savings and charges of every kind but delivery, with amounts of either sign.
let adjustmentGenerator = zip(Gen.int(in: 0...(Adjustment.Kind.allCases.count - 1)), Gen.int64(in: -50_000...50_000))
    .map { kind, amount in
        let kinds = Adjustment.Kind.allCases.filter { $0 != .delivery }
        let chosen = kinds[kind % kinds.count]
        return Adjustment(kind: chosen, label: chosen.rawValue, amount: Money(minorUnits: amount, currency: .gbp))
    }
    .array(of: 0...6)

/// Delivery £0–£10, free from £0–£100, minimum £0–£50.
let rulesGenerator = zip(Gen.int64(in: 0...1_000), Gen.int64(in: 0...10_000), Gen.int64(in: 0...5_000))
    .map { fee, threshold, minimum in
        PricingRules(deliveryFee: Money(minorUnits: fee, currency: .gbp), freeDeliveryThreshold: Money(minorUnits: threshold, currency: .gbp),
                     minimumOrder: Money(minorUnits: minimum, currency: .gbp))
    }

@Suite struct PricingPropertyTests {
    @Test func theTotalIsTheLinesPlusTheAdjustments() async {
        await propertyCheck(count: 300, input: lineGenerator, adjustmentGenerator, rulesGenerator) { lines, adjustments, rules in
            let quote = Pricing.quote(lines, rules: rules, currency: .gbp, adjustments: adjustments)
            let lineSum = quote.lineTotals.reduce(Int64(0)) { $0 + $1.minorUnits }
            let adjustmentSum = quote.adjustments.reduce(Int64(0)) { $0 + $1.amount.minorUnits }
            #expect(quote.subtotal.minorUnits == lineSum)
            #expect(quote.total.minorUnits == lineSum + adjustmentSum)
        }
    }

    @Test func aLineCostsItsUnitPriceTimesItsQuantity() async {
        await propertyCheck(count: 300, input: lineGenerator, rulesGenerator) { lines, rules in
            let quote = Pricing.quote(lines, rules: rules, currency: .gbp)
            #expect(quote.lineTotals.map(\.minorUnits) == lines.map { $0.unitPrice.minorUnits * Int64($0.quantity) })
        }
    }

    @Test func theShopsChargesAreNeverDiscounted() async {
        await propertyCheck(count: 300, input: lineGenerator, adjustmentGenerator, rulesGenerator) { lines, adjustments, rules in
            var charged = rules
            charged.bagCharge = Money(minorUnits: 40, currency: .gbp)
            charged.smallBasketCharge = Money(minorUnits: 300, currency: .gbp)
            charged.smallBasketThreshold = Money(minorUnits: 30_00, currency: .gbp)
            let quote = Pricing.quote(lines, rules: charged, currency: .gbp, adjustments: adjustments)
            let bags = quote.adjustments.filter { $0.kind == .bagCharge }.map(\.amount.minorUnits)
            let basket = quote.adjustments.filter { $0.kind == .smallBasket }.map(\.amount.minorUnits)
            #expect(bags == (quote.itemCount > 0 ? [40] : []))
            #expect(basket == (quote.itemCount > 0 && quote.subtotal.minorUnits < 30_00 ? [300] : []))
        }
    }

    @Test func noTotalIsEverNegative() async {
        await propertyCheck(count: 300, input: lineGenerator, adjustmentGenerator, rulesGenerator) { lines, adjustments, rules in
            let quote = Pricing.quote(lines, rules: rules, currency: .gbp, adjustments: adjustments)
            #expect(quote.total.minorUnits >= 0)
            #expect(quote.goods.minorUnits >= 0)
        }
    }

    @Test func theOrderOfTheLinesDoesNotMatter() async {
        await propertyCheck(count: 300, input: lineGenerator, adjustmentGenerator, rulesGenerator) { lines, adjustments, rules in
            let forwards = Pricing.quote(lines, rules: rules, currency: .gbp, adjustments: adjustments)
            let backwards = Pricing.quote(lines.reversed(), rules: rules, currency: .gbp, adjustments: adjustments)
            let shuffled = Pricing.quote(lines.sorted { $0.unitPrice.minorUnits < $1.unitPrice.minorUnits }, rules: rules, currency: .gbp,
                                         adjustments: adjustments)
            #expect(backwards.total == forwards.total)
            #expect(shuffled.total == forwards.total)
            #expect(backwards.adjustments == forwards.adjustments)
            #expect(backwards.lineTotals == forwards.lineTotals.reversed())
        }
    }

    @Test func deliveryIsChargedExactlyBelowTheThresholdOnAnOrderWithGoods() async {
        await propertyCheck(count: 300, input: lineGenerator, rulesGenerator) { lines, rules in
            let quote = Pricing.quote(lines, rules: rules, currency: .gbp)
            let hasGoods = lines.contains { $0.quantity > 0 }
            let expected = hasGoods && quote.subtotal < rules.freeDeliveryThreshold ? rules.deliveryFee : Money(minorUnits: 0, currency: .gbp)
            #expect(quote.deliveryCharge == expected)
            #expect(quote.adjustments.filter { $0.kind == .delivery }.map(\.amount) == (hasGoods ? [expected] : []))
        }
    }

    @Test func theMinimumOrderIsMetExactlyAtOrAboveIt() async {
        await propertyCheck(count: 300, input: lineGenerator, rulesGenerator) { lines, rules in
            let quote = Pricing.quote(lines, rules: rules, currency: .gbp)
            let hasGoods = lines.contains { $0.quantity > 0 }
            let short = hasGoods && quote.subtotal < rules.minimumOrder
                ? Money(minorUnits: rules.minimumOrder.minorUnits - quote.subtotal.minorUnits, currency: .gbp) : nil
            #expect(quote.shortOfMinimum == short)
        }
    }
}

@Suite struct PricingExampleTests {
    let rules = PricingRules()
    func line(_ pence: Int64, _ quantity: Int) -> PricedLine { PricedLine(unitPrice: Money(minorUnits: pence, currency: .gbp), quantity: quantity) }
    func gbp(_ pence: Int64) -> Money { Money(minorUnits: pence, currency: .gbp) }

    @Test func aSmallBasketPaysDeliveryAndFallsShortOfTheMinimum() {
        let quote = Pricing.quote([line(250, 2), line(199, 1)], rules: rules, currency: .gbp)
        #expect(quote == Quote(
            currency: .gbp, lineTotals: [gbp(500), gbp(199)], subtotal: gbp(699),
            adjustments: [Adjustment(kind: .delivery, label: "Delivery", amount: gbp(399))],
            total: gbp(1_098), goods: gbp(699), deliveryCharge: gbp(399), amountToFreeDelivery: gbp(3_301), shortOfMinimum: gbp(301), itemCount: 3,
            lineSavings: [gbp(0), gbp(0)]
        ))
    }

    @Test func aBookedSlotsPriceAndThresholdTakeThePlaceOfTheFlatDeliveryCharge() {
        let peak = DeliveryCharge(label: "Delivery, Friday 15 January, 18:00–20:00", fee: gbp(450), freeFrom: gbp(8_000))
        let quote = Pricing.quote([line(2_500, 2)], rules: rules, currency: .gbp, delivery: peak)
        #expect(quote == Quote(
            currency: .gbp, lineTotals: [gbp(5_000)], subtotal: gbp(5_000),
            adjustments: [Adjustment(kind: .delivery, label: "Delivery, Friday 15 January, 18:00–20:00", amount: gbp(450))],
            total: gbp(5_450), goods: gbp(5_000), deliveryCharge: gbp(450), amountToFreeDelivery: gbp(3_000), shortOfMinimum: nil, itemCount: 2,
            lineSavings: [gbp(0)]
        ))
        let free = Pricing.quote([line(2_500, 4)], rules: rules, currency: .gbp, delivery: peak)
        #expect(free.adjustments.map(\.label) == ["Delivery, Friday 15 January, 18:00–20:00 (free)"])
        #expect(free.total == gbp(10_000))
        // A collection slot at no charge, never "free from" anything: nothing to reach.
        let collection = Pricing.quote([line(500, 1)], rules: rules, currency: .gbp,
                                       delivery: DeliveryCharge(label: "Collection", fee: gbp(0), freeFrom: nil))
        #expect(collection.total == gbp(500))
        #expect(collection.amountToFreeDelivery == nil)
        #expect(collection.deliversFree)
    }

    @Test func bagsAndASmallBasketAreChargedAfterTheGoodsAndNeverDiscounted() {
        var rules = PricingRules()
        rules.bagCharge = gbp(40)
        rules.smallBasketCharge = gbp(400)
        rules.smallBasketThreshold = gbp(25_00)
        let voucher = Voucher(code: "TEN", label: "£10 off", value: .amountOff(gbp(10_00)), minimumSpend: gbp(0))
        let quote = Pricing.quote([line(1_000, 2)], rules: rules, currency: .gbp, promotions: Promotions(voucher: voucher))
        // £20 of goods is under £25, so the small-basket charge applies; £10 off cuts neither charge.
        #expect(quote.adjustments.map(\.label) == ["Voucher TEN: £10 off", "Delivery", "Carrier bags", "Small basket charge (orders under £25.00)"])
        #expect(quote.charges.map(\.amount) == [gbp(40), gbp(400)])
        #expect(quote.total == gbp(2_000 - 1_000 + 399 + 40 + 400))
        // £30 of goods at shelf prices: no small-basket charge, even with £10 off.
        let large = Pricing.quote([line(1_500, 2)], rules: rules, currency: .gbp, promotions: Promotions(voucher: voucher))
        #expect(large.charges.map(\.kind) == [.bagCharge])
        #expect(Pricing.quote([], rules: rules, currency: .gbp).charges.isEmpty)
    }

    @Test func aSavingLeavesFreeDeliveryAndIsCutDownToTheGoods() {
        let voucher = Voucher(code: "FIVE", label: "£5 off", value: .amountOff(gbp(500)), minimumSpend: gbp(0))
        // Deposits come from the lines (a caller's "deposit" or "discount" is not taken), and are never discounted.
        let forged = Adjustment(kind: .deposit, label: "Bottle deposits", amount: gbp(99))
        let forgedSaving = Adjustment(kind: .discount, label: "Everything free", amount: gbp(-4_000))
        var bottles = line(4_200, 1)
        bottles.deposit = gbp(40)
        let quote = Pricing.quote([bottles], rules: rules, currency: .gbp, adjustments: [forged, forgedSaving], promotions: Promotions(voucher: voucher))
        // £42 at shelf prices delivers free, though the goods come to £37 after the voucher.
        #expect(quote.adjustments.map(\.amount) == [gbp(-500), gbp(0), gbp(40)])
        #expect(quote.total == gbp(4_200 - 500 + 40))

        let everything = Voucher(code: "ALL", label: "Everything free", value: .amountOff(gbp(10_000)), minimumSpend: gbp(0))
        let free = Pricing.quote([line(300, 1)], rules: rules, currency: .gbp, promotions: Promotions(voucher: everything))
        #expect(free.adjustments.map(\.amount) == [gbp(-300), gbp(399)])
        #expect(free.total == gbp(399))
    }

    @Test func anEmptyOrderCostsNothing() {
        let quote = Pricing.quote([], rules: rules, currency: .gbp)
        #expect(quote == Quote(currency: .gbp, lineTotals: [], subtotal: gbp(0), adjustments: [], total: gbp(0), goods: gbp(0),
                               deliveryCharge: gbp(0), amountToFreeDelivery: nil, shortOfMinimum: nil, itemCount: 0))
    }
}
