import Foundation
import GoMartModels
import Logging
import SQLKit
import Storage

/// The catalogue's rules: browsing, search and imports, with a read-through cache in front.
public struct CatalogService: Sendable {
    let repository: any CatalogRepository
    let cache: CatalogCache
    /// The search vocabulary, kept apart from ``cache`` so that stock changes (every order) do
    /// not throw it away.
    let vocabulary: VocabularyHolder
    /// The currency catalogue prices are in.
    public let currency: Currency
    /// How often the cache asks the database whether another instance changed the catalogue.
    public let versionCheckInterval: Duration

    /// Creates the service over `repository`, caching reads in `cache`.
    public init(repository: any CatalogRepository, cache: CatalogCache, currency: Currency = .gbp, versionCheckInterval: Duration = .seconds(1)) {
        self.repository = repository
        self.cache = cache
        self.vocabulary = VocabularyHolder(refreshAfter: cache.timeToLive > .zero ? .seconds(60) : .zero)
        self.currency = currency
        self.versionCheckInterval = versionCheckInterval
    }

    /// All aisles in display order.
    public func aisles() async throws -> [Aisle] {
        try await synchroniseCache()
        return try await cache.value(for: .aisles) { try await repository.aisles() }
    }

    /// Drops cached reads if another instance changed the catalogue (checked about once a second).
    func synchroniseCache() async throws {
        try await cache.synchronise(interval: versionCheckInterval) { try await repository.catalogVersion() }
    }

    /// The aisle with this slug, or ``CatalogError/aisleNotFound(_:)``.
    public func aisle(slug: String) async throws -> Aisle {
        guard let aisle = try await aisles().first(where: { $0.slug == slug }) else {
            throw CatalogError.aisleNotFound(slug)
        }
        return aisle
    }

    /// A page of products; an unknown aisle is ``CatalogError/aisleNotFound(_:)``.
    public func products(matching query: ProductQuery) async throws -> ProductPage {
        if let aisleSlug = query.aisleSlug {
            _ = try await aisle(slug: aisleSlug)
        }
        try await synchroniseCache()
        return try await cache.value(for: .products(query)) {
            let understood = try await query.search.asyncFlatMap { try await searchVocabulary().understand($0) }
            var page = try await repository.products(matching: query, search: understood, counting: true)
            page.correction = understood?.correction
            return page
        }
    }

    /// The catalogue's words and the shop's synonyms, as search reads queries with them (cached
    /// with the catalogue's other reads).
    public func searchVocabulary() async throws -> SearchVocabulary {
        try await vocabulary.value {
            SearchVocabulary(texts: try await repository.searchTexts(), synonyms: try await repository.synonyms().map(\.words))
        }
    }

    /// After a change to what the catalogue says (names, descriptions, synonyms, aisles): drops
    /// cached reads and the search vocabulary. Other instances read the vocabulary afresh within
    /// a minute; meanwhile a word they do not know yet still finds the words it starts.
    public func catalogueDidChange() {
        cache.invalidate()
        vocabulary.invalidate()
    }

    /// Up to `limit` suggestions for a search being typed: aisles with a word starting with one
    /// of its words (three at most), then the best matching products, the last word matching the
    /// words it starts too. Throws like ``products(matching:)`` for text that is too long.
    public func suggestions(for text: String, limit: Int = 8) async throws -> SearchSuggestions {
        let query = try ProductQuery(search: text, sort: .relevance, pageSize: limit)
        guard let search = query.search else { return SearchSuggestions(aisles: [], products: [], correction: nil) }
        try await synchroniseCache()
        return try await cache.value(for: .suggestions(search)) {
            guard let understood = try await searchVocabulary().understand(search, typing: true) else {
                return SearchSuggestions(aisles: [], products: [], correction: nil)
            }
            let words = (FullTextIndex.prefixTerms(search) ?? []).filter { $0.count >= 2 && !SearchVocabulary.stopWords.contains($0) }
                + (understood.correction.flatMap(FullTextIndex.prefixTerms) ?? [])
            let aisles = try await aisles().filter { aisle in
                (FullTextIndex.prefixTerms(aisle.name) ?? []).contains { name in words.contains { name.hasPrefix($0) } }
            }.prefix(3)
            var products = query
            products.pageSize = limit - aisles.count
            let page = try await repository.products(matching: products, search: understood, counting: false)
            return SearchSuggestions(aisles: Array(aisles), products: page.products, correction: understood.correction)
        }
    }

    /// Counts orders recorded without taking stock (imported history) for search's popularity,
    /// inside the caller's transaction.
    public func recordOrders(_ counts: [ProductID: Int], in sql: any SQLDatabase) async throws {
        try await repository.recordOrders(counts, in: sql)
    }

    /// The product with this URL name, or ``CatalogError/productNotFound(_:)``.
    public func product(slug: String) async throws -> Product {
        try await synchroniseCache()
        let found = try await cache.value(for: .productBySlug(slug)) { try await repository.product(slug: slug) }
        guard let found else { throw CatalogError.productNotFound(slug) }
        return found
    }

    /// The product with this public identifier, or ``CatalogError/productNotFound(_:)``.
    public func product(id: ProductID) async throws -> Product {
        try await synchroniseCache()
        let found = try await cache.value(for: .productByID(id)) { try await repository.product(id: id) }
        guard let found else { throw CatalogError.productNotFound(id.publicString) }
        return found
    }

