import Foundation
import GoMartModels
@testable import Pricing
import PropertyBased
import Testing

/// Six products, the first three in aisle "fruit", the rest in "bakery".
let productPool: [ProductID] = (1...6).map { ProductID(uuid: UUID(uuidString: "00000000-0000-4000-8000-00000000000\($0)")!) }
let aislePool = ["fruit", "fruit", "fruit", "bakery", "bakery", "bakery"]

func gbp(_ pence: Int64) -> Money { Money(minorUnits: pence, currency: .gbp) }

/// A basket of the six products, 0 to 5 units each at 1p–£15, with deposits on some, and
/// sometimes a weighed line.
let basketGenerator = zip(Gen.int(in: 0...5).array(of: 6...6), Gen.int64(in: 1...1_500).array(of: 6...6), Gen.int(in: 0...63),
                          Gen.int(in: 0...900))
    .map { quantities, prices, deposits, grams -> [PricedLine] in
        var lines: [PricedLine] = []
        for index in productPool.indices where quantities[index] > 0 {
            var line = PricedLine(unitPrice: gbp(prices[index]), quantity: quantities[index])
            line.productID = productPool[index]
            line.aisle = aislePool[index]
            if deposits & (1 << index) != 0 { line.deposit = gbp(25) }
            lines.append(line)
        }
        if grams > 0 {
            var loose = PricedLine(pricePerKilogram: gbp(299), grams: grams, items: 1, tolerancePercent: 10)
            loose.productID = ProductID(uuid: UUID(uuidString: "00000000-0000-4000-8000-000000000009")!)
            loose.aisle = "fruit"
            lines.append(loose)
        }
        return lines
    }

/// A scope from a bit mask over the products (bit 6: the whole "fruit" aisle, bit 7: "bakery").
func scope(_ mask: Int) -> Offer.Scope {
    Offer.Scope(products: Set(productPool.indices.filter { mask & (1 << $0) != 0 }.map { productPool[$0] }),
                aisles: Set([mask & 64 != 0 ? "fruit" : nil, mask & 128 != 0 ? "bakery" : nil].compactMap { $0 }))
}

/// Up to four offers of every kind, on random products and aisles (the brute force below tries
/// every order of them: 24 at most).
let offersGenerator = zip(Gen.int(in: 0...4), Gen.int(in: 1...255), Gen.int(in: 1...255), Gen.int(in: 1...2_000))
    .map { kind, first, second, amount -> Offer in
        let rule: Offer.Rule = switch kind {
        case 0: .multiBuy(buy: 2 + amount % 3, pay: 1 + amount % 2)
        case 1: .bundle(count: 2 + amount % 3, price: gbp(Int64(amount)))
        case 2: .percentOff(1 + amount % 99)
        case 3: .amountOff(gbp(Int64(amount % 300 + 1)))
        default: .mealDeal(price: gbp(Int64(amount)))
        }
        let groups = kind == 4 ? [scope(first), scope(second)] : [scope(first)]
        return Offer(id: "offer-\(kind)-\(first)-\(second)-\(amount)", label: "Offer \(kind)", rule: rule, groups: groups)
    }
    .array(of: 0...4)

/// A voucher for 1–60 % or 1p–£20 off from a minimum spend of up to £40.
let voucherGenerator = zip(Gen.bool, Gen.int(in: 1...2_000), Gen.int64(in: 0...4_000))
    .map { percent, amount, minimum in
        Voucher(code: "SAVE", label: "Saving", value: percent ? .percentOff(1 + amount % 60) : .amountOff(gbp(Int64(amount))), minimumSpend: gbp(minimum))
    }
    .optional()

@Suite struct OfferPropertyTests {
    var rules: PricingRules {
        var rules = PricingRules()
        rules.bagCharge = gbp(40)
        rules.smallBasketCharge = gbp(300)
        rules.smallBasketThreshold = gbp(20_00)
        return rules
    }

    @Test func theSameBasketAndOffersAlwaysPriceTheSame() async {
        await propertyCheck(count: 120, input: basketGenerator, offersGenerator, voucherGenerator) { lines, offers, voucher in
            let promotions = Promotions(offers: offers, voucher: voucher)
            let first = Pricing.quote(lines, rules: rules, currency: .gbp, promotions: promotions)
            #expect(Pricing.quote(lines, rules: rules, currency: .gbp, promotions: promotions) == first)
            // Nor does the order of the lines or of the offers change what is saved.
            let shuffled = Pricing.quote(lines.reversed(), rules: rules, currency: .gbp,
                                         promotions: Promotions(offers: offers.reversed(), voucher: voucher))
            #expect(shuffled.total == first.total)
            #expect(shuffled.offers == first.offers)
            #expect(shuffled.adjustments == first.adjustments)
        }
    }

