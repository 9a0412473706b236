import Foundation
import GoMartModels

/// How a loose product (priced per kilogram) is bought and weighed: by weight in steps, or by
/// count with an average weight. Quantities are whole grams or whole items; its stock is in grams.
///
/// The shopper is charged for what the picker weighs, within the product's tolerance of what was
/// ordered (an order for 1 kg at ±10 % is picked at 900 g to 1.1 kg).
public struct Weighing: Sendable, Hashable {
    /// How the shopper says how much they want.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// A weight in grams, in steps (e.g. 250 g, 500 g, 750 g …).
        case weight
        /// A number of items, each weighing about ``Weighing/averageGrams``.
        case count
    }

    /// How the shopper says how much they want.
    public var mode: Mode
    /// By weight: the step, the least and the most a line may ask for, in grams.
    public var stepGrams: Int
    public var minimumGrams: Int
    public var maximumGrams: Int
    /// By count: what one item weighs on average, in grams.
    public var averageGrams: Int
    /// How far, in per cent, the picked weight may be from the ordered one.
    public var tolerancePercent: Int

    /// The most items of a product sold by count in one line.
    public static let maximumCount = 30
    /// The defaults for a product sold by weight when the catalogue says no more: 250 g steps
    /// from 250 g to 3 kg, ±10 %.
    public static let byWeight = Weighing(mode: .weight, stepGrams: 250, minimumGrams: 250, maximumGrams: 3000, averageGrams: 0, tolerancePercent: 10)

    /// Creates a way of weighing.
    public init(mode: Mode, stepGrams: Int, minimumGrams: Int, maximumGrams: Int, averageGrams: Int, tolerancePercent: Int) {
        self.mode = mode
        self.stepGrams = stepGrams
        self.minimumGrams = minimumGrams
        self.maximumGrams = maximumGrams
        self.averageGrams = averageGrams
        self.tolerancePercent = tolerancePercent
    }

    /// By count, about `averageGrams` each.
    public static func byCount(averageGrams: Int, tolerancePercent: Int = 10) -> Weighing {
        Weighing(mode: .count, stepGrams: 0, minimumGrams: 0, maximumGrams: 0, averageGrams: averageGrams, tolerancePercent: tolerancePercent)
    }

    /// What a line's quantity is counted in: `g` or `each`.
    public var quantityUnit: String { mode == .weight ? "g" : "each" }

    /// The estimated weight of a line of `quantity` (grams, or items).
    public func estimatedGrams(_ quantity: Int) -> Int {
        mode == .weight ? quantity : quantity * averageGrams
    }

    /// The quantities a line may have: every step by weight, 1 to ``maximumCount`` by count.
    public var quantities: [Int] {
        mode == .weight ? Array(stride(from: minimumGrams, through: maximumGrams, by: max(stepGrams, 1))) : Array(1...Self.maximumCount)
    }

    /// What a tile's "Add" button asks for: 500 g when that is a step, else the least; one item.
    public var defaultQuantity: Int {
        mode == .count ? 1 : quantities.contains(500) ? 500 : minimumGrams
    }

    /// Why `quantity` cannot be a line's quantity, in words, or nil when it can.
    public func problem(with quantity: Int) -> String? {
        switch mode {
        case .weight:
            quantities.contains(quantity) ? nil
                : "Choose a weight from \(Self.format(grams: minimumGrams)) to \(Self.format(grams: maximumGrams)) in steps of \(Self.format(grams: stepGrams))."
        case .count:
            (1...Self.maximumCount).contains(quantity) ? nil : "Choose from 1 to \(Self.maximumCount)."
        }
    }

    /// The weights a picker may record for `grams` ordered: within the tolerance either way.
    public func acceptableGrams(ordered grams: Int) -> ClosedRange<Int> {
        let spread = grams * tolerancePercent / 100
        return max(grams - spread, 1)...(grams + spread)
    }

    /// A line's quantity in words: "750 g", "1.25 kg", "4 (about 720 g)".
    public func describe(_ quantity: Int) -> String {
        mode == .weight ? Self.format(grams: quantity) : "\(quantity) (about \(Self.format(grams: estimatedGrams(quantity))))"
    }

    /// How it is sold, in words: "Sold by weight, 250 g to 3 kg" or "About 180 g each".
    public var summary: String {
        mode == .weight ? "Sold by weight, \(Self.format(grams: minimumGrams)) to \(Self.format(grams: maximumGrams))"
            : "Sold by count, about \(Self.format(grams: averageGrams)) each"
    }

    /// A weight in words: grams below a kilogram, kilograms from one ("1.25 kg").
    public static func format(grams: Int) -> String {
        grams < 1000 ? "\(grams) g" : "\(Thousandths.format(Int64(grams))) kg"
    }

    /// Why the values cannot describe a way of weighing, or nil when they can.
    public var problem: String? {
        guard (1...50).contains(tolerancePercent) else { return "the weight tolerance must be from 1 to 50 per cent" }
        switch mode {
        case .weight:
            guard (1...10_000).contains(stepGrams) else { return "the weight step must be from 1 g to 10 kg" }
            guard minimumGrams >= stepGrams, minimumGrams % stepGrams == 0 else { return "the least weight must be a whole number of steps" }
            guard maximumGrams >= minimumGrams, maximumGrams <= 25_000, maximumGrams % stepGrams == 0 else {
                return "the most weight must be a whole number of steps, from the least up to 25 kg"
            }
            guard (maximumGrams - minimumGrams) / stepGrams < 100 else { return "offer at most 100 weights (make the steps larger)" }
        case .count:
            guard (1...5_000).contains(averageGrams) else { return "the average weight must be from 1 g to 5 kg" }
        }
        return nil
    }

    /// The form stored in the catalogue: `weight:250:250:3000:10` or `count:180:10`.
    public var stored: String {
        mode == .weight ? "weight:\(stepGrams):\(minimumGrams):\(maximumGrams):\(tolerancePercent)" : "count:\(averageGrams):\(tolerancePercent)"
    }

    /// Reads the stored form; nil for anything else (a product not sold by weight stores "").
    public init?(stored text: String) {
        let parts = text.split(separator: ":").map(String.init)
        let numbers = parts.dropFirst().compactMap { Int($0) }
        switch (parts.first, numbers.count) {
        case ("weight", 4) where parts.count == 5:
            self.init(mode: .weight, stepGrams: numbers[0], minimumGrams: numbers[1], maximumGrams: numbers[2], averageGrams: 0, tolerancePercent: numbers[3])
        case ("count", 2) where parts.count == 3:
            self = .byCount(averageGrams: numbers[0], tolerancePercent: numbers[1])
        default:
            return nil
        }
    }
}

