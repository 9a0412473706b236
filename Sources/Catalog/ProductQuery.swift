/// What a shopper asked to see: an aisle, a search, filters, a sort and a page.
///
/// Values are validated when built from request parameters (see ``init(aisleSlug:search:brands:inStockOnly:sort:page:pageSize:)``),
/// so repositories receive only sane input.
public struct ProductQuery: Sendable, Hashable {
    /// The longest search text accepted.
    public static let maximumSearchLength = 200
    /// The largest page size accepted.
    public static let maximumPageSize = 100
    /// The page size used when none is given.
    public static let defaultPageSize = 24
    /// The most brand filters accepted at once.
    public static let maximumBrandFilters = 20

    /// Restricts to one aisle.
    public var aisleSlug: String?
    /// Free-text search, matched as word prefixes.
    public var search: String?
    /// Restricts to these brands (any of them).
    public var brands: [String]
    /// Hides products with no stock.
    public var inStockOnly: Bool
    /// Only food declared free of these allergens ("no nuts"): products whose label declares
    /// none of them. Goods with no food information are left out.
    public var freeFrom: [Allergen]
    /// Only products with all of these dietary labels.
    public var diets: [DietaryLabel]
    /// The order of results.
    public var sort: ProductSort
    /// The 1-based page number.
    public var page: Int
    /// How many products a page holds.
    public var pageSize: Int

    /// Builds a query, throwing ``CatalogError/invalidQuery(parameter:reason:)`` for out-of-range values.
    public init(
        aisleSlug: String? = nil, search: String? = nil, brands: [String] = [], inStockOnly: Bool = false,
        freeFrom: Set<Allergen> = [], diets: Set<DietaryLabel> = [],
        sort: ProductSort? = nil, page: Int = 1, pageSize: Int = ProductQuery.defaultPageSize
    ) throws {
        guard page >= 1, page <= 10_000 else {
            throw CatalogError.invalidQuery(parameter: "page", reason: "must be a whole number from 1 to 10000")
        }
        guard pageSize >= 1, pageSize <= Self.maximumPageSize else {
            throw CatalogError.invalidQuery(parameter: "limit", reason: "must be a whole number from 1 to \(Self.maximumPageSize)")
        }
        let trimmedSearch = search?.trimmingCharacters(in: .whitespacesAndNewlines)
        // Counted in Unicode code points, as the API's schema counts them.
        if let search, search.unicodeScalars.count > Self.maximumSearchLength {
            throw CatalogError.invalidQuery(parameter: "q", reason: "must be at most \(Self.maximumSearchLength) characters")
        }
        guard brands.count <= Self.maximumBrandFilters, brands.allSatisfy({ $0.count <= 60 }) else {
            throw CatalogError.invalidQuery(parameter: "brand", reason: "at most \(Self.maximumBrandFilters) brands of up to 60 characters")
        }
        self.aisleSlug = aisleSlug
        self.search = (trimmedSearch?.isEmpty ?? true) ? nil : trimmedSearch
        self.brands = brands.sorted()
        self.inStockOnly = inStockOnly
        self.freeFrom = freeFrom.sorted { $0.rawValue < $1.rawValue }
        self.diets = diets.sorted { $0.rawValue < $1.rawValue }
        self.sort = sort ?? (self.search == nil ? .name : .relevance)
        self.page = page
        self.pageSize = pageSize
    }

    /// Parses query-string values as a browser or API client sends them.
    ///
    /// `page` and `limit` must be whole numbers, `sort` one of ``ProductSort``'s raw values,
    /// `in_stock` one of `1`, `true`, `on`, `0`, `false`, and each `free_from` and `diet` an
    /// allergen's or a dietary label's code. Anything else is a
    /// ``CatalogError/invalidQuery(parameter:reason:)``.
    public init(
        aisleSlug: String?, parameters: [String: [String]], defaultPageSize: Int = ProductQuery.defaultPageSize
    ) throws {
        func single(_ name: String) throws -> String? {
            let values = parameters[name] ?? []
            guard values.count <= 1 else {
                throw CatalogError.invalidQuery(parameter: name, reason: "may be given only once")
            }
            return values.first
        }
        func integer(_ name: String, default value: Int) throws -> Int {
            guard let text = try single(name), !text.isEmpty else { return value }
            guard text.count <= 6, let number = Int(text) else {
                throw CatalogError.invalidQuery(parameter: name, reason: "must be a whole number")
            }
            return number
        }
        var sort: ProductSort?
        if let text = try single("sort"), !text.isEmpty {
            guard let parsed = ProductSort(rawValue: text) else {
                let allowed = ProductSort.allCases.map(\.rawValue).joined(separator: ", ")
                throw CatalogError.invalidQuery(parameter: "sort", reason: "must be one of \(allowed)")
            }
            sort = parsed
        }
        var inStockOnly = false
        if let text = try single("in_stock"), !text.isEmpty {
            switch text.lowercased() {
            case "1", "true", "on", "yes": inStockOnly = true
            case "0", "false", "off", "no": inStockOnly = false
            default: throw CatalogError.invalidQuery(parameter: "in_stock", reason: "must be true or false")
            }
        }
        func codes<Code: RawRepresentable & CaseIterable>(_ name: String, _: Code.Type) throws -> Set<Code> where Code.RawValue == String {
            let given = (parameters[name] ?? []).filter { !$0.isEmpty }
            let codes = given.compactMap { Code(rawValue: $0) }
            guard codes.count == given.count, given.count <= Code.allCases.count else {
                throw CatalogError.invalidQuery(parameter: name, reason: "must be one of \(Code.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return Set(codes)
        }
        try self.init(
            aisleSlug: aisleSlug,
            search: try single("q"),
            brands: (parameters["brand"] ?? []).filter { !$0.isEmpty },
            inStockOnly: inStockOnly,
            freeFrom: try codes("free_from", Allergen.self),
            diets: try codes("diet", DietaryLabel.self),
            sort: sort,
            page: try integer("page", default: 1),
            pageSize: try integer("limit", default: defaultPageSize)
        )
    }
}

import Foundation
