@testable import Catalog
import GoMartModels
import Storage
import TestSupport
import Testing

@Suite struct FoodInformationTests {
    let parser = CatalogueParser(currency: .gbp)
    let header = "sku,name,brand,aisle,price,pack_size,stock,allergens,dietary,ingredients,origin,energy_kj,energy_kcal,fat_g,saturates_g,carbohydrate_g,sugars_g,fibre_g,protein_g,salt_g,minimum_age"

    @Test func readsAllergensLabelsNutritionAndAgeExactly() throws {
        let rows = try parser.parse("""
            \(header)
            P-1,Basil Pesto,GoMart,Pantry,2.10,190 g,9,"Milk; tree nuts",vegetarian; Gluten Free,"Basil (40%), cashew nuts, cheese (milk)",Italy,1925,460,46,7,5,3,2,5.5,0.02,
            W-1,Red Wine,GoMart,Drinks,6.50,75 cl,9,sulphites,vegan,Grapes,France,,,,,,,,,,18
            """)

        #expect(rows[0].food?.allergens == [.milk, .nuts])
        #expect(rows[0].food?.dietary == [.vegetarian, .glutenFree])
        #expect(rows[0].food?.ingredients == "Basil (40%), cashew nuts, cheese (milk)")
        #expect(rows[0].food?.origin == "Italy")
        #expect(rows[0].food?.nutrition == Nutrition(energyKilojoules: 1925, energyKilocalories: 460, milligrams: [
            .fat: 46_000, .saturates: 7000, .carbohydrate: 5000, .sugars: 3000, .fibre: 2000, .protein: 5500, .salt: 20,
        ]))
        #expect(rows[0].minimumAge == 0)
        #expect(rows[1].food?.allergens == [.sulphites])
        #expect(rows[1].food?.nutrition.isEmpty == true)
        #expect(rows[1].minimumAge == 18)
    }

    @Test func reportsUnknownAllergensImpossibleSumsAndBadFigures() {
        let error = #expect(throws: CatalogueImportError.self) {
            try parser.parse("""
                \(header)
                P-1,Odd,GoMart,Pantry,1.00,100 g,1,milk; walnut-ish,keto,,,5000,,3,4,1.2345,,,,,30
                """)
        }
        #expect(error?.problems.map(\.column) == ["allergens", "dietary", "energy_kj", "carbohydrate_g", "saturates_g", "minimum_age"])
        #expect(error?.problems.first?.message.hasPrefix("'walnut-ish' is not one of celery, gluten,") == true)
    }

    @Test(arguments: [("3.5", 3500), ("0.02", 20), ("12", 12_000), ("0.125", 125), ("100", 100_000)])
    func gramsAreReadAsExactMilligrams(text: String, milligrams: Int) {
        #expect(Nutrition.milligrams(fromGrams: text) == milligrams)
    }

    @Test(arguments: ["", "1.", ".5", "1.2345", "-1", "1e3", "1,5"])
    func malformedGramsAreRefused(text: String) {
        #expect(Nutrition.milligrams(fromGrams: text) == nil)
    }

    @Test(arguments: [(3500, "3.5 g"), (20, "0.02 g"), (12_000, "12 g"), (500, "0.5 g"), (1250, "1.3 g"), (0, "0 g"), (999, "1 g")])
    func milligramsAreShownAsALabelShowsGrams(milligrams: Int, shown: String) {
        #expect(Nutrition.grams(milligrams) == shown)
    }

    @Test func storedCodesNeverConfuseNutsWithPeanuts() {
        let stored = FoodInformation.stored(Set<Allergen>([.peanuts, .milk]))
        #expect(stored == ",milk,peanuts,")
        #expect(!stored.contains(",nuts,"))
        #expect(FoodInformation.codes(stored + "unknown-later,", as: Allergen.self) == [.milk, .peanuts])
        #expect(Nutrition(stored: Nutrition(energyKilojoules: 10, milligrams: [.salt: 20]).stored + ";vitamin_c=5") == Nutrition(energyKilojoules: 10, milligrams: [.salt: 20]))
    }

    @Test func theDemoCatalogueLabelsItsFoodAndNotItsHousehold() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let pesto = try #require(try await catalog.products(matching: try ProductQuery(search: "pesto", pageSize: 5)).products.first)
        #expect(pesto.food.allergens == [.milk, .nuts])
        #expect(pesto.food.nutrition.milligrams[.salt] == 2200)
        let foil = try #require(try await catalog.products(matching: try ProductQuery(search: "kitchen foil", pageSize: 5)).products.first)
        #expect(foil.food == .none)
        let ibuprofen = try #require(try await catalog.products(matching: try ProductQuery(search: "ibuprofen", pageSize: 5)).products.first)
        #expect(ibuprofen.minimumAge == 16)
        await database.close()
    }
}

