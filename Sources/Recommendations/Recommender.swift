/// Where recommendations come from: the model loaded in this process (``RecommendationService``)
/// or the recommender role over HTTP. Callers treat `nil` and thrown errors alike: they fall back
/// to popularity.
public protocol Recommender: Sendable {
    /// The version of the model that answers, or nil while none is loaded (or known).
    var modelVersion: String? { get }

    /// The `k` items nearest to `item`, nearest first; nil when there is no model or it does not
    /// know the item.
    func similar(to item: String, k: Int) async throws -> RecommendedItems?

    /// The `k` items nearest to any item of `basket` (each ranked by its distance to the nearest
    /// basket item), never an item of the basket or of `excluding`; nil when there is no model or
    /// it knows none of the basket.
    func recommended(forBasket basket: [String], excluding: Set<String>, k: Int) async throws -> RecommendedItems?

    /// Looks for a newer model; true when the answering model changed.
    @discardableResult
    func refresh() async throws -> Bool
}

/// A model's answer: items with their distances, nearest first.
public struct RecommendedItems: Sendable, Hashable, Codable {
    /// The version of the model that answered.
    public var modelVersion: String
    public var items: [RecommendedItem]

    public init(modelVersion: String, items: [RecommendedItem]) {
        self.modelVersion = modelVersion
        self.items = items
    }
}

/// One recommended item.
public struct RecommendedItem: Sendable, Hashable, Codable {
    /// The product's public id.
    public var id: String
    /// Its distance under the model's metric (smaller is nearer).
    public var distance: Double

    public init(id: String, distance: Double) {
        self.id = id
        self.distance = distance
    }
}

/// The most items one question may ask for.
public enum RecommendationLimits {
    /// The largest `k` of a question to a model.
    public static let maximumK = 200
    /// The largest basket a question may name.
    public static let maximumBasket = 200
}
