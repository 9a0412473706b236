import Catalog
import GoMartModels

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
    var food: FoodFilters
    var hasFilters: Bool
    var sortOptions: [SortOption]
    var pagination: PaginationModel
}

/// The "Dietary" and "Free from" filters of aisle and search pages.
struct FoodFilters: Sendable {
    struct Option: Sendable {
        /// The checkbox's form name: `diet` or `free_from`.
        var name: String
        var value: String
        var label: String
        var checked: Bool
    }

    var diets: [Option]
    var freeFrom: [Option]
    /// True when any of them is ticked (the "Free from" list then starts open).
    var active: Bool

    init(_ query: ProductQuery) {
        diets = DietaryLabel.allCases.map { Option(name: "diet", value: $0.rawValue, label: $0.name, checked: query.diets.contains($0)) }
        freeFrom = Allergen.allCases.sorted { $0.freeFromLabel < $1.freeFromLabel }
            .map { Option(name: "free_from", value: $0.rawValue, label: $0.freeFromLabel, checked: query.freeFrom.contains($0)) }
        active = !query.diets.isEmpty || !query.freeFrom.isEmpty
    }

    /// The query's food filters as link parameters (pagination keeps them).
    static func linkParameters(_ query: ProductQuery) -> [(String, String)] {
        query.diets.map { ("diet", $0.rawValue) } + query.freeFrom.map { ("free_from", $0.rawValue) }
    }
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
    var food: FoodFilters
    /// True when there are results to sort and filter, or filters to take off.
    var showsFilters: Bool
    var sortOptions: [SortOption]
    var pagination: PaginationModel
    var suggestedAisles: [Aisle]
    /// The search as corrected, when search corrected a misspelling: what the results are for,
    /// and the search for it.
    var correction: Correction?

    struct Correction: Sendable {
        var text: String
        var url: String
    }
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
    /// The label's food information, when the product has any.
    var food: FoodLabel?
    /// "You must be 18 or over…" for an age-restricted product.
    var ageNotice: String?
}

/// A product's food information as its page shows it.
struct FoodLabel: Sendable {
    struct Row: Sendable {
        var name: String
        var value: String
        /// "of which" rows, indented under their total.
        var indented: Bool
    }

    /// "Milk, Nuts", or nil when it declares none.
    var allergens: String?
    var dietary: [String]
    var hasDietary: Bool
    var ingredients: String?
    var origin: String?
    /// "100 g" or "100 ml".
    var basis: String
    var nutrition: [Row]
    var hasNutrition: Bool

    init(_ food: FoodInformation, unit: MeasureUnit) {
        let allergens = food.allergens.sorted()
        self.allergens = allergens.isEmpty ? nil : allergens.map(\.name).joined(separator: ", ")
        dietary = food.dietary.sorted().map(\.name)
        hasDietary = !dietary.isEmpty
        ingredients = food.ingredients.isEmpty ? nil : food.ingredients
        origin = food.origin.isEmpty ? nil : food.origin
        basis = Nutrition.Basis(unit).label
        var rows: [Row] = []
        let energy = [food.nutrition.energyKilojoules.map { "\($0) kJ" }, food.nutrition.energyKilocalories.map { "\($0) kcal" }].compactMap { $0 }
        if !energy.isEmpty { rows.append(Row(name: "Energy", value: energy.joined(separator: " / "), indented: false)) }
        for nutrient in Nutrition.Nutrient.allCases {
            if let milligrams = food.nutrition.milligrams[nutrient] {
                rows.append(Row(name: nutrient.name, value: Nutrition.grams(milligrams), indented: nutrient == .saturates || nutrient == .sugars))
            }
        }
        nutrition = rows
        hasNutrition = !rows.isEmpty
    }
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