@Suite struct FoodFilterTests {
    @Test func freeFromKeepsOnlyDeclaredFoodWithoutTheAllergen() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let all = try await catalog.products(matching: try ProductQuery(aisleSlug: "snacks", pageSize: 100)).products
        let noNuts = try await catalog.products(matching: try ProductQuery(aisleSlug: "snacks", freeFrom: [.nuts], pageSize: 100)).products
        #expect(all.contains { $0.food.allergens.contains(.nuts) })
        #expect(!noNuts.isEmpty)
        #expect(noNuts.allSatisfy { !$0.food.allergens.contains(.nuts) && !$0.food.isEmpty })
        // Peanuts are not nuts: salted peanuts stay in "no nuts".
        #expect(noNuts.contains { $0.food.allergens.contains(.peanuts) })
        #expect(Set(noNuts.map(\.sku)) == Set(all.filter { !$0.food.allergens.contains(.nuts) && !$0.food.isEmpty }.map(\.sku)))

        let household = try await catalog.products(matching: try ProductQuery(aisleSlug: "household", freeFrom: [.milk], pageSize: 100)).products
        #expect(household.isEmpty)

        let veganNoGluten = try await catalog.products(matching: try ProductQuery(aisleSlug: "bakery", freeFrom: [.gluten, .sesame], diets: [.vegan], pageSize: 100))
        let bakery = try await catalog.products(matching: try ProductQuery(aisleSlug: "bakery", pageSize: 100)).products
        #expect(Set(veganNoGluten.products.map(\.sku)) == Set(bakery.filter {
            $0.food.dietary.contains(.vegan) && $0.food.allergens.isDisjoint(with: [.gluten, .sesame]) && !$0.food.isEmpty
        }.map(\.sku)))
        await database.close()
    }

    @Test func filtersComeFromTheQueryStringAndUnknownCodesAreRefused() throws {
        let query = try ProductQuery(aisleSlug: nil, parameters: ["free_from": ["nuts", "milk"], "diet": ["vegan"]])
        #expect(query.freeFrom == [.milk, .nuts])
        #expect(query.diets == [.vegan])
        #expect(throws: CatalogError.invalidQuery(parameter: "free_from", reason: "must be one of celery, gluten, crustaceans, eggs, fish, lupin, milk, molluscs, mustard, nuts, peanuts, sesame, soya, sulphites")) {
            try ProductQuery(aisleSlug: nil, parameters: ["free_from": ["walnuts"]])
        }
        #expect(throws: CatalogError.invalidQuery(parameter: "diet", reason: "must be one of vegetarian, vegan, gluten-free, dairy-free, organic")) {
            try ProductQuery(aisleSlug: nil, parameters: ["diet": ["keto"]])
        }
    }
}

@Suite struct FoodInformationEditingTests {
    @Test func anEditSetsClearsOrKeepsTheFoodInformation() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let admin = CatalogueAdmin(database: database, catalog: catalog)
        let created = try await admin.create(newProduct.merging(["allergens": "celery", "ingredients": "Tomatoes", "salt_g": "0.02", "minimum_age": ""]) { $1 },
                                             lowStockThreshold: 3, by: "test")
        #expect(created.product.food == FoodInformation(allergens: [.celery], ingredients: "Tomatoes", nutrition: Nutrition(milligrams: [.salt: 20])))

        // A client that sends no food columns (the API's product request) keeps them.
        var renamed = newProduct
        renamed["name"] = "Heirloom Tomatoes"
        let kept = try await admin.update(created.product.id, renamed, lowStockThreshold: 3)
        #expect(kept.product.name == "Heirloom Tomatoes")
        #expect(kept.product.food == created.product.food)

        // The back office's form sends them all: ticked allergens, typed figures, empty to clear.
        let edited = try await admin.update(created.product.id, renamed.merging([
            "allergens": "mustard; sulphites", "dietary": "vegan", "ingredients": "", "origin": "Spain", "energy_kcal": "18",
            "salt_g": "", "minimum_age": "18",
        ]) { $1 }, lowStockThreshold: 3)
        #expect(edited.product.food == FoodInformation(allergens: [.mustard, .sulphites], dietary: [.vegan], origin: "Spain",
                                                      nutrition: Nutrition(energyKilocalories: 18)))
        #expect(edited.product.minimumAge == 18)
        await database.close()
    }

    @Test func aFileWithoutFoodColumnsLeavesThemAndAnExportCarriesThem() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let admin = CatalogueAdmin(database: database, catalog: catalog)
        let pesto = try #require(try await catalog.products(matching: try ProductQuery(search: "pesto", pageSize: 1)).products.first)
        // The export, cut back to the columns a file had before food information, with a new price.
        let exported = try CSVTable(parsing: try await admin.exportProducts())
        var line = try #require(exported.records.first { $0.fields.first == pesto.sku }).fields.prefix(11).map { $0 }
        line[4] = "9.99"
        let file = CSVWriter.render(header: Array(exported.records[0].fields.prefix(11)), rows: [line])
        let preview = try await admin.previewImport(file)
        #expect(preview.lines.map(\.changes) == [["price: \(pesto.price.formatted) → £9.99"]])
        _ = try await admin.applyImport(file, source: "test")
        let after = try await catalog.product(id: pesto.id)
        #expect(after.price.minorUnits == 999)
        #expect(after.food == pesto.food)
        #expect(try await admin.exportProducts().hasPrefix("sku,name,brand,aisle,price,pack_size,stock,sold_by_weight,description,featured,keywords,allergens,dietary,ingredients,origin,energy_kj,energy_kcal,fat_g,saturates_g,carbohydrate_g,sugars_g,fibre_g,protein_g,salt_g,minimum_age"))
        await database.close()
    }
}
