/// One page of a product list, with the counts needed to paginate.
public struct ProductPage: Sendable, Hashable {
    /// The products on this page.
    public var products: [Product]
    /// How many products match the query in all.
    public var totalCount: Int
    /// The query that produced the page.
    public var query: ProductQuery
    /// The search text with its misspellings corrected, when search corrected it ("Did you mean …").
    public var correction: String? = nil

    /// Creates a page.
    public init(products: [Product], totalCount: Int, query: ProductQuery) {
        self.products = products
        self.totalCount = totalCount
        self.query = query
    }

    /// How many pages the whole result spans (at least 1).
    public var pageCount: Int { max(1, (totalCount + query.pageSize - 1) / query.pageSize) }
}
