import Caching
import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Logging
import Metrics
import Recommendations

/// Recommendations as the shop shows them: products in stock, never what the shopper already has
/// in the cart, from the model when it answers and from popularity when it cannot (no model yet,
/// a product it does not know, or a recommender that is slow or down). Every answer says which.
public struct ShopRecommendations: Sendable {
    /// Where an answer came from.
    public enum Source: String, Sendable {
        /// The k-nearest-neighbours model.
        case model
        /// The most ordered products: the fallback.
        case popularity
    }

    /// Products to show, and where they came from.
    public struct Answer: Sendable {
        public var source: Source
        /// The model that answered, or the loaded one for a fallback (nil before any model).
        public var modelVersion: String?
        public let products: [Product]
        /// For a customer: the public id of the paid order the recommendations start from.
        public var basedOnOrder: String?
        /// The products' public ids, in order: made once per answer, not per page that shows it.
        public let productIDs: [String]

        public init(source: Source, modelVersion: String?, products: [Product], basedOnOrder: String? = nil) {
            self.source = source
            self.modelVersion = modelVersion
            self.products = products
            self.basedOnOrder = basedOnOrder
            productIDs = products.map(\.id.publicString)
        }
    }

    let recommender: any Recommender
    let catalog: CatalogService
    let cart: CartService
    let history: PurchaseHistory
    let popular: PopularProducts
    let candidates: CustomerCandidates
    let answers = BoundedCache<CustomerAnswerKey, Answer>(name: "customer-answers", capacity: CustomerCandidates.capacity, timeToLive: .seconds(300))
    let logger: Logger

    /// How many candidates a question asks the model for, so that enough are left once sold-out
    /// items and cart lines are dropped.
    static let candidateCount = 60

    public init(recommender: any Recommender, catalog: CatalogService, cart: CartService, history: PurchaseHistory, logger: Logger) {
        self.recommender = recommender
        self.catalog = catalog
        self.cart = cart
        self.history = history
        self.popular = PopularProducts(history: history)
        self.candidates = CustomerCandidates()
        self.logger = logger
    }

    /// The version of the model answering, if any.
    public var modelVersion: String? { recommender.modelVersion }

    /// Up to `k` products like `product`, in stock.
    public func similar(to product: Product, k: Int) async throws -> Answer {
        let key = product.id.publicString
        if let answer = await ask({ try await recommender.similar(to: key, k: max(k * 3, Self.candidateCount)) }) {
            let products = try await inStock(answer.items.map(\.id), excluding: [key], limit: k)
            return served(Answer(source: .model, modelVersion: answer.modelVersion, products: products))
        }
        let products = try await popularProducts(excluding: [key], toppingUpFrom: product.aisleSlug, limit: k)
        return served(Answer(source: .popularity, modelVersion: recommender.modelVersion, products: products))
    }

    /// Up to `k` products that may stand in for `original` when it is not on the shelf: the
    /// model's nearest neighbours that pass the shop's `rule` (same aisle, in stock, unit price
    /// within the band, no other allergens, no higher age), nearest first; without a model, the
    /// aisle's products that pass it, closest in unit price first.
    public func substitutes(for original: Product, rule: SubstituteRule, k: Int) async throws -> Answer {
        let key = original.id.publicString
        if let answer = await ask({ try await recommender.similar(to: key, k: Self.candidateCount) }) {
            let ids = answer.items.compactMap { ProductID(publicString: $0.id) }
            let found = try await catalog.currentProducts(ids: ids)
            let products = ids.compactMap { found[$0] }.filter { rule.accepts($0, for: original) }
            if !products.isEmpty { return Answer(source: .model, modelVersion: answer.modelVersion, products: Array(products.prefix(k))) }
        }
        let aisle = try await catalog.products(matching: ProductQuery(aisleSlug: original.aisleSlug, inStockOnly: true, sort: .name, pageSize: 100)).products
        let distance = { (product: Product) in abs(product.unitPrice.minorUnits - original.unitPrice.minorUnits) }
        let products = aisle.filter { rule.accepts($0, for: original) }.sorted { (distance($0), $0.name) < (distance($1), $1.name) }
        return Answer(source: .popularity, modelVersion: recommender.modelVersion, products: Array(products.prefix(k)))
    }

    /// Up to `k` products for a signed-in customer, from the items of their last paid order (the
    /// model's nearest neighbours of that basket), leaving out the basket itself, the cart and
    /// sold-out products. A customer without paid orders gets the popular products.
    public func forCustomer(_ customerID: CustomerID, k: Int) async throws -> Answer {
        if let answer = try await fromLastOrder(of: customerID, k: k) { return answer }
        let products = try await popularProducts(excluding: try await cart.productIDs(in: .customer(id: customerID)), toppingUpFrom: nil, limit: k)
        return served(Answer(source: .popularity, modelVersion: recommender.modelVersion, products: products))
    }

