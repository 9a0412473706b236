import GoMartModels

/// The shop's rules for what an order costs beyond its goods: delivery and the minimum order.
public struct PricingRules: Sendable, Hashable {
    /// The delivery charge for an order below the free-delivery threshold.
    public var deliveryFee: Money
    /// Orders whose goods come to at least this deliver free.
    public var freeDeliveryThreshold: Money
    /// The least the goods of an order may come to.
    public var minimumOrder: Money

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
