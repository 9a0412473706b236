import Foundation
import Recommendations
import Testing

@Suite struct FeatureEncodingTests {
    static func item(_ id: String, aisle: String = "Bakery", brand: String = "GoMart", price: Int64 = 100, unitPrice: Int64? = nil, unit: String = "each") -> ItemRecord {
        ItemRecord(id: id, name: "Item \(id)", aisle: aisle, brand: brand, priceMinor: price, unitPriceMinor: unitPrice ?? price, unit: unit,
                   soldByWeight: unit == "kg", inStock: true)
    }

    @Test func pricesAreLogScaledAndStandardised() {
        let items = [Self.item("a", price: 100), Self.item("b", price: 1_000), Self.item("c", price: 10_000)]
        let schema = FeatureSchema(fitting: items, weights: FeatureWeights(logPrice: 1, unitPrice: 1, aisle: 1, brand: 1))
        let prices = items.map { schema.dense($0)[0] }
        // log-spaced prices standardise to -√1.5, 0, √1.5.
        #expect(abs(prices[1]) < 1e-12)
        #expect(abs(prices[0] + 1.5.squareRoot()) < 1e-12)
        #expect(abs(prices[2] - 1.5.squareRoot()) < 1e-12)
    }

    @Test func unitPricesAreStandardisedWithinTheirUnit() {
        // Per-kg prices are far higher than per-item ones; within each unit both spread the same way.
        let items = [
            Self.item("a", unitPrice: 100, unit: "each"), Self.item("b", unitPrice: 400, unit: "each"),
            Self.item("c", unitPrice: 10_000, unit: "kg"), Self.item("d", unitPrice: 40_000, unit: "kg"),
        ]
        let schema = FeatureSchema(fitting: items, weights: FeatureWeights(logPrice: 1, unitPrice: 2, aisle: 1, brand: 1))
        let unit = items.map { schema.dense($0)[1] }
        #expect(abs(unit[0] - unit[2]) < 1e-12)
        #expect(abs(unit[1] - unit[3]) < 1e-12)
        #expect(abs(unit[0] + 2) < 1e-12)
        #expect(abs(unit[1] - 2) < 1e-12) // ±1 standard deviation, times the weight 2
    }

    @Test func categoriesAreOneHotWithTheirWeights() {
        let items = [Self.item("a", aisle: "Bakery", brand: "Hovis"), Self.item("b", aisle: "Dairy", brand: "GoMart")]
        let schema = FeatureSchema(fitting: items, weights: FeatureWeights(logPrice: 1, unitPrice: 1, aisle: 3, brand: 0.5))
        #expect(schema.columns == ["log_price", "unit_price", "aisle=Bakery", "aisle=Dairy", "brand=GoMart", "brand=Hovis"])
        #expect(Array(schema.dense(items[0])[2...]) == [3, 0, 0, 0.5])
        #expect(Array(schema.dense(items[1])[2...]) == [0, 3, 0.5, 0])
    }

    @Test func weightsOutOfRangeAreReported() {
        #expect(FeatureWeights().problems.isEmpty)
        #expect(FeatureWeights(logPrice: -1, unitPrice: .nan, aisle: 1, brand: 101).problems.count == 3)
    }
}

@Suite struct NearestNeighbourIndexTests {
    /// A catalogue with repeated prices and categories, so that ties happen.
    static func catalogue(count: Int, seed: UInt64) -> [ItemRecord] {
        var generator = SeededRandom(seed: seed)
        let aisles = ["Bakery", "Dairy", "Drinks", "Frozen", "Pantry"]
        let brands = ["GoMart", "Hovis", "Warburtons", "Yeo Valley", "Heinz", "Kellogg's", "Tropicana"]
        let units = ["each", "kg", "l"]
        return (0..<count).map { index in
            let price = Int64([45, 99, 120, 150, 199, 250, 399, 650, 1_200].randomElement(using: &generator)!)
            let unit = units.randomElement(using: &generator)!
            return ItemRecord(
                id: String(format: "%08x-0000-4000-8000-%012x", (index * 7_919) % 65_536, index), name: "Item \(index)",
                aisle: aisles.randomElement(using: &generator)!, brand: brands.randomElement(using: &generator)!,
                priceMinor: price, unitPriceMinor: price * Int64([1, 2, 4, 10].randomElement(using: &generator)!), unit: unit,
                soldByWeight: unit == "kg", inStock: Bool.random(using: &generator)
            )
        }
    }

