import GoMartModels

/// What an order costs: each line's total, the subtotal, every adjustment as applied, and the
/// total, which is always the subtotal plus the adjustments and never negative.
public struct Quote: Sendable, Hashable {
    /// The currency of every amount.
    public var currency: Currency
    /// Each line's total, in the order the lines were given.
    public var lineTotals: [Money]
    /// The sum of the line totals.
    public var subtotal: Money
    /// Savings first, then delivery (for a non-empty order), then other charges, each with the
    /// amount actually applied (a saving larger than the goods is cut down to them).
    public var adjustments: [Adjustment]
    /// ``subtotal`` plus every adjustment.
    public var total: Money
    /// The goods after savings (the free-delivery threshold and the minimum order look at the
    /// goods at shelf prices, ``subtotal``).
    public var goods: Money
    /// The delivery charge (zero for an empty order or above the free-delivery threshold).
    public var deliveryCharge: Money
    /// How much more the goods must come to for free delivery; nil when delivery is free or the
    /// order is empty.
    public var amountToFreeDelivery: Money?
    /// How much more the goods must come to for the minimum order; nil when it is met or the
    /// order is empty.
    public var shortOfMinimum: Money?
    /// Units across all lines.
    public var itemCount: Int
    /// How much more weighed goods may come to when picked, within their tolerance.
    public var weighedMargin: Money = Money(minorUnits: 0, currency: .gbp)
    /// True when some lines are weighed: their prices (and the total) are estimates.
    public var hasWeighedLines: Bool = false
    /// What offers saved on each line (never more than the line's total), in the lines' order.
    public var lineSavings: [Money] = []
    /// The offers that saved something, most first.
    public var offers: [AppliedOffer] = []
    /// What became of the shopper's voucher, if one was given.
    public var voucher: VoucherOutcome? = nil

    /// Everything offers and the voucher took off.
    public var savings: Money { Money(minorUnits: subtotal.minorUnits - goods.minorUnits, currency: currency) }
    /// The code of the voucher that applied, if one did.
    public var voucherCode: String? {
        if case .applied(let code, _, _)? = voucher { code } else { nil }
    }
    /// The voucher's saving, if it applied.
    public var voucherSaving: Money? {
        if case .applied(_, _, let saving)? = voucher { saving } else { nil }
    }

    /// What to authorise on the card: the total plus the weighed goods' margin.
    public var authorisation: Money { Money(minorUnits: total.minorUnits + weighedMargin.minorUnits, currency: currency) }

    /// Savings (offers, the voucher) and charges besides delivery, as applied: what an order keeps.
    public var savingsAndCharges: [Adjustment] { adjustments.filter { $0.kind != .delivery } }

    /// Charges besides delivery (bags, a small-basket charge, deposits), as applied.
    public var charges: [Adjustment] { adjustments.filter { !$0.kind.isSaving && $0.kind != .delivery } }

    /// True when the order meets the minimum (an empty order has nothing to fall short of).
    public var meetsMinimum: Bool { shortOfMinimum == nil }
    /// True when a non-empty order delivers free.
    public var deliversFree: Bool { itemCount > 0 && deliveryCharge.minorUnits == 0 }
}
