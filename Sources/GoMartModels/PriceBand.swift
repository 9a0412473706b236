/// A band around a reference: ±`percent` % of it, inclusive, in integer arithmetic. Substitutes
/// must cost about the same for the same amount as what they stand in for (and come in a pack of
/// about the same size), in the shop and in the offline evaluation alike.
public struct PriceBand: Sendable, Hashable {
    /// How far, in per cent, a price may be from the reference, either way.
    public var percent: Int

    /// Creates a band of ±`percent` %.
    public init(percent: Int) {
        self.percent = percent
    }

    /// True when `price` (minor units, or any whole quantity) is within the band around `reference`.
    public func contains(_ price: Int64, around reference: Int64) -> Bool {
        abs(price - reference) * 100 <= reference * Int64(percent)
    }
}
