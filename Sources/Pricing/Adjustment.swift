import GoMartModels

/// A labelled change to an order's total beyond its lines: a charge (positive) or a saving
/// (negative).
public struct Adjustment: Sendable, Hashable {
    /// What the adjustment is, which decides where it applies.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A saving on the goods (offers, vouchers); it counts towards the free-delivery threshold
        /// and the minimum order, and never takes the goods below zero.
        case discount
        /// The delivery charge (added by ``Pricing``, never passed in).
        case delivery
        /// A charge for the chosen delivery slot.
        case slotCharge = "slot_charge"
        /// The margin between weighed goods' estimate and what may be picked.
        case weighedEstimate = "weighed_estimate"
        /// A returnable deposit (bottles, crates).
        case deposit
        /// A charge for carrier bags.
        case bagCharge = "bag_charge"
        /// A charge on an order whose goods are below the shop's small-basket threshold (instead
        /// of refusing it).
        case smallBasket = "small_basket"

        /// True for kinds that reduce the goods' value rather than add a charge.
        public var isSaving: Bool { self == .discount }
    }

    /// What it is.
    public var kind: Kind
    /// What the shopper reads, e.g. "Delivery" or "3 for 2 on yoghurts".
    public var label: String
    /// The amount: positive for a charge, negative for a saving.
    public var amount: Money

    /// Creates an adjustment.
    public init(kind: Kind, label: String, amount: Money) {
        self.kind = kind
        self.label = label
        self.amount = amount
    }
}
