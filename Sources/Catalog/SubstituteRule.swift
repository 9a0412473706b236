import GoMartModels

/// Which products may stand in for one that is not on the shelf: the one home of the rule the
/// picker's suggestions, the shopper's own choice and the offline evaluation all follow.
public struct SubstituteRule: Sendable, Hashable {
    /// How far, in per cent, a substitute's unit price may be from the original's, either way.
    public var priceBandPercent: Int

    /// Creates the rule; the default band is ±20 %.
    public init(priceBandPercent: Int = 20) {
        self.priceBandPercent = priceBandPercent
    }

    /// Why `candidate` cannot stand in for `original`, in words, or nil when it can: another
    /// product of the same aisle, in stock, measured the same way with its unit price and its pack
    /// size within the band, containing no allergen the original does not, and age-restricted only
    /// if the original was (and to no higher age).
    public func problem(with candidate: Product, for original: Product) -> String? {
        if candidate.id == original.id { return "It is the same product." }
        if candidate.aisleSlug != original.aisleSlug { return "\(candidate.name) is in another aisle." }
        if !candidate.inStock { return "\(candidate.name) is out of stock." }
        if candidate.weighing != nil || original.weighing != nil { return "Loose goods are not substituted." }
        if candidate.unit != original.unit || !withinBand(candidate.unitPrice, of: original.unitPrice) {
            return "\(candidate.name) costs more than \(priceBandPercent) % more or less for the same amount."
        }
        // Unit for unit: a pack of about the same size, so that two of it stand in for two.
        if let size = PackSize(parsing: candidate.packSize), let wanted = PackSize(parsing: original.packSize),
           !PriceBand(percent: priceBandPercent).contains(size.totalBaseQuantity, around: wanted.totalBaseQuantity) {
            return "\(candidate.name) comes in another size (\(candidate.packSize), not \(original.packSize))."
        }
        let extra = candidate.food.allergens.subtracting(original.food.allergens)
        if !extra.isEmpty { return "\(candidate.name) contains \(extra.map(\.name).sorted().joined(separator: ", ")), which \(original.name) does not." }
        if candidate.minimumAge > original.minimumAge { return "\(candidate.name) is for people aged \(candidate.minimumAge) or over." }
        return nil
    }

    /// True when `candidate` may stand in for `original`.
    public func accepts(_ candidate: Product, for original: Product) -> Bool {
        problem(with: candidate, for: original) == nil
    }

    /// True when `price` is within the band around `reference`.
    public func withinBand(_ price: Money, of reference: Money) -> Bool {
        PriceBand(percent: priceBandPercent).contains(price.minorUnits, around: reference.minorUnits)
    }
}