    /// The neighbours by the textbook definition: dense vectors, every distance, sorted by (distance, id).
    static func bruteForce(_ items: [ItemRecord], schema: FeatureSchema, query: Int, k: Int, metric: DistanceMetric) -> [String] {
        let vectors = items.map(schema.dense)
        func distance(_ a: [Double], _ b: [Double]) -> Double {
            switch metric {
            case .euclidean:
                var sum = 0.0
                for (x, y) in zip(a, b) { sum += (x - y) * (x - y) }
                return sum.squareRoot()
            case .cosine:
                var dot = 0.0, normA = 0.0, normB = 0.0
                for (x, y) in zip(a, b) {
                    dot += x * y
                    normA += x * x
                    normB += y * y
                }
                let norms = (normA * normB).squareRoot()
                return norms > 0 ? 1 - dot / norms : 1
            }
        }
        // Distances rounded to 1e-9 so that sums taken in another order still tie.
        var ranked: [(id: String, distance: Double)] = []
        for other in items.indices where other != query {
            let exact = distance(vectors[query], vectors[other])
            ranked.append((items[other].id, (exact * 1e9).rounded() / 1e9))
        }
        ranked.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.id < $1.id }
        return ranked.prefix(k).map(\.id)
    }

    @Test(arguments: DistanceMetric.allCases)
    func matchesTheTextbookDefinitionForEveryItem(metric: DistanceMetric) {
        let items = Self.catalogue(count: 300, seed: 42)
        let schema = FeatureSchema(fitting: items, weights: FeatureWeights())
        let index = NearestNeighbourIndex(items: items, schema: schema)
        var mismatches = 0
        for query in items.indices {
            let found = index.neighbours(of: query, k: 10, metric: metric).map(\.id)
            if found != Self.bruteForce(items, schema: schema, query: query, k: 10, metric: metric) { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func tiesAreBrokenByIdWhateverTheInputOrder() {
        // Five identical items: every one's neighbours are the other four, in id order.
        let twins = ["e", "b", "d", "a", "c"].map { FeatureEncodingTests.item($0) }
        let schema = FeatureSchema(fitting: twins, weights: FeatureWeights())
        let forwards = NearestNeighbourIndex(items: twins, schema: schema)
        let backwards = NearestNeighbourIndex(items: twins.reversed(), schema: schema)
        let fromC = forwards.neighbours(of: forwards.ids.firstIndex(of: "c")!, k: 3, metric: .euclidean)
        #expect(fromC.map(\.id) == ["a", "b", "d"])
        #expect(fromC.allSatisfy { $0.distance == 0 })
        #expect(backwards.neighbours(of: backwards.ids.firstIndex(of: "c")!, k: 3, metric: .euclidean).map(\.id) == ["a", "b", "d"])
    }

    @Test func boundsExclusionsAndUnknownCategories() {
        let items = Self.catalogue(count: 20, seed: 7)
        let schema = FeatureSchema(fitting: Array(items.prefix(10)), weights: FeatureWeights())
        let stranger = ItemRecord(id: "zz", name: "New", aisle: "Garden", brand: "Unknown", priceMinor: 500, unitPriceMinor: 500, unit: "each",
                                  soldByWeight: false, inStock: true)
        let index = NearestNeighbourIndex(items: items + [stranger], schema: schema)
        #expect(index.neighbours(of: 0, k: 0, metric: .euclidean).isEmpty)
        #expect(index.neighbours(of: 99, k: 5, metric: .euclidean).isEmpty)
        #expect(index.neighbours(of: 0, k: 100, metric: .euclidean).count == 20)
        let withoutEven = index.neighbours(of: 0, k: 100, metric: .cosine) { $0 % 2 == 0 }
        #expect(withoutEven.count == 10)
        #expect(withoutEven.allSatisfy { $0.index % 2 == 1 })
        // An unknown aisle and brand encode as zeros: the distance to a known item counts w² per block.
        let known = index.ids.firstIndex(of: items[0].id)!
        let unknown = index.ids.firstIndex(of: "zz")!
        let dense = (schema.dense(items[0]), schema.dense(stranger))
        var squared = 0.0
        for (x, y) in zip(dense.0, dense.1) { squared += (x - y) * (x - y) }
        let expected = squared.squareRoot()
        #expect(abs(index.distance(known, unknown, metric: .euclidean) - expected) < 1e-12)
    }
}