    /// The same, but nil for a customer without paid orders (pages show them nothing personal).
    public func fromLastOrder(of customerID: CustomerID, k: Int) async throws -> Answer? {
        async let inCart = cart.productIDs(in: .customer(id: customerID))
        guard let last = try await history.lastPaidOrder(customerID: customerID) else { return nil }
        let excluded = try await inCart.union(last.productIDs)
        let version = recommender.modelVersion
        let items: RecommendedItems?
        if let version, let known = candidates.lookUp(customerID: customerID, orderID: last.orderID, modelVersion: version) {
            items = known
        } else {
            items = await ask { try await recommender.recommended(forBasket: last.productIDs, excluding: [], k: Self.candidateCount) }
            if let items { candidates.store(items, customerID: customerID, orderID: last.orderID) }
        }
        if let items {
            // The answer for these exact inputs, while the catalogue's cached reads stay the same
            // (a page showing it is cached exactly as long): filtering sixty candidates through
            // the catalogue is most of a signed-in page's work otherwise.
            let key = CustomerAnswerKey(customerID: customerID, orderID: last.orderID, modelVersion: items.modelVersion,
                                        excluded: excluded, k: k, catalogue: try await catalog.cacheGeneration())
            if let known = answers.value(for: key) { return served(known) }
            let products = try await inStock(items.items.map(\.id), excluding: excluded, limit: k)
            let answer = Answer(source: .model, modelVersion: items.modelVersion, products: products, basedOnOrder: last.orderID)
            answers.store(answer, for: key)
            return served(answer)
        }
        // Popular products, topped up with the aisle of what they bought last.
        var aisle: String?
        if let first = last.productIDs.first.flatMap({ ProductID(publicString: $0) }) { aisle = try? await catalog.product(id: first).aisleSlug }
        let products = try await popularProducts(excluding: excluded, toppingUpFrom: aisle, limit: k)
        return served(Answer(source: .popularity, modelVersion: version, products: products, basedOnOrder: last.orderID))
    }

    /// Counts an answer given to a page or the API by where it came from
    /// (`gomart_recommendations_total{source="model|popularity"}`): the fallback ratio's alert.
    private func served(_ answer: Answer) -> Answer {
        (answer.source == .model ? Self.fromModel : Self.fromPopularity).increment()
        return answer
    }

    private static let fromModel = Counter(label: "gomart_recommendations_total", dimensions: [("source", "model")])
    private static let fromPopularity = Counter(label: "gomart_recommendations_total", dimensions: [("source", "popularity")])

    /// The recommender's answer, or nil when it has none or failed (logged: the caller falls back).
    private func ask(_ question: () async throws -> RecommendedItems?) async -> RecommendedItems? {
        do {
            return try await question()
        } catch {
            logger.debug("recommender unavailable, falling back to popularity", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The products with these ids, in this order, that are on sale and in stock (as the
    /// catalogue cache has them, so a repeated list costs no database read).
    /// The whole list is read (and cached) as the model gave it; exclusions such as the cart
    /// apply afterwards, so a change to the cart does not make a new cache entry.
    private func inStock(_ ids: [String], excluding: Set<String>, limit: Int) async throws -> [Product] {
        let wanted = ids.compactMap { ProductID(publicString: $0) }
        let found = try await catalog.products(ids: wanted)
        return Array(wanted.compactMap { found[$0] }.filter { $0.inStock && !excluding.contains($0.id.publicString) }.prefix(limit))
    }

    /// The most ordered products in stock; with too few orders yet, topped up with an aisle's
    /// products, or with the featured ones.
    private func popularProducts(excluding: Set<String>, toppingUpFrom aisle: String?, limit: Int) async throws -> [Product] {
        var candidates = try await popular.ids().filter { !excluding.contains($0) }
        if candidates.count < limit * 3 {
            let more: [Product]
            if let aisle {
                more = try await catalog.products(matching: ProductQuery(aisleSlug: aisle, inStockOnly: true, sort: .name, pageSize: 100)).products
            } else {
                more = try await catalog.featuredProducts(limit: 50)
            }
            let known = Set(candidates)
            candidates += more.map { $0.id.publicString }.filter { !excluding.contains($0) && !known.contains($0) }
        }
        return try await inStock(Array(candidates.prefix(max(limit * 3, 150))), excluding: [], limit: limit)
    }
}

/// The most ordered products, counted from paid orders at most once every five minutes.
final class PopularProducts: Sendable {
    let history: PurchaseHistory
    private let cached = BoundedCache<String, [String]>(name: "popular-products", capacity: 1, timeToLive: .seconds(300))

    init(history: PurchaseHistory) {
        self.history = history
    }

    func ids() async throws -> [String] {
        try await cached.value(for: "most-ordered") { try await history.mostOrdered(limit: 200) }
    }
}

/// What a customer's recommendations depend on, besides the model's candidates for the order.
struct CustomerAnswerKey: Hashable, Sendable {
    var customerID: CustomerID
    var orderID: String
    var modelVersion: String
    /// The cart and the order's own products, left out of the answer.
    var excluded: Set<String>
    var k: Int
    /// The catalogue cache's generation (stock and prices as read).
    var catalogue: UInt64
}

/// Each customer's model answer for their last order, kept until they order again or the model
/// changes, so a signed-in shopper's pages ask the model once, not on every view.
final class CustomerCandidates: Sendable {
    private struct Entry {
        var orderID: String
        var items: RecommendedItems
    }

    /// The most customers remembered; beyond it the least recently seen are forgotten.
    static let capacity = 10_000
    private let entries = BoundedCache<CustomerID, Entry>(name: "customer-candidates", capacity: CustomerCandidates.capacity)

    func lookUp(customerID: CustomerID, orderID: String, modelVersion: String) -> RecommendedItems? {
        guard let entry = entries.value(for: customerID), entry.orderID == orderID, entry.items.modelVersion == modelVersion else { return nil }
        return entry.items
    }

    func store(_ items: RecommendedItems, customerID: CustomerID, orderID: String) {
        entries.store(Entry(orderID: orderID, items: items), for: customerID)
    }
}
