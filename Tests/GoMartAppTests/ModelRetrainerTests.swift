import Catalog
import Foundation
@testable import GoMartApp
import Recommendations
import Storage
import TestSupport
import Testing

/// The worker's retraining round on a real database: the catalogue and paid orders in, a model
/// promoted into the store only when it does not score worse.
@Suite struct ModelRetrainerTests {
    @Test func aRoundTrainsOnTheShopsOrdersAndPromotesOnlyWhatDoesNotRegress() async throws {
        // Setup: the demo catalogue and 200 demo orders.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-retrain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try await TestDatabase.migrated()
        try await Migrator(migrations: JobLease.migrations).migrate(database, logger: TestDatabase.logger)
        let services = try ShopServices(configuration: GoMartConfiguration.forTests(),
                                        database: database, logger: TestDatabase.logger)
        try await services.catalog.seedDemoCatalogueIfFirstRun(logger: TestDatabase.logger)
        _ = try await services.seedDemoOrders(200)
        let store = ModelStore(directory: folder)
        let retrainer = ModelRetrainer(services: services, store: store, schedule: .nightly, database: database, logger: TestDatabase.logger)

        // Act and check: the first round promotes a model trained on the shop's orders.
        let first = try #require(await retrainer.retrainOnce())
        #expect(first.promoted)
        #expect(store.versions() == [first.candidate.version])
        #expect(first.candidate.items.count == 636)
        #expect(first.candidate.training.customerCount == 50)
        let evaluation = try #require(first.candidate.evaluation)
        #expect(evaluation.scores[0].hitRate > 2 * evaluation.scores[2].hitRate)

        // The next round, on the same orders, scores the same: promoted over the first, whose
        // weights and metric it kept.
        let second = try #require(await retrainer.retrainOnce())
        #expect(second.promoted)
        #expect(second.current?.version == first.candidate.version)
        #expect(second.comparison?.candidate == second.comparison?.current)
        #expect(store.versions().count == 2)
        #expect(store.versions().last == second.candidate.version)
        await database.close()
    }
}
