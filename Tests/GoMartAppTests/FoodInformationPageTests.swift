import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A product page shows the label's food information, and the age needed to buy.
@Suite struct FoodInformationPageTests {
    /// The first product page a search finds.
    private func productPage(_ client: some TestClientProtocol, searching query: String) async throws -> String {
        let results = try await client.execute(uri: "/search?q=\(query)", method: .get) { $0.text }
        let range = try #require(results.range(of: #"href="/products/[a-z0-9-]+""#, options: .regularExpression))
        let path = String(results[range].dropFirst(6).dropLast())
        return try await client.execute(uri: path, method: .get) { $0.text }
    }

    @Test func allergensNutritionAndAgeAreOnTheProductPage() async throws {
        try await withTestApp { client in
            let pesto = try await productPage(client, searching: "pesto")
            #expect(pesto.contains("<strong>Allergy advice: contains Milk, Nuts.</strong>"))
            #expect(pesto.contains(#"<tr><th scope="row">Salt</th><td>2.2 g</td></tr>"#))
            #expect(pesto.contains("<dt>Country of origin</dt><dd>United Kingdom</dd>"))
            #expect(!pesto.contains("Age restricted"))

            let rice = try await productPage(client, searching: "basmati")
            #expect(rice.contains("Allergy advice: contains none of the 14 allergens that labels must declare."))

            let ibuprofen = try await productPage(client, searching: "ibuprofen")
            #expect(ibuprofen.contains("Age restricted: you must be 16 or over to buy this."))
            #expect(!ibuprofen.contains("Food information"))
        }
    }

    @Test func aislesAndSearchFilterByAllergenAndDiet() async throws {
        try await withTestApp { client in
            let snacks = try await client.execute(uri: "/aisles/snacks", method: .get) { $0.text }
            #expect(snacks.contains("Cashew Nuts"))
            let noNuts = try await client.execute(uri: "/aisles/snacks?free_from=nuts", method: .get) { $0.text }
            #expect(noNuts.contains(#"<input type="checkbox" id="free-nuts" name="free_from" value="nuts" checked>"#))
            #expect(noNuts.contains(#"<details class="free-from" open>"#))
            #expect(!noNuts.contains("Cashew Nuts"))
            #expect(noNuts.contains("Salted Peanuts"))

            let veganMilk = try await client.execute(uri: "/search?q=milk&diet=vegan", method: .get) { $0.text }
            #expect(veganMilk.contains("Oat Drink"))
            #expect(!veganMilk.contains("Semi-Skimmed Milk"))
            #expect(veganMilk.contains(#"<input type="checkbox" id="diet-vegan" name="diet" value="vegan" checked>"#))

            try await client.execute(uri: "/aisles/snacks?free_from=walnuts", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func theAPIFiltersAndDescribesFood() async throws {
        try await withTestApp { client in
            let answer = try await client.execute(uri: "/api/v1/products?aisle=snacks&free_from=nuts&diet=vegan&limit=100", method: .get) { try $0.json() }
            let products = try #require(answer["products"] as? [[String: Any]])
            #expect(!products.isEmpty)
            for product in products {
                let food = try #require(product["food"] as? [String: Any])
                #expect(!(food["allergens"] as? [String] ?? ["?"]).contains("nuts"))
                #expect((food["dietary"] as? [String] ?? []).contains("vegan"))
            }
            try await client.execute(uri: "/api/v1/products?free_from=walnuts", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }
}
