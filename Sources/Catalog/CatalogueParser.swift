import Foundation
import GoMartModels

/// Reads a catalogue CSV and validates every row before anything is written.
///
/// Required columns: `sku, name, brand, aisle, price, pack_size, stock`. Optional:
/// `sold_by_weight, description, featured, keywords`, how loose goods are weighed
/// (`weight_step_g`, `weight_min_g`, `weight_max_g`, or `average_weight_g` for goods sold by
/// count, and `weight_tolerance_percent`; their `stock` is in grams), `deposit` (the returnable
/// deposit on one pack's bottles or cans, e.g. `1.20`), the food information (`allergens`,
/// `dietary`, `ingredients`, `origin`, `energy_kj`, `energy_kcal` and the nutrients in grams per
/// 100 g or ml: `fat_g` … `salt_g`) and `minimum_age`. Column order is free; unknown columns are
/// reported so that typos do not silently drop data.
public struct CatalogueParser: Sendable {
    static let requiredColumns = ["sku", "name", "brand", "aisle", "price", "pack_size", "stock"]
    /// The food information's columns.
    static let foodColumns = ["allergens", "dietary", "ingredients", "origin", "energy_kj", "energy_kcal"] + Nutrition.Nutrient.allCases.map(\.column)
    static let optionalColumns = ["sold_by_weight", "description", "featured", "keywords", "minimum_age", "deposit"] + foodColumns + Weighing.columns
    /// The largest file accepted, in bytes.
    public static let maximumFileBytes = 20 * 1024 * 1024

    /// The currency prices in the file are in.
    public var currency: Currency

    /// Creates a parser for prices in `currency`.
    public init(currency: Currency) {
        self.currency = currency
    }

