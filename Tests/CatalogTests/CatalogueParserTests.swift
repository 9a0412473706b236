@testable import Catalog
import GoMartModels
import Testing

@Suite struct CatalogueParserTests {
    let parser = CatalogueParser(currency: .gbp)

    @Test func parsesAGoodFileWithQuotesAndOptionalColumns() throws {
        let csv = """
            sku,name,brand,aisle,price,pack_size,stock,sold_by_weight,description,featured
            dr-1,Cola,GoMart,Drinks,1.95,6 x 330 ml,40,no,"Classic cola, ice cold",yes
            FV-1,Bananas,Fairfield,Fruit & Veg,0.95,per kg,120,yes,"Ripe ""Cavendish"" bananas",no\r
            """

        let rows = try parser.parse(csv)

        #expect(rows.count == 2)
        #expect(rows[0].sku == "DR-1")
        #expect(rows[0].packSize.label == "6 × 330 ml")
        #expect(rows[0].price.minorUnits == 195)
        #expect(rows[0].description == "Classic cola, ice cold")
        #expect(rows[0].featured)
        #expect(rows[1].soldByWeight)
        #expect(rows[1].description == "Ripe \"Cavendish\" bananas")
        #expect(rows[1].aisleSlug == "fruit-veg")
        #expect(rows[1].slug == "bananas-fv-1")
    }

    @Test func reportsEveryBadRowWithItsLineNumber() {
        let csv = """
            sku,name,brand,aisle,price,pack_size,stock
            A-1,Good,Brand,Pantry,1.00,500 g,5
            A-2,,Brand,Pantry,1.00,500 g,5
            A-3,Cheap,Brand,Pantry,free,500 g,5
            A-4,Odd,Brand,Pantry,1.00,a handful,5
            A-5,Minus,Brand,Pantry,1.00,500 g,-3
            A-1,Twin,Brand,Pantry,1.00,500 g,5
            A-6,Short,Brand
            """

        let error = #expect(throws: CatalogueImportError.self) { try parser.parse(csv) }

        let problems = error?.problems ?? []
        #expect(problems.map(\.line) == [3, 4, 5, 6, 7, 8])
        #expect(problems.map(\.column) == ["name", "price", "pack_size", "stock", "sku", nil])
        #expect(problems[4].message.contains("line 2"))
    }

    @Test func rejectsMissingAndUnknownColumns() {
        let error = #expect(throws: CatalogueImportError.self) {
            try parser.parse("sku,name,brand,aisle,price,stock,colour\nA-1,x,y,z,1.00,5,red\n")
        }
        let messages = error?.problems.map(\.message) ?? []
        #expect(messages.contains { $0.contains("missing column(s): pack_size") })
        #expect(messages.contains { $0.contains("unknown column(s): colour") })
        #expect(error?.problems.allSatisfy { $0.line == 1 } == true)
    }

    @Test func requiresPerKilogramPricingForLooseGoods() {
        let error = #expect(throws: CatalogueImportError.self) {
            try parser.parse("sku,name,brand,aisle,price,pack_size,stock,sold_by_weight\nA-1,Carrots,x,Veg,1.00,1 kg,5,yes\n")
        }
        #expect(error?.problems.first?.column == "pack_size")
    }

    @Test func rejectsEmptyFilesAndUnclosedQuotes() {
        #expect(throws: CatalogueImportError.self) { try parser.parse("") }
        #expect(throws: CatalogueImportError.self) { try parser.parse("sku,name,brand,aisle,price,pack_size,stock\n") }
        let error = #expect(throws: CatalogueImportError.self) {
            try parser.parse("sku,name,brand,aisle,price,pack_size,stock\nA-1,\"Unclosed,x,y,1.00,500 g,5\n")
        }
        #expect(error?.problems.first?.line == 2)
    }

    @Test func theDemoCatalogueIsValidAndLargeEnough() throws {
        let rows = try parser.parse(try DemoCatalogue.csv())
        #expect(rows.count >= 600)
        #expect(Set(rows.map(\.aisleSlug)).count >= 12)
        #expect(rows.contains { $0.soldByWeight })
        #expect(rows.contains { $0.stock == 0 })
    }
}
