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
        #expect(empty.customers == 0)
        #expect(empty.scores.allSatisfy { $0.hitRate == 0 })
    }

    @Test func basketNeighboursLeaveTheBasketOut() {
        let items = NearestNeighbourIndexTests.catalogue(count: 60, seed: 5)
        let index = NearestNeighbourIndex(items: items, schema: FeatureSchema(fitting: items, weights: FeatureWeights()))
        let list = Evaluation.nearestToBasket([0, 1, 2], index: index, metric: .euclidean)
        #expect(list.count == 10)
        #expect(Set(list).isDisjoint(with: [0, 1, 2]))
    }

    @Test func aTrainedModelCarriesItsEvaluationThroughTheStore() throws {
        let items = NearestNeighbourIndexTests.catalogue(count: 120, seed: 8)
        let orders = SyntheticOrders.generate(items: items, customers: 60)
        let (model, index) = RecommendationModel.train(TrainingData(items: items, orders: orders), weights: FeatureWeights(), metric: .cosine)
        let evaluation = try #require(model.evaluation)
        #expect(evaluation == Evaluation.run(orders: orders, index: index, metric: .cosine))
        #expect(evaluation.customers == 60)
        #expect(evaluation.scores[0].name == "k-NN (cosine)")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = ModelStore(directory: directory)
        try store.save(model, index: index)
        #expect(try store.load(version: model.version).evaluation == evaluation)
        // Without order history there is nothing to evaluate.
        #expect(RecommendationModel.train(TrainingData(items: items, orders: []), weights: FeatureWeights(), metric: .cosine).0.evaluation == nil)
    }
}