    /// Parses and validates `text`. Throws ``CatalogueImportError`` listing every problem.
    public func parse(_ text: String) throws -> [CatalogueRow] {
        guard text.utf8.count <= Self.maximumFileBytes else {
            throw CatalogueImportError(problems: [CatalogueProblem(line: 1, column: nil, message: "the file is larger than 20 MB")])
        }
        let table: CSVTable
        do {
            table = try CSVTable(parsing: text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        } catch let error as CSVTable.SyntaxError {
            throw CatalogueImportError(problems: [CatalogueProblem(line: error.line, column: nil, message: error.message)])
        }
        guard let header = table.records.first else {
            throw CatalogueImportError(problems: [CatalogueProblem(line: 1, column: nil, message: "the file is empty")])
        }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var problems: [CatalogueProblem] = []
        let missing = Self.requiredColumns.filter { !columns.contains($0) }
        if !missing.isEmpty {
            problems.append(CatalogueProblem(line: header.line, column: nil, message: "missing column(s): \(missing.joined(separator: ", "))"))
        }
        let unknown = columns.filter { !Self.requiredColumns.contains($0) && !Self.optionalColumns.contains($0) }
        if !unknown.isEmpty {
            problems.append(CatalogueProblem(line: header.line, column: nil, message: "unknown column(s): \(unknown.joined(separator: ", "))"))
        }
        if Set(columns).count != columns.count {
            problems.append(CatalogueProblem(line: header.line, column: nil, message: "a column appears twice"))
        }
        guard problems.isEmpty else { throw CatalogueImportError(problems: problems) }
        if table.records.count == 1 {
            throw CatalogueImportError(problems: [CatalogueProblem(line: 2, column: nil, message: "the file has no products")])
        }

        var rows: [CatalogueRow] = []
        var skuLines: [String: Int] = [:]
        for record in table.records.dropFirst() {
            guard record.fields.count == columns.count else {
                problems.append(CatalogueProblem(
                    line: record.line, column: nil,
                    message: "expected \(columns.count) fields but found \(record.fields.count)"
                ))
                continue
            }
            var values: [String: String] = [:]
            for (column, value) in zip(columns, record.fields) {
                values[column] = value.trimmingCharacters(in: .whitespaces)
            }
            var rowProblems: [CatalogueProblem] = []
            if let row = validate(values, line: record.line, problems: &rowProblems) {
                if let firstLine = skuLines[row.sku] {
                    rowProblems.append(CatalogueProblem(line: record.line, column: "sku", message: "'\(row.sku)' already appears on line \(firstLine)"))
                } else {
                    skuLines[row.sku] = record.line
                    rows.append(row)
                }
            }
            problems += rowProblems
        }
        guard problems.isEmpty else { throw CatalogueImportError(problems: problems) }
        return rows
    }

    /// Validates one product given as the file's columns (`sku`, `name`, `price`, …), as a form in
    /// the back office gives it. Throws ``CatalogueImportError`` listing every bad column.
    public func row(from values: [String: String]) throws -> CatalogueRow {
        var problems: [CatalogueProblem] = []
        let trimmed = values.mapValues { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard let row = validate(trimmed, line: 1, problems: &problems), problems.isEmpty else { throw CatalogueImportError(problems: problems) }
        return row
    }

    /// Extra words for search: the aisle, the file's keywords, and the name without accents
    /// (so that "creme" finds "Crème" on engines whose search does not fold accents). Each word
    /// once, so that saving a product again does not grow them.
    static func searchKeywords(name: String, aisle: String, extra: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        var seen = Set<String>()
        return [aisle, extra, folded == name ? "" : folded].joined(separator: " ").split(separator: " ")
            .filter { seen.insert($0.lowercased()).inserted }.joined(separator: " ")
    }

    private func validate(_ values: [String: String], line: Int, problems: inout [CatalogueProblem]) -> CatalogueRow? {
        func problem(_ column: String, _ message: String) {
            problems.append(CatalogueProblem(line: line, column: column, message: message))
        }
        func text(_ column: String, maximum: Int, required: Bool = true) -> String {
            let value = values[column] ?? ""
            if required && value.isEmpty { problem(column, "is required") }
            if value.count > maximum { problem(column, "is longer than \(maximum) characters") }
            return value
        }
        func flag(_ column: String) -> Bool {
            switch (values[column] ?? "").lowercased() {
            case "", "0", "false", "no", "n": return false
            case "1", "true", "yes", "y": return true
            default:
                problem(column, "must be yes or no")
                return false
            }
        }

        let sku = text("sku", maximum: 32).uppercased()
        if !sku.isEmpty && !sku.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }) {
            problem("sku", "may hold only letters, digits and '-'")
        }
        let name = text("name", maximum: 120)
        let brand = text("brand", maximum: 60)
        let aisleName = text("aisle", maximum: 60)
        let aisleSlug = Slug.make(aisleName)
        if !aisleName.isEmpty && aisleSlug.isEmpty { problem("aisle", "needs at least one letter or digit") }
        let description = text("description", maximum: 1000, required: false)
        let keywords = text("keywords", maximum: 300, required: false)
        let soldByWeight = flag("sold_by_weight")
        let featured = flag("featured")

        let priceText = values["price"] ?? ""
        let price = Money(decimal: priceText.replacingOccurrences(of: currency.symbol, with: ""), currency: currency)
        if price == nil {
            problem("price", "'\(priceText)' is not a price such as 1.25")
        } else if let price, price.minorUnits <= 0 || price.minorUnits > 100_000_00 {
            problem("price", "must be more than 0 and at most 100000")
        }
        let packText = values["pack_size"] ?? ""
        let packSize = PackSize(parsing: packText)
        if packSize == nil {
            problem("pack_size", "'\(packText)' is not a pack size such as 500 g, 1 L, 6 x 330 ml, 4 pack, each or per kg")
        } else if let packSize, soldByWeight != packSize.isPricedPerKilogram {
            problem("pack_size", soldByWeight ? "products sold by weight must have pack size 'per kg'"
                                              : "'per kg' is only for products sold by weight (set sold_by_weight to yes)")
        }
        let stockText = values["stock"] ?? ""
        let stock = Int(stockText)
        let mostStock = soldByWeight ? 100_000_000 : 1_000_000
        if stock == nil || stock! < 0 || stock! > mostStock {
            problem("stock", "'\(stockText)' is not a whole number from 0 to \(mostStock)\(soldByWeight ? " (grams)" : "")")
        }
        // The weighing columns of a product not sold by weight are ignored.
        let weighing = soldByWeight ? Weighing.read(values, problem: problem) : nil

        let food = values.keys.contains(where: Self.foodColumns.contains) ? foodInformation(values, problem: problem) : nil
        let ageText = values["minimum_age"]
        let minimumAge = ageText.map { $0.isEmpty ? 0 : Int($0) ?? -1 }
        if let minimumAge, minimumAge != 0 && !(12...25).contains(minimumAge) {
            problem("minimum_age", "'\(ageText ?? "")' is not an age from 12 to 25 (or 0 for none)")
        }

        let depositText = values["deposit"]?.trimmingCharacters(in: .whitespaces)
        let deposit = depositText.map { $0.isEmpty ? Money(minorUnits: 0, currency: currency) : Money(decimal: $0.replacingOccurrences(of: currency.symbol, with: ""), currency: currency) }
        if let deposit, deposit == nil || deposit!.minorUnits < 0 || deposit!.minorUnits > 10_00 {
            problem("deposit", "'\(depositText ?? "")' is not a deposit from 0 to 10.00 such as 0.20")
        }

        guard problems.isEmpty, let price, let packSize, let stock else { return nil }
        return CatalogueRow(
            sku: sku,
            slug: Slug.make("\(name) \(sku)"),
            name: name,
            brand: brand,
            aisleName: aisleName,
            aisleSlug: aisleSlug,
            aisleDescription: DemoCatalogue.aisleDescriptions[aisleSlug] ?? "Everything in \(aisleName), at everyday prices.",
            price: price,
            packSize: packSize,
            soldByWeight: soldByWeight,
            weighing: weighing,
            deposit: deposit ?? nil,
            stock: stock,
            description: description,
            keywords: Self.searchKeywords(name: name, aisle: aisleName, extra: keywords),
            featured: featured,
            food: food,
            minimumAge: minimumAge
        )
    }

