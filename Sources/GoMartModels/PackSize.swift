import Foundation

/// How a product is measured for its unit price: by weight, by volume, or by count.
public enum MeasureUnit: String, Sendable, Codable, CaseIterable {
    /// Weight; unit prices are per kilogram and quantities are in grams.
    case weight = "kg"
    /// Volume; unit prices are per litre and quantities are in millilitres.
    case volume = "l"
    /// Count; unit prices are per item.
    case count = "each"

    /// The base quantity a unit price refers to (1000 g, 1000 ml, 1 item).
    public var unitPriceBase: Int64 {
        switch self {
        case .weight, .volume: 1000
        case .count: 1
        }
    }

    /// The label shown after a unit price, e.g. `per kg`.
    public var unitPriceLabel: String {
        switch self {
        case .weight: "per kg"
        case .volume: "per litre"
        case .count: "each"
        }
    }
}

/// A parsed pack size such as `500 g`, `1 L`, `6 × 330 ml`, `4 pack` or `per kg`.
///
/// The total quantity is kept in integer base units (grams, millilitres, items) so that unit
/// prices are derived with integer arithmetic.
public struct PackSize: Hashable, Sendable {
    /// What the pack is measured in.
    public var unit: MeasureUnit
    /// Total quantity in base units: grams, millilitres or items.
    public var totalBaseQuantity: Int64
    /// The text shown to shoppers, normalised (e.g. `6 × 330 ml`).
    public var label: String
    /// True for loose goods priced per kilogram (`per kg`).
    public var isPricedPerKilogram: Bool

    /// Parses the pack-size notations the catalogue uses. Returns `nil` for anything else.
    public init?(parsing text: String) {
        let normalised = text.trimmingCharacters(in: .whitespaces)
            .replacingOccurrences(of: "×", with: "x")
            .lowercased()
        if normalised == "per kg" || normalised == "loose" {
            self.init(unit: .weight, totalBaseQuantity: 1000, label: "per kg", isPricedPerKilogram: true)
            return
        }
        if normalised == "each" {
            self.init(unit: .count, totalBaseQuantity: 1, label: "each", isPricedPerKilogram: false)
            return
        }
        var multiplier: Int64 = 1
        var rest = Substring(normalised)
        if let x = rest.firstIndex(of: "x") {
            let countText = rest[..<x].trimmingCharacters(in: .whitespaces)
            guard let count = Int64(countText), count > 0, count <= 1000 else { return nil }
            multiplier = count
            rest = rest[rest.index(after: x)...]
        }
        let trimmed = rest.trimmingCharacters(in: .whitespaces)
        guard let split = trimmed.firstIndex(where: { !$0.isASCIIDigit && $0 != "." }) else { return nil }
        let numberText = trimmed[..<split].trimmingCharacters(in: .whitespaces)
        let unitText = trimmed[split...].trimmingCharacters(in: .whitespaces)
        guard let quantity = Thousandths.parse(numberText), quantity > 0 else { return nil }
        let unit: MeasureUnit
        let baseThousandths: Int64
        let unitLabel: String
        switch unitText {
        case "g": (unit, baseThousandths, unitLabel) = (.weight, quantity, "g")
        case "kg": (unit, baseThousandths, unitLabel) = (.weight, quantity * 1000, "kg")
        case "ml": (unit, baseThousandths, unitLabel) = (.volume, quantity, "ml")
        case "cl": (unit, baseThousandths, unitLabel) = (.volume, quantity * 10, "cl")
        case "l": (unit, baseThousandths, unitLabel) = (.volume, quantity * 1000, "L")
        case "pack", "each", "pcs", "items", "rolls", "eggs", "sheets":
            guard quantity % 1000 == 0 else { return nil }
            (unit, baseThousandths, unitLabel) = (.count, quantity, unitText == "each" ? "pack" : unitText)
        default: return nil
        }
        guard baseThousandths % 1000 == 0 else { return nil }
        let single = baseThousandths / 1000
        let numberLabel = Thousandths.format(quantity)
        let singleLabel = "\(numberLabel) \(unitLabel)"
        self.init(
            unit: unit,
            totalBaseQuantity: single * multiplier,
            label: multiplier > 1 ? "\(multiplier) × \(singleLabel)" : singleLabel,
            isPricedPerKilogram: false
        )
    }

    /// Creates a pack size from its parts.
    public init(unit: MeasureUnit, totalBaseQuantity: Int64, label: String, isPricedPerKilogram: Bool) {
        self.unit = unit
        self.totalBaseQuantity = totalBaseQuantity
        self.label = label
        self.isPricedPerKilogram = isPricedPerKilogram
    }

    /// The price per kg, per litre or per item for a pack costing `price`, rounded half up.
    public func unitPrice(for price: Money) -> Money {
        let numerator = price.minorUnits * unit.unitPriceBase
        let rounded = (2 * numerator + totalBaseQuantity) / (2 * totalBaseQuantity)
        return Money(minorUnits: rounded, currency: price.currency)
    }
}
