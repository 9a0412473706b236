import GoMartModels

/// The one place an order's price is worked out: pure, with no I/O, so that the cart page, the
/// API, validation, checkout and recorded history can never disagree.
public enum Pricing {
    /// Prices `lines` under `rules`, with `promotions` (offers and the shopper's voucher) and
    /// `adjustments` (charges other than delivery, which the rules decide) applied.
    ///
    /// - Offers save first, by ``OfferEngine``'s rule (each unit in one offer at most; competing
    ///   offers in the order that saves most), then the voucher on the goods after offers, from
    ///   its minimum spend. Savings never take a line, or the goods, below nothing.
    /// - Delivery is charged on a non-empty order whose goods are below the free-delivery threshold:
    ///   the booked slot's price and threshold when `delivery` is given, else the rules' flat ones.
    ///   The threshold, the minimum order and the small-basket charge look at the goods at their
    ///   shelf prices (``Quote/subtotal``), so a saving never costs the shopper free delivery.
    /// - Charges follow in the order given; savings come from `promotions` alone (a caller's
    ///   `discount` adjustment is not taken).
    /// - A line with a negative quantity or price counts as zero.
    public static func quote(
        _ lines: [PricedLine], rules: PricingRules, currency: Currency, adjustments: [Adjustment] = [], delivery slot: DeliveryCharge? = nil,
        promotions: Promotions = .none
    ) -> Quote {
        let lineTotals = lines.map { Money(minorUnits: lineTotal($0), currency: currency) }
        let subtotal = lineTotals.reduce(Int64(0)) { $0 + $1.minorUnits }
        let itemCount = lines.reduce(0) { $0 + max($1.quantity, 0) }
        let isEmpty = itemCount == 0

        var applied: [Adjustment] = []
        let outcome = OfferEngine.apply(promotions.offers, to: lines)
        let offers = promotions.offers.filter { (outcome.savings[$0.id] ?? 0) > 0 }
            .sorted { (outcome.savings[$0.id]!, $1.id) > (outcome.savings[$1.id]!, $0.id) }
            .map { AppliedOffer(offerID: $0.id, label: $0.label, saving: Money(minorUnits: outcome.savings[$0.id]!, currency: currency)) }
        for offer in offers {
            applied.append(Adjustment(kind: .discount, label: offer.label, amount: Money(minorUnits: -offer.saving.minorUnits, currency: currency)))
        }
        var goods = subtotal - outcome.total
        var voucherOutcome: VoucherOutcome?
        if let voucher = promotions.voucher, !isEmpty {
            if goods >= voucher.minimumSpend.minorUnits {
                let saving = switch voucher.value {
                case .percentOff(let percent): goods * Int64(min(max(percent, 0), 100)) / 100
                case .amountOff(let amount): min(max(amount.minorUnits, 0), goods)
                }
                voucherOutcome = .applied(code: voucher.code, label: voucher.label, saving: Money(minorUnits: saving, currency: currency))
                if saving > 0 {
                    applied.append(Adjustment(kind: .discount, label: "Voucher \(voucher.code): \(voucher.label)", amount: Money(minorUnits: -saving, currency: currency)))
                }
                goods -= saving
            } else {
                voucherOutcome = .belowMinimumSpend(code: voucher.code, label: voucher.label,
                                                    short: Money(minorUnits: voucher.minimumSpend.minorUnits - goods, currency: currency))
            }
        }
        let threshold: Int64? = slot.map { $0.freeFrom?.minorUnits } ?? rules.freeDeliveryThreshold.minorUnits
        let freeDelivery = threshold.map { subtotal >= $0 } ?? false
        let delivery: Int64 = isEmpty || freeDelivery ? 0 : max((slot?.fee ?? rules.deliveryFee).minorUnits, 0)
        if !isEmpty {
            let label = slot?.label ?? "Delivery"
            applied.append(Adjustment(kind: .delivery, label: freeDelivery ? "\(label) (free)" : label,
                                      amount: Money(minorUnits: delivery, currency: currency)))
        }
        var total = goods + delivery
        // The shop's own charges: on the goods after savings, never discounted themselves.
        if !isEmpty && rules.bagCharge.minorUnits > 0 {
            applied.append(Adjustment(kind: .bagCharge, label: "Carrier bags", amount: Money(minorUnits: rules.bagCharge.minorUnits, currency: currency)))
            total += rules.bagCharge.minorUnits
        }
        let deposits = lines.reduce(Int64(0)) { $0 + depositTotal($1) }
        if deposits > 0 {
            applied.append(Adjustment(kind: .deposit, label: "Deposits on bottles and cans (returnable)", amount: Money(minorUnits: deposits, currency: currency)))
            total += deposits
        }
        if !isEmpty && rules.smallBasketCharge.minorUnits > 0 && subtotal < rules.smallBasketThreshold.minorUnits {
            applied.append(Adjustment(kind: .smallBasket, label: "Small basket charge (orders under \(rules.smallBasketThreshold.formatted))",
                                      amount: Money(minorUnits: rules.smallBasketCharge.minorUnits, currency: currency)))
            total += rules.smallBasketCharge.minorUnits
        }
        // Delivery, bags, deposits and the small-basket charge come from the rules and the lines
        // alone, never from the caller.
        for charge in adjustments where !charge.kind.isSaving && ![.delivery, .bagCharge, .smallBasket, .deposit].contains(charge.kind) {
            let amount = max(charge.amount.minorUnits, 0)
            total += amount
            applied.append(Adjustment(kind: charge.kind, label: charge.label, amount: Money(minorUnits: amount, currency: currency)))
        }
        let minimum = rules.minimumOrder.minorUnits
        // Weighed goods may be picked heavier than their estimate, within their tolerance: the
        // card is authorised for the heaviest they may come to (delivery and charges stay as quoted).
        let margin = isEmpty ? 0 : lines.reduce(Int64(0)) { $0 + lineTotal($1.heaviest) - lineTotal($1) }
        return Quote(
            currency: currency,
            lineTotals: lineTotals,
            subtotal: Money(minorUnits: subtotal, currency: currency),
            adjustments: applied,
            total: Money(minorUnits: total, currency: currency),
            goods: Money(minorUnits: goods, currency: currency),
            deliveryCharge: Money(minorUnits: delivery, currency: currency),
            amountToFreeDelivery: isEmpty || freeDelivery || (slot != nil && delivery == 0) ? nil : threshold.map { Money(minorUnits: $0 - subtotal, currency: currency) },
            shortOfMinimum: isEmpty || subtotal >= minimum ? nil : Money(minorUnits: minimum - subtotal, currency: currency),
            itemCount: itemCount,
            weighedMargin: Money(minorUnits: margin, currency: currency),
            hasWeighedLines: lines.contains { $0.grams != nil && $0.quantity > 0 },
            lineSavings: outcome.lineSavings.map { Money(minorUnits: $0, currency: currency) },
            offers: offers,
            voucher: voucherOutcome
        )
    }

