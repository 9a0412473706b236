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
