import Foundation
import Recommendations
import Testing

@Suite struct RetrainingTests {
    let items = NearestNeighbourIndexTests.catalogue(count: 200, seed: 21)
    var orders: [OrderLineRecord] { SyntheticOrders.generate(items: items, customers: 150) }

    func withStore(_ body: (ModelStore) throws -> Void) rethrows {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(ModelStore(directory: directory))
    }

    /// Weights that ignore everything but a whisper of brand: nearly every item ties with every other.
    let blind = FeatureWeights(logPrice: 0, unitPrice: 0, aisle: 0, brand: 0.01)

    @Test func theFirstModelIsPromoted() throws {
        try withStore { store in
            let outcome = try Retraining.run(data: TrainingData(items: items, orders: orders), store: store)
            #expect(outcome.promoted)
            #expect(outcome.current == nil)
            #expect(outcome.reason == "there was no model yet")
            #expect(store.versions() == [outcome.candidate.version])
        }
    }

    @Test func aWorseCandidateIsNotPromotedAndTheCurrentModelStays() throws {
        try withStore { store in
            let data = TrainingData(items: items, orders: orders)
            let good = try Retraining.run(data: data, store: store, now: Date(timeIntervalSince1970: 1_800_000_000))
            let worse = try Retraining.run(data: data, store: store, weights: blind, now: Date(timeIntervalSince1970: 1_800_000_100))
            #expect(!worse.promoted)
            #expect(worse.current?.version == good.candidate.version)
            let comparison = try #require(worse.comparison)
            #expect(comparison.candidate.hitRate < comparison.current.hitRate)
            #expect(worse.reason.contains("stays"))
            #expect(store.versions() == [good.candidate.version])
            #expect(try store.latest()?.version == good.candidate.version)
        }
    }

    @Test func aBetterCandidateReplacesAWorseModelWithItsWeightsKeptNextTime() throws {
        try withStore { store in
            let data = TrainingData(items: items, orders: orders)
            let first = try Retraining.run(data: data, store: store, weights: blind, metric: .cosine, now: Date(timeIntervalSince1970: 1_800_000_000))
            let better = try Retraining.run(data: data, store: store, weights: FeatureWeights(), now: Date(timeIntervalSince1970: 1_800_000_100))
            #expect(better.promoted)
            #expect(better.current?.version == first.candidate.version)
            let comparison = try #require(better.comparison)
            #expect(comparison.candidate.hitRate > comparison.current.hitRate)
            #expect(try store.latest()?.version == better.candidate.version)
            // Without weights given, a retrain keeps the serving model's weights and metric.
            let again = try Retraining.run(data: data, store: store, now: Date(timeIntervalSince1970: 1_800_000_200))
            #expect(again.candidate.schema.weights == FeatureWeights())
            #expect(again.candidate.metric == .cosine)
        }
    }

    @Test func withoutOrderHistoryTheNewCatalogueWins() throws {
        try withStore { store in
            _ = try Retraining.run(data: TrainingData(items: Array(items.prefix(150)), orders: []), store: store, now: Date(timeIntervalSince1970: 1_800_000_000))
            let grown = try Retraining.run(data: TrainingData(items: items, orders: []), store: store, now: Date(timeIntervalSince1970: 1_800_000_100))
            #expect(grown.promoted)
            #expect(grown.comparison == nil)
            #expect(grown.reason.contains("no customer has two orders"))
            #expect(try store.latest()?.items.count == 200)
        }
    }
}