extension Weighing {
    /// The catalogue file's weighing columns.
    public static let columns = ["weight_step_g", "weight_min_g", "weight_max_g", "average_weight_g", "weight_tolerance_percent"]

    /// The columns for `weighing` (all empty for a product not sold by weight): a by-count
    /// product has only its average weight and tolerance.
    public static func columns(_ weighing: Weighing?) -> [String: String] {
        guard let weighing else { return Dictionary(uniqueKeysWithValues: columns.map { ($0, "") }) }
        let byWeight = weighing.mode == .weight
        return ["weight_step_g": byWeight ? String(weighing.stepGrams) : "", "weight_min_g": byWeight ? String(weighing.minimumGrams) : "",
                "weight_max_g": byWeight ? String(weighing.maximumGrams) : "", "average_weight_g": byWeight ? "" : String(weighing.averageGrams),
                "weight_tolerance_percent": String(weighing.tolerancePercent)]
    }

    /// Reads the weighing columns of a product sold by weight: an average weight makes it sold
    /// by count; empty columns take ``byWeight``'s values. Problems go to `problem`.
    static func read(_ values: [String: String], problem: (String, String) -> Void) -> Weighing? {
        var failed = false
        func number(_ column: String, _ fallback: Int) -> Int {
            guard let text = values[column]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return fallback }
            guard let value = Int(text), value >= 0 else {
                problem(column, "'\(text)' is not a whole number")
                failed = true
                return fallback
            }
            return value
        }
        let tolerance = number("weight_tolerance_percent", byWeight.tolerancePercent)
        let average = number("average_weight_g", 0)
        let weighing = average > 0 ? Weighing.byCount(averageGrams: average, tolerancePercent: tolerance)
            : Weighing(mode: .weight, stepGrams: number("weight_step_g", byWeight.stepGrams), minimumGrams: number("weight_min_g", byWeight.minimumGrams),
                       maximumGrams: number("weight_max_g", byWeight.maximumGrams), averageGrams: 0, tolerancePercent: tolerance)
        if let message = weighing.problem {
            problem(average > 0 ? "average_weight_g" : "weight_step_g", message)
            failed = true
        }
        return failed ? nil : weighing
    }
}
