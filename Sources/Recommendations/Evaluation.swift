import Foundation

/// Offline evaluation by leaving out each customer's last basket: from what they bought before,
/// does a recommender name what they bought next?
public struct Evaluation: Sendable, Codable, Equatable {
    /// One recommender's scores.
    public struct Scores: Sendable, Codable, Equatable {
        public var name: String
        /// Customers for whom at least one of the ten recommendations was in the held-out basket.
        public var hitRate: Double
        /// The share of each held-out basket's items among the ten recommendations, averaged.
        public var recall: Double
        /// Distinct items ever recommended, as a share of the catalogue.
        public var coverage: Double
    }

    public var customers: Int
    public var scores: [Scores]

    /// How many recommendations are scored.
    public static let listLength = 10

    /// Scores the k-NN model (neighbours of the last basket's items), the most popular items and
    /// random items (seeded, so repeatable) on `orders`.
    public static func run(orders: [OrderLineRecord], index: NearestNeighbourIndex, metric: DistanceMetric, seed: UInt64 = 1) -> Evaluation {
        let position = Dictionary(index.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        // Baskets per customer, oldest first.
        struct Basket { var time: Int64; var order: String; var items: Set<Int> }
        var baskets: [String: [String: Basket]] = [:]
        for line in orders {
            guard let item = position[line.product] else { continue }
            baskets[line.customer, default: [:]][line.order, default: Basket(time: line.time, order: line.order, items: [])].items.insert(item)
        }
        var cases: [(history: [Set<Int>], heldOut: Set<Int>)] = []
        var training: [Int: Int] = [:]
        for (_, byOrder) in baskets.sorted(by: { $0.key < $1.key }) {
            let ordered = byOrder.values.sorted { ($0.time, $0.order) < ($1.time, $1.order) }
            let history = ordered.dropLast().map(\.items)
            for basket in history { for item in basket { training[item, default: 0] += 1 } }
            if ordered.count >= 2, let last = ordered.last { cases.append((Array(history), last.items)) }
            if ordered.count == 1 { for item in ordered[0].items { training[item, default: 0] += 1 } }
        }
        let popular = training.sorted { $0.value != $1.value ? $0.value > $1.value : index.ids[$0.key] < index.ids[$1.key] }
            .prefix(listLength).map(\.key)
        var generator = SeededRandom(seed: seed)

        var scores: [Scores] = []
        for name in ["k-NN (\(metric.rawValue))", "popularity", "random"] {
            var hits = 0, recall = 0.0
            var recommended = Set<Int>()
            for testCase in cases {
                let list: [Int]
                switch name {
                case "popularity": list = popular
                case "random": list = (0..<listLength).map { _ in Int(generator.next() % UInt64(max(index.count, 1))) }
                default: list = nearestToBasket(testCase.history.last ?? [], index: index, metric: metric)
                }
                let found = Set(list).intersection(testCase.heldOut).count
                if found > 0 { hits += 1 }
                recall += Double(found) / Double(testCase.heldOut.count)
                recommended.formUnion(list)
            }
            let count = Double(max(cases.count, 1))
            scores.append(Scores(name: name, hitRate: Double(hits) / count, recall: recall / count,
                                 coverage: Double(recommended.count) / Double(max(index.count, 1))))
        }
        return Evaluation(customers: cases.count, scores: scores)
    }

    /// The ten items nearest to any item of `basket` (each scored by its smallest distance),
    /// the basket's own items left out: what the shop serves from a shopper's last order.
    public static func nearestToBasket(_ basket: Set<Int>, index: NearestNeighbourIndex, metric: DistanceMetric) -> [Int] {
        index.neighbours(ofBasket: basket, k: listLength, metric: metric).map(\.index)
    }

    /// The scores as a table.
    public var table: String {
        var lines = ["recommender            hit rate@10   recall@10   coverage", String(repeating: "-", count: 58)]
        for score in scores {
            lines.append(score.name.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(format: " %11.3f %11.3f %10.3f", score.hitRate, score.recall, score.coverage))
        }
        lines.append("(\(customers) customers with two or more orders; the last order of each held out)")
        return lines.joined(separator: "\n")
    }
}

/// A small, repeatable random number generator (SplitMix64), for synthetic data and baselines.
public struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
