import BackOffice
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct SearchPageTests {
    @Test func aMisspeltSearchShowsResultsForTheCorrectionAndOffersIt() async throws {
        try await withTestApp { client in
            var browser = Browser()
            let page = String(buffer: try await browser.get(client, "/search?q=bananna").body)
            #expect(page.contains(#"<p class="did-you-mean">Did you mean <a href="/search?q=banana">banana</a>? The results below are for it.</p>"#))
            #expect(page.contains("Loose Bananas"))
            let followed = String(buffer: try await browser.get(client, "/search?q=banana").body)
            #expect(!followed.contains("did-you-mean"))
            #expect(followed.contains("Loose Bananas"))
            // Synonyms and plurals need no correction.
            let courgettes = String(buffer: try await browser.get(client, "/search?q=zucchini").body)
            #expect(courgettes.contains("GoMart Courgettes"))
            #expect(!courgettes.contains("did-you-mean"))
        }
    }

    @Test func suggestionsGiveAislesAndProductsForAWordBeingTyped() async throws {
        try await withTestApp { client in
            let response = try await client.executeRequest(uri: "/api/v1/suggestions?q=straw", method: .get, headers: [:], body: nil)
            #expect(response.status == .ok)
            let json = try response.json()
            let products = try #require(json["products"] as? [[String: Any]]).compactMap { $0["name"] as? String }
            #expect(products.count == 6)
            #expect(products.allSatisfy { $0.lowercased().contains("strawberr") })
            #expect((json["aisles"] as? [Any])?.isEmpty == true)
            let aisle = try await client.executeRequest(uri: "/api/v1/suggestions?q=fru", method: .get, headers: [:], body: nil).json()
            #expect((aisle["aisles"] as? [[String: Any]])?.compactMap { $0["slug"] as? String } == ["fruit-veg"])
            let corrected = try await client.executeRequest(uri: "/api/v1/suggestions?q=mozarella", method: .get, headers: [:], body: nil).json()
            #expect(corrected["correction"] as? String == "mozzarella")
            let missing = try await client.executeRequest(uri: "/api/v1/suggestions", method: .get, headers: [:], body: nil)
            #expect(missing.status == .badRequest)
        }
    }

    @Test func aManagersSynonymIsUsedBySearchAtOnce() async throws {
        try await withStaffTestApp { client, addStaff in
            var manager = try await signedInStaff(client, addStaff, .manager)
            var shopper = Browser()
            #expect(String(buffer: try await shopper.get(client, "/search?q=dentifrice").body).contains("We couldn't find anything"))
            let added = try await manager.post(client, "/admin/synonyms", form: [("words", "Toothpaste, dentifrice")])
            #expect(added.status == .seeOther)
            let list = String(buffer: try await manager.get(client, "/admin/synonyms").body)
            #expect(list.contains("<td>dentifrice, toothpaste</td>"))
            #expect(String(buffer: try await shopper.get(client, "/search?q=dentifrice").body).contains("Toothpaste"))
            let clash = try await manager.post(client, "/admin/synonyms", form: [("words", "toothpaste paste")])
            #expect(clash.status == .unprocessableContent)
            #expect(String(buffer: clash.body).contains("“toothpaste” is already in “dentifrice toothpaste”"))
            let single = try await manager.post(client, "/admin/synonyms", form: [("words", "alone")])
            #expect(single.status == .unprocessableContent)
            var picker = try await signedInStaff(client, addStaff, .picker)
            #expect(try await picker.get(client, "/admin/synonyms").status == .forbidden)
        }
    }
}
