import Foundation
import GoMartModels

/// Offline evaluation of substitutes: on an order history, a share of the lines is taken to have
/// been out of stock at picking; for each, is the model's first suggestion (the product's nearest
/// neighbour) a fair substitute (the same aisle, the same unit, the unit price within the band),
/// and did the shopper buy it in a later order? Beside a random product of the same aisle.
public struct SubstitutionEvaluation: Sendable, Equatable {
    /// One way of choosing a substitute, scored.
    public struct Scores: Sendable, Equatable {
        public var name: String
        /// Short lines for which it named a substitute.
        public var suggested: Int
        /// Of those, the share in the same aisle, measured the same way, with the unit price in the band.
        public var fair: Double
        /// Of those, the share the shopper bought in a later order.
        public var boughtLater: Double

        /// Creates scores.
        public init(name: String, suggested: Int, fair: Double, boughtLater: Double) {
            self.name = name
            self.suggested = suggested
            self.fair = fair
            self.boughtLater = boughtLater
        }
    }

    /// Order lines in the history, and how many were taken to be out of stock.
    public var lines: Int
    public var shortLines: Int
    public var stockOutPercent: Int
    public var bandPercent: Int
    public var scores: [Scores]

    /// Takes `stockOutPercent` % of the lines of `orders` (seeded, so repeatable) as out of stock
    /// and scores the model's first suggestion and a random same-aisle product for each.
    public static func run(items: [ItemRecord], orders: [OrderLineRecord], index: NearestNeighbourIndex, metric: DistanceMetric,
                           stockOutPercent: Int = 5, bandPercent: Int = 20, seed: UInt64 = 1) -> SubstitutionEvaluation {
        let byID = Dictionary(items.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let position = Dictionary(index.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let byAisle = Dictionary(grouping: items.map(\.id).sorted(), by: { byID[$0]?.aisle ?? "" })
        // When each customer bought each product: "later" is after the short line's order.
        var bought: [String: [String: [Int64]]] = [:]
        for line in orders { bought[line.customer, default: [:]][line.product, default: []].append(line.time) }
        let band = PriceBand(percent: bandPercent)
        func fair(_ candidate: ItemRecord, for original: ItemRecord) -> Bool {
            candidate.aisle == original.aisle && candidate.unit == original.unit
                && band.contains(candidate.unitPriceMinor, around: original.unitPriceMinor)
        }
        var generator = SeededRandom(seed: seed)
        var short = 0
        var counts = [(suggested: 0, fair: 0, later: 0), (suggested: 0, fair: 0, later: 0)]
        for line in orders {
            guard generator.next() % 100 < UInt64(stockOutPercent), let original = byID[line.product], let at = position[line.product] else { continue }
            short += 1
            let sameAisle = (byAisle[original.aisle] ?? []).filter { $0 != original.id }
            let model = index.neighbours(of: at, k: 1, metric: metric, excluding: { $0 == at }).first.map { index.ids[$0.index] }
            let random = sameAisle.isEmpty ? nil : sameAisle[Int(generator.next() % UInt64(sameAisle.count))]
            for (slot, choice) in [model, random].enumerated() {
                guard let choice, let candidate = byID[choice] else { continue }
                counts[slot].suggested += 1
                if fair(candidate, for: original) { counts[slot].fair += 1 }
                if bought[line.customer]?[choice]?.contains(where: { $0 > line.time }) == true { counts[slot].later += 1 }
            }
        }
        let scores = zip(["k-NN first suggestion", "random, same aisle"], counts).map { name, count in
            Scores(name: name, suggested: count.suggested, fair: Double(count.fair) / Double(max(count.suggested, 1)),
                   boughtLater: Double(count.later) / Double(max(count.suggested, 1)))
        }
        return SubstitutionEvaluation(lines: orders.count, shortLines: short, stockOutPercent: stockOutPercent, bandPercent: bandPercent, scores: scores)
    }

    /// The scores as a table.
    public var table: String {
        var rows = ["substitute chosen by      suggested   same aisle, ±\(bandPercent) %   bought later", String(repeating: "-", count: 68)]
        for score in scores {
            rows.append(score.name.padding(toLength: 24, withPad: " ", startingAt: 0)
                + String(format: " %10d %18.3f %14.3f", score.suggested, score.fair, score.boughtLater))
        }
        rows.append("(\(shortLines) of \(lines) order lines taken as out of stock: \(stockOutPercent) %, seeded)")
        return rows.joined(separator: "\n")
    }
}