    @Test func offersNeverRaiseAPrice() async {
        await propertyCheck(count: 120, input: basketGenerator, offersGenerator, voucherGenerator) { lines, offers, voucher in
            let plain = Pricing.quote(lines, rules: rules, currency: .gbp)
            let offered = Pricing.quote(lines, rules: rules, currency: .gbp, promotions: Promotions(offers: offers, voucher: voucher))
            #expect(offered.total <= plain.total)
            #expect(offered.deliveryCharge == plain.deliveryCharge)
            #expect(offered.charges == plain.charges)
            for (saving, lineTotal) in zip(offered.lineSavings, offered.lineTotals) {
                #expect(saving.minorUnits >= 0)
                #expect(saving <= lineTotal)
            }
            #expect(offered.adjustments.filter { $0.kind == .discount }.allSatisfy { $0.amount.minorUnits < 0 })
            // What the lines saved is exactly what the offers saved.
            #expect(offered.lineSavings.reduce(Int64(0)) { $0 + $1.minorUnits } == offered.offers.reduce(Int64(0)) { $0 + $1.saving.minorUnits })
        }
    }

    @Test func theTotalIsNeverNegative() async {
        await propertyCheck(count: 120, input: basketGenerator, offersGenerator, voucherGenerator) { lines, offers, voucher in
            let quote = Pricing.quote(lines, rules: rules, currency: .gbp, promotions: Promotions(offers: offers, voucher: voucher))
            #expect(quote.goods.minorUnits >= 0)
            #expect(quote.total.minorUnits >= 0)
            #expect(quote.total.minorUnits == quote.subtotal.minorUnits + quote.adjustments.reduce(Int64(0)) { $0 + $1.amount.minorUnits })
        }
    }

    @Test func competingOffersGiveTheBestOrderOfAllOfThem() async {
        await propertyCheck(count: 120, input: basketGenerator, offersGenerator) { lines, offers in
            let quote = Pricing.quote(lines, rules: rules, currency: .gbp, promotions: Promotions(offers: offers))
            let saved = quote.offers.reduce(Int64(0)) { $0 + $1.saving.minorUnits }
            // The documented rule, worked out the long way: every order of every offer (not only
            // those that compete), each offer taking what the earlier ones left.
            let valid = offers.filter { $0.problem == nil }
            let units = OfferEngine.units(lines)
            let best = OfferEngine.permutations(valid).map { OfferEngine.sequence($0, units: units, lines: lines).total }.max() ?? 0
            #expect(saved == best)
            for offer in valid {
                #expect(saved >= OfferEngine.sequence([offer], units: units, lines: lines).total)
            }
        }
    }

    @Test func depositsAndBagsAreNeverDiscounted() async {
        await propertyCheck(count: 120, input: basketGenerator, offersGenerator, voucherGenerator) { lines, offers, voucher in
            let quote = Pricing.quote(lines, rules: rules, currency: .gbp, promotions: Promotions(offers: offers, voucher: voucher))
            let deposits = lines.reduce(Int64(0)) { $0 + ($1.deposit?.minorUnits ?? 0) * Int64($1.quantity) }
            #expect(quote.adjustments.filter { $0.kind == .deposit }.map(\.amount.minorUnits) == (deposits > 0 ? [deposits] : []))
            #expect(quote.adjustments.filter { $0.kind == .bagCharge }.map(\.amount.minorUnits) == (lines.isEmpty ? [] : [40]))
            // Savings come off the goods alone: never more than the goods' shelf price.
            #expect(quote.savings <= quote.subtotal)
        }
    }
}

@Suite struct OfferExampleTests {
    let rules = PricingRules()
    func line(_ index: Int, _ pence: Int64, _ quantity: Int) -> PricedLine {
        var line = PricedLine(unitPrice: gbp(pence), quantity: quantity)
        line.productID = productPool[index]
        line.aisle = aislePool[index]
        return line
    }

