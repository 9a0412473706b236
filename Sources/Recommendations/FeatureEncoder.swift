import Foundation

/// How much each feature counts in the distance between two items.
public struct FeatureWeights: Sendable, Hashable, Codable {
    /// The standardised log price.
    public var logPrice: Double
    /// The standardised log unit price, within its unit type.
    public var unitPrice: Double
    /// The aisle (one-hot).
    public var aisle: Double
    /// The brand (one-hot).
    public var brand: Double

    public init(logPrice: Double = 1, unitPrice: Double = 1, aisle: Double = 1.5, brand: Double = 0.75) {
        self.logPrice = logPrice
        self.unitPrice = unitPrice
        self.aisle = aisle
        self.brand = brand
    }

    /// Every weight must be a finite number from 0 to 100.
    public var problems: [String] {
        [("logPrice", logPrice), ("unitPrice", unitPrice), ("aisle", aisle), ("brand", brand)]
            .filter { !$0.1.isFinite || $0.1 < 0 || $0.1 > 100 }
            .map { "weight \($0.0) must be from 0 to 100, not \($0.1)" }
    }
}

/// Mean and standard deviation of one numeric feature.
public struct Scaling: Sendable, Hashable, Codable {
    public var mean: Double
    public var standardDeviation: Double

    /// Fits `values`; a constant feature gets a deviation of 1, so it standardises to 0.
    init(fitting values: [Double]) {
        let count = Double(max(values.count, 1))
        let mean = values.reduce(0, +) / count
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count
        self.mean = mean
        standardDeviation = variance > 1e-24 ? variance.squareRoot() : 1
    }

    func standardise(_ value: Double) -> Double {
        (value - mean) / standardDeviation
    }
}

/// The features of the model and how items map onto them: fitted on a catalogue, stored with
/// the model, so that serving encodes exactly as training did.
///
/// Each item becomes two numbers and two categories:
/// - the log of its price, standardised over the catalogue, times the price weight;
/// - the log of its unit price standardised among items priced per the same unit (per kg, per
///   litre, each), times the unit price weight;
/// - its aisle and its brand, each one-hot with the category's weight.
///
/// Written out densely that is `2 + aisles + brands` columns; the index never expands it, because
/// the distance between two one-hot blocks is 0 or 2·weight², whichever the categories say.
public struct FeatureSchema: Sendable, Hashable, Codable {
    public var weights: FeatureWeights
    public var logPrice: Scaling
    /// Log unit price scaling per unit type (`kg`, `l`, `each`).
    public var unitPrice: [String: Scaling]
    /// Known aisles and brands, sorted: the order of the one-hot columns.
    public var aisles: [String]
    public var brands: [String]

    /// Fits the schema to `items`.
    public init(fitting items: [ItemRecord], weights: FeatureWeights) {
        self.weights = weights
        logPrice = Scaling(fitting: items.map { Self.logMinor($0.priceMinor) })
        unitPrice = Dictionary(grouping: items, by: \.unit).mapValues { group in
            Scaling(fitting: group.map { Self.logMinor($0.unitPriceMinor) })
        }
        aisles = Array(Set(items.map(\.aisle))).sorted()
        brands = Array(Set(items.map(\.brand))).sorted()
    }

    /// The names of the dense columns, in order.
    public var columns: [String] {
        ["log_price", "unit_price"] + aisles.map { "aisle=\($0)" } + brands.map { "brand=\($0)" }
    }

    /// The two weighted numeric features of `item`.
    public func numeric(_ item: ItemRecord) -> (Double, Double) {
        let price = logPrice.standardise(Self.logMinor(item.priceMinor)) * weights.logPrice
        let scaling = unitPrice[item.unit] ?? Scaling(fitting: [])
        let unit = scaling.standardise(Self.logMinor(item.unitPriceMinor)) * weights.unitPrice
        return (price, unit)
    }

    /// The dense, weighted feature vector of `item` (for export and for checking with other tools).
    public func dense(_ item: ItemRecord) -> [Double] {
        let (price, unit) = numeric(item)
        var vector = [price, unit]
        vector += aisles.map { $0 == item.aisle ? weights.aisle : 0 }
        vector += brands.map { $0 == item.brand ? weights.brand : 0 }
        return vector
    }

    /// Log of an amount in minor units; a zero price counts as one minor unit.
    static func logMinor(_ minor: Int64) -> Double {
        log(Double(max(minor, 1)))
    }
}
