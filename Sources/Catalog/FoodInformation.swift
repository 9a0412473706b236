import Foundation
import GoMartModels

/// The 14 allergens that UK and EU food law (Regulation (EU) No 1169/2011, Annex II) requires a
/// shop to declare. The raw value is the code used in catalogue files and addresses.
public enum Allergen: String, CaseIterable, Sendable, Hashable, Comparable {
    case celery, gluten, crustaceans, eggs, fish, lupin, milk, molluscs, mustard, nuts, peanuts, sesame, soya, sulphites

    /// The allergen as labels name it.
    public var name: String {
        switch self {
        case .celery: "Celery"
        case .gluten: "Cereals containing gluten"
        case .crustaceans: "Crustaceans"
        case .eggs: "Eggs"
        case .fish: "Fish"
        case .lupin: "Lupin"
        case .milk: "Milk"
        case .molluscs: "Molluscs"
        case .mustard: "Mustard"
        case .nuts: "Nuts"
        case .peanuts: "Peanuts"
        case .sesame: "Sesame"
        case .soya: "Soya"
        case .sulphites: "Sulphur dioxide and sulphites"
        }
    }

    /// What a filter offers: "No nuts".
    public var freeFromLabel: String {
        switch self {
        case .gluten: "No gluten"
        case .sulphites: "No sulphites"
        default: "No \(name.lowercased())"
        }
    }

    /// Other words a catalogue file may use for the allergen.
    static let aliases: [String: Allergen] = [
        "cereals containing gluten": .gluten, "wheat": .gluten, "crustacean": .crustaceans, "egg": .eggs,
        "tree nuts": .nuts, "nut": .nuts, "peanut": .peanuts, "sesame seeds": .sesame, "soy": .soya, "soybeans": .soya,
        "sulphur dioxide": .sulphites, "sulphur dioxide and sulphites": .sulphites, "sulfites": .sulphites, "mollusc": .molluscs,
    ]

    /// Reads a code, a name or a common alias ("Milk", "tree nuts", "soy"); nil when unknown.
    public init?(text: String) {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let allergen = Allergen(rawValue: key) ?? Self.aliases[key] else { return nil }
        self = allergen
    }

    public static func < (lhs: Allergen, rhs: Allergen) -> Bool {
        lhs.name < rhs.name
    }
}

/// A dietary label a product may carry.
public enum DietaryLabel: String, CaseIterable, Sendable, Hashable, Comparable {
    case vegetarian, vegan, glutenFree = "gluten-free", dairyFree = "dairy-free", organic

    /// The label as shown.
    public var name: String {
        switch self {
        case .vegetarian: "Vegetarian"
        case .vegan: "Vegan"
        case .glutenFree: "Gluten free"
        case .dairyFree: "Dairy free"
        case .organic: "Organic"
        }
    }

    /// Reads a code or a name ("gluten free", "Vegan"); nil when unknown.
    public init?(text: String) {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: " ", with: "-")
        guard let label = DietaryLabel(rawValue: key) else { return nil }
        self = label
    }

    public static func < (lhs: DietaryLabel, rhs: DietaryLabel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Nutrition per 100 g (or per 100 ml for drinks), as the label's table has it. Energy in whole
/// kilojoules and kilocalories, every other figure in milligrams: never floating point.
public struct Nutrition: Sendable, Hashable {
    /// One row of the table.
    public enum Nutrient: String, CaseIterable, Sendable {
        case fat, saturates, carbohydrate, sugars, fibre, protein, salt

        /// The row's name on the label.
        public var name: String {
            switch self {
            case .fat: "Fat"
            case .saturates: "of which saturates"
            case .carbohydrate: "Carbohydrate"
            case .sugars: "of which sugars"
            case .fibre: "Fibre"
            case .protein: "Protein"
            case .salt: "Salt"
            }
        }

        /// The catalogue file's column, in grams: `fat_g`.
        public var column: String { "\(rawValue)_g" }
    }

    /// What the figures are per: 100 ml for goods sold by volume, else 100 g.
    public enum Basis: String, Sendable {
        case hundredGrams = "100g", hundredMillilitres = "100ml"

        public init(_ unit: MeasureUnit) {
            self = unit == .volume ? .hundredMillilitres : .hundredGrams
        }

        /// As a label writes it: "100 g".
        public var label: String { self == .hundredMillilitres ? "100 ml" : "100 g" }
    }

    /// Energy in kilojoules.
    public var energyKilojoules: Int?
    /// Energy in kilocalories.
    public var energyKilocalories: Int?
    /// Each nutrient given, in milligrams per 100 g or ml.
    public var milligrams: [Nutrient: Int]

    /// Creates a table.
    public init(energyKilojoules: Int? = nil, energyKilocalories: Int? = nil, milligrams: [Nutrient: Int] = [:]) {
        self.energyKilojoules = energyKilojoules
        self.energyKilocalories = energyKilocalories
        self.milligrams = milligrams
    }

    /// True when the table has no figure at all.
    public var isEmpty: Bool { energyKilojoules == nil && energyKilocalories == nil && milligrams.isEmpty }

    /// The table as stored: `kj=1046;kcal=250;fat=3500;…` (milligrams), empty when there is none.
    var stored: String {
        var parts: [String] = []
        if let energyKilojoules { parts.append("kj=\(energyKilojoules)") }
        if let energyKilocalories { parts.append("kcal=\(energyKilocalories)") }
        for nutrient in Nutrient.allCases {
            if let value = milligrams[nutrient] { parts.append("\(nutrient.rawValue)=\(value)") }
        }
        return parts.joined(separator: ";")
    }

    /// A table read back from ``stored`` (unknown keys, from a later version, are skipped).
    init(stored: String) {
        self.init()
        for part in stored.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, let value = Int(pair[1]) else { continue }
            switch pair[0] {
            case "kj": energyKilojoules = value
            case "kcal": energyKilocalories = value
            default: if let nutrient = Nutrient(rawValue: String(pair[0])) { milligrams[nutrient] = value }
            }
        }
    }

    /// Grams with up to three decimals ("3.5", "0.02") read exactly as milligrams; nil when the
    /// text is not such a number.
    public static func milligrams(fromGrams text: String) -> Int? {
        guard let thousandths = Thousandths.parse(text.trimmingCharacters(in: .whitespaces)), thousandths < 10_000_000 else { return nil }
        return Int(thousandths)
    }

    /// Milligrams as the catalogue file writes grams, exactly: 3500 → "3.5", 20 → "0.02".
    static func decimalGrams(_ milligrams: Int) -> String {
        Thousandths.format(Int64(milligrams))
    }

    /// Milligrams as grams for the label: one decimal, or two below a gram ("3.5 g", "0.02 g",
    /// "12 g"); trailing zeros dropped.
    public static func grams(_ milligrams: Int) -> String {
        let decimals = milligrams < 1000 && milligrams % 100 != 0 ? 2 : 1
        let scale = decimals == 2 ? 10 : 100
        let rounded = (milligrams + scale / 2) / scale
        let whole = rounded / (decimals == 2 ? 100 : 10)
        var fraction = String(rounded % (decimals == 2 ? 100 : 10))
        if decimals == 2 && fraction.count == 1 { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole) g" : "\(whole).\(fraction) g"
    }
}