    /// The food columns: allergens and dietary labels as lists ("milk; nuts"), free text, and the
    /// nutrition table with its sums checked (saturates within fat, sugars within carbohydrate).
    private func foodInformation(_ values: [String: String], problem: (String, String) -> Void) -> FoodInformation {
        func list<Code>(_ column: String, _ read: (String) -> Code?, known: [String]) -> Set<Code> {
            var codes = Set<Code>()
            for item in (values[column] ?? "").split(whereSeparator: { $0 == ";" || $0 == "," }) where !item.trimmingCharacters(in: .whitespaces).isEmpty {
                if let code = read(String(item)) {
                    codes.insert(code)
                } else {
                    problem(column, "'\(item.trimmingCharacters(in: .whitespaces))' is not one of \(known.joined(separator: ", "))")
                }
            }
            return codes
        }
        let allergens = list("allergens", Allergen.init(text:), known: Allergen.allCases.map(\.rawValue))
        let dietary = list("dietary", DietaryLabel.init(text:), known: DietaryLabel.allCases.map(\.rawValue))
        let ingredients = values["ingredients"] ?? ""
        if ingredients.count > 2000 { problem("ingredients", "is longer than 2000 characters") }
        let origin = values["origin"] ?? ""
        if origin.count > 60 { problem("origin", "is longer than 60 characters") }

        var nutrition = Nutrition()
        for (column, limit) in [("energy_kj", 3800), ("energy_kcal", 900)] {
            guard let text = values[column], !text.isEmpty else { continue }
            guard let value = Int(text), (0...limit).contains(value) else {
                problem(column, "'\(text)' is not a whole number from 0 to \(limit) per 100 g")
                continue
            }
            if column == "energy_kj" { nutrition.energyKilojoules = value } else { nutrition.energyKilocalories = value }
        }
        for nutrient in Nutrition.Nutrient.allCases {
            guard let text = values[nutrient.column], !text.isEmpty else { continue }
            guard let milligrams = Nutrition.milligrams(fromGrams: text), milligrams <= 100_000 else {
                problem(nutrient.column, "'\(text)' is not a weight in grams from 0 to 100 such as 3.5")
                continue
            }
            nutrition.milligrams[nutrient] = milligrams
        }
        for (part, whole) in [(Nutrition.Nutrient.saturates, Nutrition.Nutrient.fat), (.sugars, .carbohydrate)] {
            if let part = nutrition.milligrams[part], let total = nutrition.milligrams[whole], part > total {
                problem(whole == .fat ? "saturates_g" : "sugars_g", "is more than \(whole.rawValue)_g")
            }
        }
        return FoodInformation(allergens: allergens, dietary: dietary, ingredients: ingredients, origin: origin, nutrition: nutrition)
    }
}
