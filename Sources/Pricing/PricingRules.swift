import GoMartModels

/// The shop's rules for what an order costs beyond its goods: delivery, the minimum order, and
/// optional charges (carrier bags, a small-basket charge), which offers never discount.
public struct PricingRules: Sendable, Hashable {
    /// The delivery charge for an order below the free-delivery threshold.
    public var deliveryFee: Money
    /// Orders whose goods come to at least this deliver free.
    public var freeDeliveryThreshold: Money
    /// The least the goods of an order may come to.
    public var minimumOrder: Money
    /// Charged on every order for carrier bags; zero: none.
    public var bagCharge: Money = Money(minorUnits: 0, currency: .gbp)
    /// Charged on an order whose goods come to less than ``smallBasketThreshold``; zero: none.
    public var smallBasketCharge: Money = Money(minorUnits: 0, currency: .gbp)
    public var smallBasketThreshold: Money = Money(minorUnits: 0, currency: .gbp)

    /// Creates rules; the defaults suit the demo shop (£3.99 delivery, free from £40, £10 minimum).
    public init(
        deliveryFee: Money = Money(minorUnits: 399, currency: .gbp),
        freeDeliveryThreshold: Money = Money(minorUnits: 40_00, currency: .gbp),
        minimumOrder: Money = Money(minorUnits: 10_00, currency: .gbp)
    ) {
        self.deliveryFee = deliveryFee
        self.freeDeliveryThreshold = freeDeliveryThreshold
        self.minimumOrder = minimumOrder
    }
}

/// What delivering one order costs when a slot was booked: the slot's price, waived from an
/// order value; it takes the place of the rules' flat delivery charge.
public struct DeliveryCharge: Sendable, Hashable {
    /// What the shopper reads, e.g. "Delivery, Tuesday 1 December, 08:00–10:00".
    public var label: String
    /// The price.
    public var fee: Money
    /// Goods worth at least this deliver free; nil: never free.
    public var freeFrom: Money?

    /// Creates a charge.
    public init(label: String, fee: Money, freeFrom: Money?) {
        self.label = label
        self.fee = fee
        self.freeFrom = freeFrom
    }
}
