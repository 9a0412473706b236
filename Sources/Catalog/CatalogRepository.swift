import Foundation
import GoMartModels
import SQLKit

/// Reads and writes the catalogue's tables. ``SQLCatalogRepository`` is the only implementation
/// that touches SQL; the service and tests depend on this protocol.
public protocol CatalogRepository: Sendable {
    /// All aisles with their on-sale product counts, in display order.
    func aisles() async throws -> [Aisle]
    /// One page of on-sale products matching `query`, its search text as `search` understood it
    /// (nil with a search text: no words, so nothing matches). Without `counting`, the page's
    /// total is only the products on it (no second query).
    func products(matching query: ProductQuery, search: UnderstoodSearch?, counting: Bool) async throws -> ProductPage
    /// The texts search indexes, each with its weight for the vocabulary: a product's name,
    /// brand and keywords (3, plus the orders that took it) and its description (1).
    func searchTexts() async throws -> [(text: String, weight: Int)]
    /// The shop's synonym groups.
    func synonyms() async throws -> [SynonymGroup]
    /// Counts `counts[product]` more orders of each product (orders recorded without taking
    /// stock: imported history), inside the caller's transaction.
    func recordOrders(_ counts: [ProductID: Int], in sql: any SQLDatabase) async throws
    /// The on-sale product with this public identifier, if any.
    func product(id: ProductID) async throws -> Product?
    /// The on-sale products with these public ids, keyed by id; ids not on sale are absent.
    func products(ids: [ProductID]) async throws -> [ProductID: Product]
    /// The on-sale product with this URL name, if any.
    func product(slug: String) async throws -> Product?
    /// Featured, in-stock products for the home page.
    func featuredProducts(limit: Int) async throws -> [Product]
    /// The distinct brands in an aisle, sorted by name.
    func brands(inAisle slug: String) async throws -> [String]
    /// True once any catalogue (the demo or a CSV) has been imported.
    func hasImportedCatalogue() async throws -> Bool
    /// Takes stock for every item inside the caller's transaction `sql`, reporting the items that
    /// lacked stock. On any shortfall the caller must roll back: some items may have been taken.
    /// The catalogue version moves only when a level that pages show changed.
    func takeStock(_ items: [StockItem], in sql: any SQLDatabase) async throws -> StockTake
    /// Puts stock back inside the caller's transaction `sql` (a cancelled order); returns whether
    /// a level that pages show changed.
    func returnStock(_ items: [StockItem], in sql: any SQLDatabase) async throws -> Bool
    /// Takes `quantity` more of each item (less, when negative), never below zero, inside the
    /// caller's transaction: goods weighed over or under their estimate. Returns whether a level
    /// that pages show changed.
    func settleStock(_ items: [StockItem], in sql: any SQLDatabase) async throws -> Bool
    /// The catalogue's change counter, bumped by imports and by stock changes that pages show.
    func catalogVersion() async throws -> Int64
    /// Inserts or updates every row (matched by SKU) in one transaction and logs the import,
    /// telling `progress` how many rows are written; `also` runs in the same transaction.
    func importRows(_ rows: [CatalogueRow], source: String, progress: @escaping @Sendable (_ written: Int, _ total: Int) -> Void,
                    also: (@Sendable (any SQLDatabase, CatalogueImportSummary) async throws -> Void)?) async throws -> CatalogueImportSummary
}

