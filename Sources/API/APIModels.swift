import Catalog
import Foundation
import GoMartModels
import Hummingbird
import Pricing

/// An amount of money as the API returns it.
/// A charge besides delivery (carrier bags, a small-basket charge).
struct ChargeDTO: Encodable, Sendable {
    var kind: String
    var label: String
    var amount: MoneyDTO

    static func list(_ charges: [Adjustment]) -> [ChargeDTO] {
        charges.map { ChargeDTO(kind: $0.kind.rawValue, label: $0.label, amount: MoneyDTO($0.amount)) }
    }
}

struct MoneyDTO: Codable, Sendable {
    /// Integer minor units (pence).
    var amountMinor: Int64
    /// ISO 4217 currency code.
    var currency: String
    /// The amount formatted for display, e.g. `£1.25`.
    var formatted: String

    init(_ money: Money) {
        amountMinor = money.minorUnits
        currency = money.currency.code
        formatted = money.formatted
    }
}

/// A unit price: per kg, per litre or each.
struct UnitPriceDTO: Codable, Sendable {
    var amountMinor: Int64
    var currency: String
    var formatted: String
    /// `kg`, `l` or `each`.
    var per: String
}

/// An aisle as the API returns it.
struct AisleDTO: Codable, Sendable {
    var slug: String
    var name: String
    var description: String
    var productCount: Int
    var url: String

    init(_ aisle: Aisle) {
        slug = aisle.slug
        name = aisle.name
        description = aisle.description
        productCount = aisle.productCount
        url = "/aisles/\(aisle.slug)"
    }
}

/// A short reference to an aisle inside a product.
struct AisleRefDTO: Codable, Sendable {
    var slug: String
    var name: String
}

/// A product as the API returns it.
struct ProductDTO: Codable, Sendable {
    var id: String
    var sku: String
    var name: String
    var brand: String
    var aisle: AisleRefDTO
    var price: MoneyDTO
    var unitPrice: UnitPriceDTO
    var packSize: String
    var soldByWeight: Bool
    var stock: Int
    var inStock: Bool
    var description: String
    var url: String
    /// The label's food information; absent for goods that are not food.
    var food: FoodDTO?
    /// The age a buyer must have reached, or 0.
    var minimumAge: Int
    /// How loose goods are bought and weighed; absent for packs.
    var weighing: WeighingDTO?
    /// The returnable deposit on one pack's bottles or cans, charged on top; absent for none.
    var deposit: MoneyDTO?

    init(_ product: Product) {
        id = product.id.publicString
        sku = product.sku
        name = product.name
        brand = product.brand
        aisle = AisleRefDTO(slug: product.aisleSlug, name: product.aisleName)
        price = MoneyDTO(product.price)
        unitPrice = UnitPriceDTO(
            amountMinor: product.unitPrice.minorUnits, currency: product.unitPrice.currency.code,
            formatted: product.unitPrice.formatted, per: product.unit.rawValue
        )
        packSize = product.packSize
        soldByWeight = product.soldByWeight
        stock = product.stock
        inStock = product.inStock
        description = product.description
        url = "/products/\(product.slug)"
        food = product.food.isEmpty ? nil : FoodDTO(product.food, unit: product.unit)
        minimumAge = product.minimumAge
        weighing = product.weighing.map(WeighingDTO.init)
        deposit = product.deposit.minorUnits > 0 ? MoneyDTO(product.deposit) : nil
    }
}

/// How a product sold loose is bought: by weight (quantities in grams, in steps) or by count
/// (items of about an average weight); the picked weight may differ by the tolerance.
struct WeighingDTO: Codable, Sendable {
    var mode: String
    var stepGrams: Int?
    var minimumGrams: Int?
    var maximumGrams: Int?
    var averageGrams: Int?
    var tolerancePercent: Int

    init(_ weighing: Weighing) {
        mode = weighing.mode.rawValue
        let byWeight = weighing.mode == .weight
        stepGrams = byWeight ? weighing.stepGrams : nil
        minimumGrams = byWeight ? weighing.minimumGrams : nil
        maximumGrams = byWeight ? weighing.maximumGrams : nil
        averageGrams = byWeight ? nil : weighing.averageGrams
        tolerancePercent = weighing.tolerancePercent
    }
}

/// A product's food information: allergen and dietary codes, ingredients, origin, nutrition.
struct FoodDTO: Codable, Sendable {
    var allergens: [String]
    var dietary: [String]
    var ingredients: String
    var origin: String
    var nutrition: NutritionDTO?

    init(_ food: FoodInformation, unit: MeasureUnit) {
        allergens = food.allergens.map(\.rawValue).sorted()
        dietary = food.dietary.sorted().map(\.rawValue)
        ingredients = food.ingredients
        origin = food.origin
        nutrition = food.nutrition.isEmpty ? nil : NutritionDTO(food.nutrition, unit: unit)
    }
}

/// Nutrition per 100 g or 100 ml: energy in kJ and kcal, nutrients in milligrams.
struct NutritionDTO: Codable, Sendable {
    var per: String
    var energyKj: Int?
    var energyKcal: Int?
    var fatMg: Int?
    var saturatesMg: Int?
    var carbohydrateMg: Int?
    var sugarsMg: Int?
    var fibreMg: Int?
    var proteinMg: Int?
    var saltMg: Int?

    init(_ nutrition: Nutrition, unit: MeasureUnit) {
        per = Nutrition.Basis(unit).rawValue
        energyKj = nutrition.energyKilojoules
        energyKcal = nutrition.energyKilocalories
        fatMg = nutrition.milligrams[.fat]
        saturatesMg = nutrition.milligrams[.saturates]
        carbohydrateMg = nutrition.milligrams[.carbohydrate]
        sugarsMg = nutrition.milligrams[.sugars]
        fibreMg = nutrition.milligrams[.fibre]
        proteinMg = nutrition.milligrams[.protein]
        saltMg = nutrition.milligrams[.salt]
    }
}

/// The list of aisles.
struct AisleListDTO: ResponseEncodable, Sendable {
    var aisles: [AisleDTO]
}

/// One page of products.
struct ProductListDTO: ResponseEncodable, Sendable {
    var products: [ProductDTO]
    var page: Int
    var limit: Int
    var total: Int
    var pageCount: Int
    /// The search as corrected, when search corrected a misspelling.
    var correction: String?
}

/// What the search box suggests while a shopper types.
struct SuggestionsDTO: ResponseEncodable, Sendable {
    /// A product as a suggestion: enough to show and open it.
    struct Product: Encodable, Sendable {
        var id: String
        var name: String
        var packSize: String
        var price: MoneyDTO
        var url: String
        var inStock: Bool
    }

    var aisles: [AisleRefDTO]
    var products: [Product]
    var correction: String?
}

extension ProductDTO: ResponseEncodable {}
