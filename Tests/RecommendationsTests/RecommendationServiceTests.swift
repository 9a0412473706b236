import Foundation
import Recommendations
import Testing

@Suite struct RecommendationServiceTests {
    @Test func loadsTheNewestModelAndSwapsInANewerOne() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = ModelStore(directory: directory)
        let service = RecommendationService(store: store)
        let items = NearestNeighbourIndexTests.catalogue(count: 40, seed: 9)
        #expect(try service.reload() == false)
        #expect(service.modelVersion == nil && service.similar(to: items[0].id, k: 3) == nil)

        let data = TrainingData(items: items, orders: [])
        let (first, firstIndex) = RecommendationModel.train(data, weights: FeatureWeights(), metric: .euclidean, now: Date(timeIntervalSince1970: 1_800_000_000))
        try store.save(first, index: firstIndex)
        #expect(try service.reload() == true)
        #expect(service.modelVersion == first.version)
        let similar = try #require(service.similar(to: items[0].id, k: 3))
        #expect(similar.modelVersion == first.version && similar.items.count == 3 && !similar.items.contains { $0.id == items[0].id })
        #expect(service.similar(to: "not-in-the-model", k: 3) == nil)
        #expect(try service.reload() == false)

        // A newer model (other weights) replaces it; answers change with it.
        let (second, secondIndex) = RecommendationModel.train(data, weights: FeatureWeights(logPrice: 0, unitPrice: 0, aisle: 1, brand: 0),
                                                              metric: .cosine, now: Date(timeIntervalSince1970: 1_800_000_060))
        try store.save(second, index: secondIndex)
        #expect(try service.reload() == true)
        #expect(service.modelVersion == second.version && second.version > first.version)
        #expect(service.similar(to: items[0].id, k: 3)?.modelVersion == second.version)
    }

    @Test func basketRecommendationsLeaveOutTheBasketAndTheExclusions() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = ModelStore(directory: directory)
        let service = RecommendationService(store: store)
        let items = NearestNeighbourIndexTests.catalogue(count: 80, seed: 4)
        let basket = [items[3].id, items[17].id, "not-in-the-model"]
        #expect(service.recommended(forBasket: basket, excluding: [], k: 5) == nil)

        let (model, index) = RecommendationModel.train(TrainingData(items: items, orders: []), weights: FeatureWeights(), metric: .euclidean)
        try store.save(model, index: index)
        try service.reload()
        let nearest = try #require(service.recommended(forBasket: basket, excluding: [], k: 6))
        #expect(nearest.modelVersion == model.version && nearest.items.count == 6)
        #expect(!nearest.items.contains { basket.contains($0.id) })
        // Exact: the definition, by brute force over every other item.
        let positions = [items[3].id, items[17].id].compactMap { index.ids.firstIndex(of: $0) }
        var expected: [RecommendedItem] = []
        for candidate in 0..<index.count where !positions.contains(candidate) {
            let distances = positions.map { index.distance($0, candidate, metric: .euclidean) }
            expected.append(RecommendedItem(id: index.ids[candidate], distance: distances.min() ?? .infinity))
        }
        expected.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.id < $1.id }
        #expect(nearest.items.map(\.id) == expected.prefix(6).map(\.id))

        let excluded = Set(nearest.items.prefix(2).map(\.id))
        let rest = try #require(service.recommended(forBasket: basket, excluding: excluded, k: 5))
        #expect(rest.items.map(\.id) == nearest.items.dropFirst(2).map(\.id) + [expected[6].id])
        #expect(service.recommended(forBasket: ["not-in-the-model"], excluding: [], k: 5) == nil)
    }
}
