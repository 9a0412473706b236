import Foundation
import Recommendations
import Testing

@Suite struct SubstitutionEvaluationTests {
    @Test func aFairSubstituteBoughtLaterIsCountedAsSuch() {
        func item(_ id: String, _ aisle: String, _ unitPrice: Int64) -> ItemRecord {
            ItemRecord(id: id, name: id, aisle: aisle, brand: "GoMart", priceMinor: unitPrice, unitPriceMinor: unitPrice, unit: "each", soldByWeight: false, inStock: true)
        }
        // A's nearest neighbour is B (same aisle, 10 % dearer); C costs the same but is elsewhere,
        // and the rest spread the prices. The shopper buys A, then B: with every line out of
        // stock, B for A was bought later, A for B was not.
        let items = [item("a", "Pantry", 100), item("b", "Pantry", 110), item("c", "Snacks", 100), item("d", "Pantry", 900),
                     item("e", "Snacks", 20), item("f", "Household", 2000), item("g", "Household", 10)]
        let orders = [OrderLineRecord(order: "o1", customer: "k1", time: 1, product: "a", quantity: 1),
                      OrderLineRecord(order: "o2", customer: "k1", time: 2, product: "b", quantity: 1)]
        let index = NearestNeighbourIndex(items: items, schema: FeatureSchema(fitting: items, weights: FeatureWeights()))
        let evaluation = SubstitutionEvaluation.run(items: items, orders: orders, index: index, metric: .euclidean, stockOutPercent: 100)
        #expect(evaluation.shortLines == 2)
        #expect(evaluation.scores == [
            .init(name: "k-NN first suggestion", suggested: 2, fair: 1, boughtLater: 0.5),
            // The seeded random pick is D both times: same aisle, but nine times the price.
            .init(name: "random, same aisle", suggested: 2, fair: 0, boughtLater: 0),
        ])
        // A band of 5 % makes B no fair substitute for A (10 % dearer), nor A for B (9.1 % cheaper).
        let narrow = SubstitutionEvaluation.run(items: items, orders: orders, index: index, metric: .euclidean, stockOutPercent: 100, bandPercent: 5)
        #expect(narrow.scores.map(\.fair) == [0, 0])
    }

    @Test func theModelsFirstSuggestionIsFairMoreOftenThanARandomProductOfTheAisle() {
        let items = NearestNeighbourIndexTests.catalogue(count: 400, seed: 11)
        let orders = SyntheticOrders.generate(items: items, customers: 300)
        let index = NearestNeighbourIndex(items: items, schema: FeatureSchema(fitting: items, weights: FeatureWeights()))
        let evaluation = SubstitutionEvaluation.run(items: items, orders: orders, index: index, metric: .euclidean)
        #expect(evaluation == SubstitutionEvaluation.run(items: items, orders: orders, index: index, metric: .euclidean))
        #expect((orders.count * 3 / 100...orders.count * 7 / 100).contains(evaluation.shortLines))
        let knn = evaluation.scores[0], random = evaluation.scores[1]
        #expect(knn.fair > random.fair)
        #expect(knn.boughtLater > random.boughtLater)
        #expect(evaluation.table.contains("k-NN first suggestion"))
    }
}
