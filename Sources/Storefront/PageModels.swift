import Catalog

/// The home page: aisles and featured products.
struct HomePageModel: Sendable {
    struct AisleTile: Sendable {
        var slug: String
        var name: String
        var image: String
        var productCount: Int
    }

    var shop: ShopView
    var meta: PageMeta
    var header: HeaderModel
    /// Where add-to-cart forms return to: this page.
    var returnTo: String
    /// Where a signed-in shopper's "Recommended for you" row goes.
    var recommendedSlot: String
    var aisles: [AisleTile]
    var featured: [ProductCard]
    var hasFeatured: Bool
    var productCount: Int
    var aisleCount: Int
}

/// An aisle: its products with filters, sort and pagination.
struct AislePageModel: Sendable {
    struct BrandOption: Sendable {
        var index: Int
        var name: String
        var checked: Bool
    }

    var shop: ShopView
    var meta: PageMeta
    var header: HeaderModel
    /// Where add-to-cart forms return to: this page.
    var returnTo: String
    var aisle: Aisle
    var products: [ProductCard]
    var hasProducts: Bool
    var resultSummary: String
    var brands: [BrandOption]
    var inStockOnly: Bool
    var hasFilters: Bool
    var sortOptions: [SortOption]
    var pagination: PaginationModel
}

/// Search results, or suggestions when there are none.
struct SearchPageModel: Sendable {
    var shop: ShopView
    var meta: PageMeta
    var header: HeaderModel
    /// Where add-to-cart forms return to: this page.
    var returnTo: String
    var heading: String
    var query: String?
    var products: [ProductCard]
    var hasProducts: Bool
    var resultSummary: String
    var inStockOnly: Bool
    var sortOptions: [SortOption]
    var pagination: PaginationModel
    var suggestedAisles: [Aisle]
}

/// A product page.
struct ProductPageModel: Sendable {
    var shop: ShopView
    var meta: PageMeta
    var header: HeaderModel
    /// Where add-to-cart forms return to: this page.
    var returnTo: String
    var product: ProductCard
    var more: [ProductCard]
    var hasMore: Bool
    /// The recommendation model's nearest in-stock neighbours, or popular products when the
    /// model cannot answer (then headed differently).
    var similar: [ProductCard]
    var hasSimilar: Bool
    var similarHeading: String
}

/// The "Recommended for you" row of the home page, rendered for one shopper.
struct RecommendedRowModel: Sendable {
    struct Shopper: Sendable { var csrfToken: String }
    struct Header: Sendable { var shopper: Shopper }

    var heading: String
    var note: String
    var products: [ProductCard]
    /// What the cards' forms need: this shopper's token and the way back.
    var header: Header
    var returnTo: String
}

/// A page explaining an error, with a way back into the shop.
struct ErrorPageModel: Sendable {
    var shop: ShopView
    var meta: PageMeta
    var header: HeaderModel
    var status: Int
    var heading: String
    var message: String
    var suggestedAisles: [Aisle]
    var hasAisles: Bool
}

/// One entry of a sort menu.
struct SortOption: Sendable {
    var value: String
    var label: String
    var selected: Bool

    static func options(selected: ProductSort, includeRelevance: Bool) -> [SortOption] {
        ProductSort.allCases
            .filter { includeRelevance || $0 != .relevance }
            .map { SortOption(value: $0.rawValue, label: $0.label, selected: $0 == selected) }
    }
}
