import GoMartModels

/// One validated catalogue line, ready to be written.
public struct CatalogueRow: Sendable, Hashable {
    /// The stock-keeping unit, unique within the shop.
    public var sku: String
    /// The product page's URL name, derived from name and SKU.
    public var slug: String
    /// The product name.
    public var name: String
    /// The brand.
    public var brand: String
    /// The aisle's display name.
    public var aisleName: String
    /// The aisle's URL name, derived from its display name.
    public var aisleSlug: String
    /// The aisle's description, used when the aisle is created.
    public var aisleDescription: String
    /// The shelf price (per kg when sold by weight).
    public var price: Money
    /// The parsed pack size.
    public var packSize: PackSize
    /// Loose goods weighed at picking time.
    public var soldByWeight: Bool
    /// How loose goods are bought and weighed (nil when not sold by weight).
    public var weighing: Weighing? = nil
    /// The returnable deposit on one pack's containers; nil when the file has no `deposit` column.
    public var deposit: Money? = nil
    /// Units in stock.
    public var stock: Int
    /// A short description.
    public var description: String
    /// Extra search words, e.g. the aisle name and synonyms.
    public var keywords: String
    /// Highlighted on the home page.
    public var featured: Bool
    /// Allergens, dietary labels, ingredients, origin and nutrition; nil when the file has no
    /// food columns at all, so that what is stored stays as it is.
    public var food: FoodInformation? = nil
    /// The age a buyer must have reached (18 for alcohol and knives), or 0; nil when the file
    /// has no `minimum_age` column.
    public var minimumAge: Int? = nil
}

/// What an import changed.
public struct CatalogueImportSummary: Sendable, Equatable {
    /// Products that were new.
    public var productsInserted: Int
    /// Products that existed and were updated.
    public var productsUpdated: Int
    /// Aisles that were new.
    public var aislesCreated: Int

    /// Creates a summary.
    public init(productsInserted: Int, productsUpdated: Int, aislesCreated: Int) {
        self.productsInserted = productsInserted
        self.productsUpdated = productsUpdated
        self.aislesCreated = aislesCreated
    }
}

/// One problem found in a catalogue file, with the line it is on.
public struct CatalogueProblem: Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line in the file (the header is line 1).
    public var line: Int
    /// The column concerned, when there is one.
    public var column: String?
    /// What is wrong, in words a shop owner understands.
    public var message: String

    public var description: String {
        if let column { return "line \(line), \(column): \(message)" }
        return "line \(line): \(message)"
    }
}

/// A catalogue file that cannot be imported; nothing from it was written.
public struct CatalogueImportError: Error, Equatable, CustomStringConvertible {
    /// Every problem found, in file order.
    public var problems: [CatalogueProblem]

    public var description: String {
        let shown = problems.prefix(50).map { "  \($0)" }.joined(separator: "\n")
        let more = problems.count > 50 ? "\n  … and \(problems.count - 50) more" : ""
        return "The catalogue was not imported: \(problems.count) problem(s) found.\n\(shown)\(more)"
    }
}