    /// What giving back `lines` (each at the unit price it was sold at less what offers took off
    /// it, with its deposits) comes to, with the delivery charge when `delivery` is given, and
    /// never more than `remaining` (what is left of the payment after earlier refunds).
    public static func refund(_ lines: [PricedLine], delivery: Money? = nil, remaining: Money) -> Money {
        let goods = lines.reduce(Int64(0)) { $0 + max(lineTotal($1) - max($1.saving?.minorUnits ?? 0, 0), 0) + depositTotal($1) }
        let amount = goods + max(delivery?.minorUnits ?? 0, 0)
        return Money(minorUnits: min(amount, max(remaining.minorUnits, 0)), currency: remaining.currency)
    }

    /// What to capture of an authorisation: what is left of the order's total after what was
    /// given back or released, and never more than was authorised.
    public static func capture(remaining: Money, authorised: Money) -> Money {
        Money(minorUnits: max(min(remaining.minorUnits, authorised.minorUnits), 0), currency: remaining.currency)
    }

    /// What is left of a payment of `total` after `refunded` has been given back.
    public static func remaining(of total: Money, after refunded: Money) -> Money {
        Money(minorUnits: total.minorUnits - refunded.minorUnits, currency: total.currency)
    }

    /// `amounts` added up, in `currency`.
    public static func sum(_ amounts: [Money], currency: Currency) -> Money {
        Money(minorUnits: amounts.reduce(Int64(0)) { $0 + $1.minorUnits }, currency: currency)
    }

    /// `total` shared over `count` (whole minor units, rounded down; nothing over none).
    public static func average(of total: Money, over count: Int) -> Money {
        Money(minorUnits: count == 0 ? 0 : total.minorUnits / Int64(count), currency: total.currency)
    }

    /// What one line comes to on its own.
    public static func total(of line: PricedLine) -> Money {
        Money(minorUnits: lineTotal(line), currency: line.unitPrice.currency)
    }

    /// What `units` of a line of `quantity` keep of the line's `saving` (its share, rounded down;
    /// all of it for all of them).
    public static func share(of saving: Money, units: Int, of quantity: Int) -> Money {
        guard quantity > 0, units > 0 else { return Money(minorUnits: 0, currency: saving.currency) }
        return Money(minorUnits: saving.minorUnits * Int64(min(units, quantity)) / Int64(quantity), currency: saving.currency)
    }

    /// What one line comes to with its deposits.
    public static func totalWithDeposits(of line: PricedLine) -> Money {
        Money(minorUnits: lineTotal(line) + depositTotal(line), currency: line.unitPrice.currency)
    }

    /// What a weighed line comes to: `grams` at `pricePerKilogram`, rounded half up.
    public static func weighed(grams: Int, pricePerKilogram: Money) -> Money {
        total(of: PricedLine(pricePerKilogram: pricePerKilogram, grams: grams, items: 1, tolerancePercent: 0))
    }

    /// A line's deposits: its deposit per unit × its units (never negative).
    static func depositTotal(_ line: PricedLine) -> Int64 {
        max(line.deposit?.minorUnits ?? 0, 0) * Int64(max(line.quantity, 0))
    }

    /// Unit price × quantity, in minor units; a weighed line's price per kilogram × its weight,
    /// rounded half up (nothing when it has no items).
    static func lineTotal(_ line: PricedLine) -> Int64 {
        let price = max(line.unitPrice.minorUnits, 0)
        guard line.quantity > 0 else { return 0 }
        guard let grams = line.grams else { return price * Int64(line.quantity) }
        return (price * Int64(max(grams, 0)) + 500) / 1000
    }
}
