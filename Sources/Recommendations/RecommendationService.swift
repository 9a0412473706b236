import Foundation
import Synchronization

/// Serves the newest model in the model store and swaps in a newer one atomically, without a
/// restart: requests in flight finish on the model they started with.
public final class RecommendationService: Sendable {
    struct Loaded: Sendable {
        let model: RecommendationModel
        let index: NearestNeighbourIndex
        let position: [String: Int]
    }

    /// The neighbours of one item under the loaded model.
    public struct Similar: Sendable {
        public var modelVersion: String
        /// Item ids with their distances, nearest first.
        public var items: [(id: String, distance: Double)]
    }

    public let store: ModelStore
    /// How often requests may look for a newer model (``refreshIfDue()``).
    public let checkInterval: Duration
    private let loaded = Mutex<Loaded?>(nil)
    private let lastCheck = Mutex<(at: ContinuousClock.Instant?, running: Bool)>((nil, false))

    public init(store: ModelStore, checkInterval: Duration = .seconds(10)) {
        self.store = store
        self.checkInterval = checkInterval
    }

    /// Looks for a newer model in the background if the last look is older than
    /// `checkInterval`; the caller never waits for a load, and keeps the model it has.
    public func refreshIfDue() {
        let now = ContinuousClock.now
        let due = lastCheck.withLock { state -> Bool in
            if state.running { return false }
            if let at = state.at, now - at < checkInterval { return false }
            state = (now, true)
            return true
        }
        guard due else { return }
        Task.detached { [self] in
            defer { lastCheck.withLock { $0.running = false } }
            _ = try? reload()
        }
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

    /// The `k` items nearest to `id`, or nil when no model is loaded or the model does not know
    /// the item.
    public func similar(to id: String, k: Int) -> Similar? {
        guard let current = loaded.withLock({ $0 }), let position = current.position[id] else { return nil }
        let neighbours = current.index.neighbours(of: position, k: k, metric: current.model.metric)
        return Similar(modelVersion: current.model.version, items: neighbours.map { ($0.id, $0.distance) })
    }
}