    /// The on-sale products with these ids as the catalogue cache holds them: stock as pages
    /// show it (current within a second where it matters: in or out of stock, ten or fewer left).
    /// For lists shown on every view, such as recommendations, that must not read the database
    /// each time.
    public func products(ids: [ProductID]) async throws -> [ProductID: Product] {
        try await synchroniseCache()
        return try await cache.value(for: .productsByIDs(ids)) { try await repository.products(ids: ids) }
    }

    /// The on-sale products with these ids, fresh from the database (carts and checkout need
    /// current prices and stock, so this read is never cached).
    public func currentProducts(ids: [ProductID]) async throws -> [ProductID: Product] {
        try await repository.products(ids: ids)
    }

    /// Takes stock for an order inside the caller's transaction; see ``CatalogRepository/takeStock(_:in:)``.
    public func takeStock(_ items: [StockItem], in sql: any SQLDatabase) async throws -> StockTake {
        try await repository.takeStock(items, in: sql)
    }

    /// Returns a cancelled order's stock inside the caller's transaction.
    @discardableResult
    public func returnStock(_ items: [StockItem], in sql: any SQLDatabase) async throws -> Bool {
        try await repository.returnStock(items, in: sql)
    }

    /// Takes the difference between what weighed goods weighed and their estimate inside the
    /// caller's transaction (more when heavier, back when lighter; never below zero).
    public func settleStock(_ items: [StockItem], in sql: any SQLDatabase) async throws -> Bool {
        try await repository.settleStock(items.filter { $0.quantity != 0 }, in: sql)
    }

    /// Tells the catalogue that a stock level pages show changed in a committed transaction
    /// (``StockTake/changedShownLevels``), so that pages stop showing the old level: the cache is
    /// emptied. Changes above ``Product/lowStockThreshold`` need no call, and the exact figures
    /// cached for them (the API's `stock`) may lag by up to the cache's time to live; carts and
    /// checkout always read current stock.
    public func stockDidChange() {
        cache.invalidate()
    }

    /// A number that changes whenever cached catalogue reads are dropped, after checking (about
    /// once a second) whether another instance changed the catalogue. Caches built from catalogue
    /// reads, such as rendered pages, are valid while it stays the same.
    public func cacheGeneration() async throws -> UInt64 {
        try await synchroniseCache()
        return cache.generation
    }

    /// Featured, in-stock products for the home page.
    public func featuredProducts(limit: Int = 12) async throws -> [Product] {
        try await synchroniseCache()
        return try await cache.value(for: .featured(limit: limit)) { try await repository.featuredProducts(limit: limit) }
    }

    /// Every product on sale, by name, read a page at a time from the database (past the cache,
    /// which a bulk read would only flush); `progress` hears how many have been read of how many
    /// after each page.
    public func allProducts(progress: (_ read: Int, _ total: Int) -> Void = { _, _ in }) async throws -> [Product] {
        var all: [Product] = []
        var page = 1
        while true {
            let listing = try await repository.products(matching: ProductQuery(sort: .name, page: page, pageSize: ProductQuery.maximumPageSize), search: nil,
                                                        counting: true)
            all += listing.products
            progress(all.count, listing.totalCount)
            guard page < listing.pageCount else { return all }
            page += 1
        }
    }

    /// The brands in an aisle, for the brand filter.
    public func brands(inAisle slug: String) async throws -> [String] {
        try await synchroniseCache()
        return try await cache.value(for: .brands(aisle: slug)) { try await repository.brands(inAisle: slug) }
    }

    /// Validates the whole CSV file, then imports it in one transaction.
    ///
    /// A file with any bad row throws ``CatalogueImportError`` and writes nothing.
    public func importCatalogue(
        csv: String, source: String, progress: @escaping @Sendable (_ written: Int, _ total: Int) -> Void = { _, _ in },
        also: (@Sendable (any SQLDatabase, CatalogueImportSummary) async throws -> Void)? = nil
    ) async throws -> CatalogueImportSummary {
        try await importRows(try CatalogueParser(currency: currency).parse(csv), source: source, progress: progress, also: also)
    }

    private func importRows(
        _ rows: [CatalogueRow], source: String, progress: @escaping @Sendable (_ written: Int, _ total: Int) -> Void = { _, _ in },
        also: (@Sendable (any SQLDatabase, CatalogueImportSummary) async throws -> Void)? = nil
    ) async throws -> CatalogueImportSummary {
        let summary = try await repository.importRows(rows, source: source, progress: progress, also: also)
        catalogueDidChange()
        return summary
    }

    /// Imports the demo catalogue if no catalogue was ever imported; returns whether it did.
    @discardableResult
    public func seedDemoCatalogueIfFirstRun(logger: Logger) async throws -> Bool {
        guard try await !repository.hasImportedCatalogue() else { return false }
        let summary = try await importRows(try DemoCatalogue.rows(currency: currency), source: "demo")
        logger.info("seeded demo catalogue", metadata: ["products": "\(summary.productsInserted)", "aisles": "\(summary.aislesCreated)"])
        return true
    }
}
