import Foundation
import Recommendations
import Testing

@Suite struct EvaluationTests {
    @Test func theModelBeatsRandomOnStructuredOrders() {
        let items = NearestNeighbourIndexTests.catalogue(count: 400, seed: 11)
        let orders = SyntheticOrders.generate(items: items, customers: 300)
        #expect(Set(orders.map(\.customer)).count == 300)
        let schema = FeatureSchema(fitting: items, weights: FeatureWeights())
        let index = NearestNeighbourIndex(items: items, schema: schema)
        let evaluation = Evaluation.run(orders: orders, index: index, metric: .euclidean)
        #expect(evaluation.customers == 300)
        let scores = Dictionary(uniqueKeysWithValues: evaluation.scores.map { ($0.name, $0) })
        let knn = scores["k-NN (euclidean)"]!, random = scores["random"]!, popularity = scores["popularity"]!
        #expect(knn.hitRate > 3 * random.hitRate)
        #expect(knn.recall > 3 * random.recall)
        #expect(popularity.coverage == 10.0 / 400)
        #expect(evaluation.table.contains("popularity"))
    }

    @Test func aRepeatableHistoryAndAnEmptyOne() {
        let items = NearestNeighbourIndexTests.catalogue(count: 50, seed: 3)
        #expect(SyntheticOrders.generate(items: items, customers: 5) == SyntheticOrders.generate(items: items, customers: 5))
        let index = NearestNeighbourIndex(items: items, schema: FeatureSchema(fitting: items, weights: FeatureWeights()))
        let empty = Evaluation.run(orders: [], index: index, metric: .cosine)
        #expect(empty.customers == 0 && empty.scores.allSatisfy { $0.hitRate == 0 })
    }

    @Test func basketNeighboursLeaveTheBasketOut() {
        let items = NearestNeighbourIndexTests.catalogue(count: 60, seed: 5)
        let index = NearestNeighbourIndex(items: items, schema: FeatureSchema(fitting: items, weights: FeatureWeights()))
        let list = Evaluation.nearestToBasket([0, 1, 2], index: index, metric: .euclidean)
        #expect(list.count == 10 && Set(list).isDisjoint(with: [0, 1, 2]))
    }
}
