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
        #expect(service.modelVersion == nil)
        #expect(service.similar(to: items[0].id, k: 3) == nil)

        let data = TrainingData(items: items, orders: [])
        let (first, firstIndex) = RecommendationModel.train(data, weights: FeatureWeights(), metric: .euclidean, now: Date(timeIntervalSince1970: 1_800_000_000))
        try store.save(first, index: firstIndex)
        #expect(try service.reload() == true)
        #expect(service.modelVersion == first.version)
        let similar = try #require(service.similar(to: items[0].id, k: 3))
        #expect(similar.modelVersion == first.version)
        #expect(similar.items.count == 3)
        #expect(!similar.items.contains { $0.id == items[0].id })
        #expect(service.similar(to: "not-in-the-model", k: 3) == nil)
        #expect(try service.reload() == false)

        // A newer model (other weights) replaces it; answers change with it.
        let (second, secondIndex) = RecommendationModel.train(data, weights: FeatureWeights(logPrice: 0, unitPrice: 0, aisle: 1, brand: 0),
                                                              metric: .cosine, now: Date(timeIntervalSince1970: 1_800_000_060))
        try store.save(second, index: secondIndex)
        #expect(try service.reload() == true)
        #expect(service.modelVersion == second.version)
        #expect(second.version > first.version)
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
        #expect(nearest.modelVersion == model.version)
        #expect(nearest.items.count == 6)
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

    @Test func questionsDuringSwapsAllGetAnAnswerFromAWholeModel() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = ModelStore(directory: directory)
        let service = RecommendationService(store: store)
        let items = NearestNeighbourIndexTests.catalogue(count: 300, seed: 12)
        let data = TrainingData(items: items, orders: [])
        let (first, firstIndex) = RecommendationModel.train(data, weights: FeatureWeights(), metric: .euclidean, now: Date(timeIntervalSince1970: 1_800_000_000))
        try store.save(first, index: firstIndex)
        try service.reload()

        // Act: eight askers keep asking while five newer models are saved and swapped in.
        var versions: Set<String> = [first.version]
        let answers = try await withThrowingTaskGroup(of: [RecommendedItems?].self) { group in
            for asker in 0..<8 {
                group.addTask {
                    (0..<400).map { question in service.similar(to: items[(asker * 37 + question) % items.count].id, k: 5) }
                }
            }
            for step in 1...5 {
                let weights = FeatureWeights(logPrice: Double(step), unitPrice: 1, aisle: 1.5, brand: 0.75)
                let (model, index) = RecommendationModel.train(data, weights: weights, metric: .euclidean, now: Date(timeIntervalSince1970: 1_800_000_000 + Double(step)))
                try store.save(model, index: index)
                #expect(try service.reload())
                versions.insert(model.version)
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }

        // Check: every question was answered in full, by one of the models saved.
        #expect(answers.count == 3_200)
        #expect(answers.allSatisfy { answer in answer.map { versions.contains($0.modelVersion) && $0.items.count == 5 } ?? false })
        #expect(service.modelVersion == store.versions().last)
    }
}
