import Foundation
import Synchronization

/// Serves the newest model in the model store and swaps in a newer one atomically, without a
/// restart: requests in flight finish on the model they started with.
public final class RecommendationService: Recommender {
    struct Loaded: Sendable {
        let model: RecommendationModel
        let index: NearestNeighbourIndex
        let position: [String: Int]
    }

    public let store: ModelStore
    private let loaded = Mutex<Loaded?>(nil)

    /// Serves models from `store`; the model watcher in the service group swaps newer ones in.
    public init(store: ModelStore) {
        self.store = store
    }

    /// The loaded model's version, or nil before any model exists.
    public var modelVersion: String? {
        loaded.withLock { $0?.model.version }
    }

    /// Loads the store's newest model if it is newer than the loaded one; true when it swapped.
    @discardableResult
    public func reload() throws -> Bool {
        guard let newest = store.versions().last, newest != modelVersion else { return false }
        let model = try store.load(version: newest)
        let index = model.makeIndex()
        let position = Dictionary(index.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let next = Loaded(model: model, index: index, position: position)
        return loaded.withLock { current -> Bool in
            if let current, current.model.version >= newest { return false }
            current = next
            return true
        }
    }

    /// ``reload()`` off the async executor: reading and indexing a large model is seconds of CPU,
    /// and a process serving shoppers keeps serving them meanwhile.
    public func refresh() async throws -> Bool {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(with: Result { try self.reload() })
            }
        }
    }

    /// The loaded model, if any.
    public var model: RecommendationModel? {
        loaded.withLock { $0?.model }
    }

    /// The `k` items nearest to `id`, or nil when no model is loaded or the model does not know
    /// the item.
    public func similar(to id: String, k: Int) -> RecommendedItems? {
        guard let current = loaded.withLock({ $0 }), let position = current.position[id] else { return nil }
        let neighbours = current.index.neighbours(of: position, k: min(k, RecommendationLimits.maximumK), metric: current.model.metric)
        return RecommendedItems(modelVersion: current.model.version, neighbours: neighbours)
    }

    public func recommended(forBasket basket: [String], excluding: Set<String>, k: Int) -> RecommendedItems? {
        guard let current = loaded.withLock({ $0 }) else { return nil }
        let positions = Set(basket.prefix(RecommendationLimits.maximumBasket).compactMap { current.position[$0] })
        guard !positions.isEmpty else { return nil }
        let excluded = Set(excluding.compactMap { current.position[$0] })
        let neighbours = current.index.neighbours(ofBasket: positions, k: min(k, RecommendationLimits.maximumK), metric: current.model.metric, excluding: excluded)
        return RecommendedItems(modelVersion: current.model.version, neighbours: neighbours)
    }
}

extension RecommendedItems {
    /// The index's neighbours as a model's answer.
    init(modelVersion: String, neighbours: [Neighbour]) {
        self.init(modelVersion: modelVersion, items: neighbours.map { RecommendedItem(id: $0.id, distance: $0.distance) })
    }
}