/// What the law and shoppers ask of a food label: allergens, dietary labels, ingredients,
/// country of origin and nutrition. Empty for goods that are not food.
public struct FoodInformation: Sendable, Hashable {
    /// The declared allergens.
    public var allergens: Set<Allergen>
    /// The dietary labels.
    public var dietary: Set<DietaryLabel>
    /// The ingredients as the label lists them.
    public var ingredients: String
    /// The country of origin, e.g. "United Kingdom".
    public var origin: String
    /// The nutrition table.
    public var nutrition: Nutrition

    /// Creates the information.
    public init(allergens: Set<Allergen> = [], dietary: Set<DietaryLabel> = [], ingredients: String = "", origin: String = "", nutrition: Nutrition = Nutrition()) {
        self.allergens = allergens
        self.dietary = dietary
        self.ingredients = ingredients
        self.origin = origin
        self.nutrition = nutrition
    }

    /// No information at all.
    public static let none = FoodInformation()

    /// True when nothing is known.
    public var isEmpty: Bool { allergens.isEmpty && dietary.isEmpty && ingredients.isEmpty && origin.isEmpty && nutrition.isEmpty }

    /// The catalogue file's food columns, and `minimum_age`, as a file (or the back office's
    /// form) would give them: what ``CatalogueParser`` reads back to the same values.
    public static func columns(_ food: FoodInformation, minimumAge: Int) -> [String: String] {
        var columns = [
            "allergens": food.allergens.map(\.rawValue).sorted().joined(separator: "; "),
            "dietary": food.dietary.sorted().map(\.rawValue).joined(separator: "; "),
            "ingredients": food.ingredients, "origin": food.origin,
            "energy_kj": food.nutrition.energyKilojoules.map(String.init) ?? "",
            "energy_kcal": food.nutrition.energyKilocalories.map(String.init) ?? "",
            "minimum_age": minimumAge == 0 ? "" : String(minimumAge),
        ]
        for nutrient in Nutrition.Nutrient.allCases {
            columns[nutrient.column] = food.nutrition.milligrams[nutrient].map(Nutrition.decimalGrams) ?? ""
        }
        return columns
    }

    /// A set of codes as stored: each between commas (",milk,nuts,"), so that a filter can look
    /// for ",nuts," without matching ",peanuts,". Empty when there are none.
    static func stored<Code: RawRepresentable & Comparable>(_ codes: Set<Code>) -> String where Code.RawValue == String {
        codes.isEmpty ? "" : "," + codes.map(\.rawValue).sorted().joined(separator: ",") + ","
    }

    /// The codes read back from ``stored(_:)`` (unknown ones, from a later version, are skipped).
    static func codes<Code: RawRepresentable>(_ stored: String, as: Code.Type) -> Set<Code> where Code.RawValue == String {
        Set(stored.split(separator: ",").compactMap { Code(rawValue: String($0)) })
    }
}