    @Test func threeForTwoGivesTheCheapestOfEachThreeFree() {
        let offer = Offer(id: "a", label: "3 for 2 on fruit", rule: .multiBuy(buy: 3, pay: 2), groups: [Offer.Scope(aisles: ["fruit"])])
        // Units at £3, £3, £2, £2, £1, £1, £1: groups (3, 3, 2) and (2, 1, 1) free £2 and £1; one £1 left over.
        let quote = Pricing.quote([line(0, 300, 2), line(1, 200, 2), line(2, 100, 3), line(3, 900, 2)], rules: rules, currency: .gbp,
                                  promotions: Promotions(offers: [offer]))
        #expect(quote.offers == [AppliedOffer(offerID: "a", label: "3 for 2 on fruit", saving: gbp(300))])
        #expect(quote.adjustments.first == Adjustment(kind: .discount, label: "3 for 2 on fruit", amount: gbp(-300)))
        #expect(quote.subtotal == gbp(3_100))
        #expect(quote.goods == gbp(2_800))
        // Each unit's share of its group's saving, by price: (3, 3, 2) saved 200 → 75, 75, 50; (2, 1, 1) saved 100 → 50, 25, 25.
        #expect(quote.lineSavings == [gbp(150), gbp(100), gbp(50), gbp(0)])
    }

    @Test func anyTwoForAPriceAndAMealDealOnlyApplyWhereTheySave() {
        let bundle = Offer(id: "b", label: "Any 2 for £5", rule: .bundle(count: 2, price: gbp(500)), groups: [Offer.Scope(aisles: ["bakery"])])
        // £4 + £3 for £5 saves £2; £2 + £2 would cost more than they do.
        let quote = Pricing.quote([line(3, 400, 1), line(4, 300, 1), line(5, 200, 2)], rules: rules, currency: .gbp,
                                  promotions: Promotions(offers: [bundle]))
        #expect(quote.offers.map(\.saving) == [gbp(200)])
        let deal = Offer(id: "m", label: "Meal deal £3", rule: .mealDeal(price: gbp(300)),
                         groups: [Offer.Scope(products: [productPool[0]]), Offer.Scope(products: [productPool[3]])])
        let meal = Pricing.quote([line(0, 250, 3), line(3, 150, 2)], rules: rules, currency: .gbp, promotions: Promotions(offers: [deal]))
        // Two deals of £2.50 + £1.50 for £3: £2 saved; the third main has no side. Each deal's £1
        // is shared by price (62.5p and 37.5p, rounded down, the penny left on the first).
        #expect(meal.offers.map(\.saving) == [gbp(200)])
        #expect(meal.lineSavings == [gbp(126), gbp(74)])
    }

    @Test func whenOffersCompeteTheShopperGetsTheBetterOne() {
        let threeForTwo = Offer(id: "a", label: "3 for 2", rule: .multiBuy(buy: 3, pay: 2), groups: [Offer.Scope(products: [productPool[0]])])
        let half = Offer(id: "b", label: "Half price", rule: .percentOff(50), groups: [Offer.Scope(products: [productPool[0]])])
        let fruit = Offer(id: "c", label: "10% off fruit", rule: .percentOff(10), groups: [Offer.Scope(aisles: ["fruit"])])
        // Three at £1: 3 for 2 saves £1, half price £1.50: half price wins; the aisle's 10 % takes what is left (the £2 line).
        let quote = Pricing.quote([line(0, 100, 3), line(1, 200, 1)], rules: rules, currency: .gbp,
                                  promotions: Promotions(offers: [threeForTwo, half, fruit]))
        #expect(quote.offers.map(\.label) == ["Half price", "10% off fruit"])
        #expect(quote.offers.map(\.saving) == [gbp(150), gbp(20)])
    }

    @Test func aVoucherAppliesFromItsMinimumSpendAfterOffersAndNeverCostsFreeDelivery() {
        let voucher = Voucher(code: "SPRING5", label: "£5 off £40", value: .amountOff(gbp(500)), minimumSpend: gbp(4_000))
        let offer = Offer(id: "a", label: "10% off", rule: .percentOff(10), groups: [Offer.Scope(products: [productPool[0]])])
        // £42 of goods, £4.20 off: £37.80 is below the voucher's £40 (it says how much more to add).
        let short = Pricing.quote([line(0, 4_200, 1)], rules: rules, currency: .gbp, promotions: Promotions(offers: [offer], voucher: voucher))
        #expect(short.voucher == .belowMinimumSpend(code: "SPRING5", label: "£5 off £40", short: gbp(220)))
        // Delivery is free from £40 at shelf prices: the offer does not take it away.
        #expect(short.deliveryCharge == gbp(0))
        #expect(short.total == gbp(3_780))
        let applied = Pricing.quote([line(0, 4_500, 1)], rules: rules, currency: .gbp, promotions: Promotions(offers: [offer], voucher: voucher))
        #expect(applied.voucher == .applied(code: "SPRING5", label: "£5 off £40", saving: gbp(500)))
        #expect(applied.adjustments.map(\.label) == ["10% off", "Voucher SPRING5: £5 off £40", "Delivery (free)"])
        #expect(applied.total == gbp(4_500 - 450 - 500))
    }
}
