import Foundation
import Recommendations
import Testing

@Suite struct TrainingDataTests {
    static let data = TrainingData(
        items: [
            ItemRecord(id: "a", name: "Bread, \"Farmhouse\"", aisle: "Bakery", brand: "Hovis", priceMinor: 145, unitPriceMinor: 181, unit: "kg",
                       soldByWeight: false, inStock: true),
            ItemRecord(id: "b", name: "Milk", aisle: "Dairy & Eggs", brand: "GoMart", priceMinor: 165, unitPriceMinor: 73, unit: "l",
                       soldByWeight: false, inStock: false),
        ],
        orders: [OrderLineRecord(order: "o1", customer: "3f2a", time: 1_764_000_000, product: "a", quantity: 2)]
    )

    func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("training-\(UUID().uuidString)")
    }

    @Test func roundTripsThroughTheFilesWithAManifest() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = try Self.data.write(to: directory)
        #expect(manifest.files["items.csv"]?.rows == 2)
        #expect(manifest.files["orders.csv"]?.rows == 1)
        #expect(manifest.files["items.csv"]?.sha256.count == 64)
        let read = try TrainingData.read(from: directory)
        #expect(read.items == Self.data.items)
        #expect(read.orders == Self.data.orders)
    }

    @Test func aChangedOrMissingFileIsRefusedWithItsName() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.data.write(to: directory)
        let items = directory.appendingPathComponent("items.csv")
        try (String(contentsOf: items, encoding: .utf8) + "c,Extra,Bakery,Hovis,1,1,each,0,1\n").write(to: items, atomically: true, encoding: .utf8)
        #expect(throws: TrainingDataError.invalid("items.csv", "its checksum does not match the manifest (changed or truncated?)")) {
            try TrainingData.read(from: directory)
        }
        try Self.data.write(to: directory)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("orders.csv"))
        #expect(throws: TrainingDataError.missing("orders.csv")) { try TrainingData.read(from: directory) }
    }

    @Test func trainingSavesAModelTheStoreLoadsBack() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = ModelStore(directory: directory)
        #expect(try store.latest() == nil)
        let (model, index) = RecommendationModel.train(Self.data, weights: FeatureWeights(), metric: .cosine)
        try store.save(model, index: index)
        let loaded = try #require(try store.latest())
        #expect(loaded.version == model.version)
        #expect(loaded.metric == .cosine)
        #expect(loaded.items == model.items)
        #expect(loaded.training.itemCount == 2)
        #expect(loaded.training.orderLineCount == 1)
        #expect(loaded.training.customerCount == 1)
        #expect(loaded.makeIndex().neighbours(of: 0, k: 1, metric: .cosine).map(\.id) == ["b"])
        let features = try String(contentsOf: directory.appendingPathComponent("features-\(model.version).csv"), encoding: .utf8)
        #expect(features.hasPrefix("id,log_price,unit_price,aisle=Bakery,aisle=Dairy & Eggs,brand=GoMart,brand=Hovis\n"))
    }
}
