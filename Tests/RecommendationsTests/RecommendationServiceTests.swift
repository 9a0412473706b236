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
}

extension RecommendationService.Similar: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.modelVersion == rhs.modelVersion && lhs.items.map(\.id) == rhs.items.map(\.id)
    }
}
