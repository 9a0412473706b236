import Foundation

/// A trained model: the feature schema and scaling, the items it knows, how it was trained and
/// how well it did. Saved as JSON in the model store; the index is rebuilt from it on load.
public struct RecommendationModel: Codable, Sendable {
    /// Sorts by creation time, to the millisecond: `20261125T104512.345-1a2b3c4d` (UTC).
    public var version: String
    public var createdAt: String
    public var metric: DistanceMetric
    public var schema: FeatureSchema
    public var items: [ItemRecord]
    public var training: TrainingSummary
    /// Offline evaluation on the training data's order history (leave the last basket out), when
    /// it had customers with two or more orders.
    public var evaluation: Evaluation?

    public struct TrainingSummary: Codable, Sendable {
        public var itemCount: Int
        public var orderLineCount: Int
        public var customerCount: Int
        public var indexBuildMilliseconds: Double
    }

    /// Fits the schema to `data.items`, builds the index, evaluates it on `data.orders` and
    /// returns the model and its index.
    public static func train(_ data: TrainingData, weights: FeatureWeights, metric: DistanceMetric, now: Date = Date()) -> (RecommendationModel, NearestNeighbourIndex) {
        let clock = ContinuousClock()
        let started = clock.now
        let items = data.items.sorted { $0.id < $1.id }
        let schema = FeatureSchema(fitting: items, weights: weights)
        let index = NearestNeighbourIndex(items: items, schema: schema)
        let elapsed = clock.now - started
        let stamp = now.formatted(Date.ISO8601FormatStyle().year().month().day().time(includingFractionalSeconds: true).timeSeparator(.omitted).dateSeparator(.omitted))
        let evaluation = Evaluation.run(orders: data.orders, index: index, metric: metric)
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let model = RecommendationModel(
            version: "\(stamp)-\(String(repeating: "0", count: 8 - suffix.count))\(suffix)",
            createdAt: now.formatted(.iso8601), metric: metric, schema: schema, items: items,
            training: TrainingSummary(
                itemCount: items.count, orderLineCount: data.orders.count, customerCount: Set(data.orders.map(\.customer)).count,
                indexBuildMilliseconds: Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
            ),
            evaluation: evaluation.customers > 0 ? evaluation : nil
        )
        return (model, index)
    }

    /// The index over this model's items.
    public func makeIndex() -> NearestNeighbourIndex {
        NearestNeighbourIndex(items: items, schema: schema)
    }
}

/// The folder of saved models (`data/models/` by default): `model-<version>.json` plus, for
/// checking with other tools, the encoded feature matrix and each item's nearest neighbours.
public struct ModelStore: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// Saves `model` (and its feature matrix and `neighbours` nearest neighbours per item),
    /// publishing the model file last and atomically, so a reader never sees half a model.
    /// `progress` hears how many items' neighbours are written.
    @discardableResult
    public func save(_ model: RecommendationModel, index: NearestNeighbourIndex, neighbours: Int = 10,
                     progress: (_ written: Int, _ total: Int) -> Void = { _, _ in }) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var features = CSV.render(header: ["id"] + model.schema.columns, rows: [])
        for item in model.items {
            features += ([CSV.escape(item.id)] + model.schema.dense(item).map { "\($0)" }).joined(separator: ",") + "\n"
        }
        try Data(features.utf8).write(to: directory.appendingPathComponent("features-\(model.version).csv"), options: .atomic)
        var near = "id,rank,neighbour,distance\n"
        for position in 0..<index.count {
            if position % 250 == 0 { progress(position, index.count) }
            for (rank, neighbour) in index.neighbours(of: position, k: neighbours, metric: model.metric).enumerated() {
                near += "\(index.ids[position]),\(rank + 1),\(neighbour.id),\(neighbour.distance)\n"
            }
        }
        progress(index.count, index.count)
        try Data(near.utf8).write(to: directory.appendingPathComponent("neighbours-\(model.version).csv"), options: .atomic)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let file = directory.appendingPathComponent("model-\(model.version).json")
        try encoder.encode(model).write(to: file, options: .atomic)
        return file
    }

    /// The versions saved, oldest first.
    public func versions() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("model-") && $0.hasSuffix(".json") }
            .map { String($0.dropFirst("model-".count).dropLast(".json".count)) }
            .sorted()
    }

    /// Loads the model saved as `version`.
    public func load(version: String) throws -> RecommendationModel {
        let file = directory.appendingPathComponent("model-\(version).json")
        guard let data = FileManager.default.contents(atPath: file.path) else { throw TrainingDataError.missing(file.lastPathComponent) }
        return try JSONDecoder().decode(RecommendationModel.self, from: data)
    }

    /// The newest saved model, if any.
    public func latest() throws -> RecommendationModel? {
        guard let version = versions().last else { return nil }
        return try load(version: version)
    }
}
