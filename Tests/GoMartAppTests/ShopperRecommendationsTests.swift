import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Recommendations
import Web
import Testing

/// Recommendations for a signed-in customer from their last order: in the API, as the home
/// page's "Recommended for you" row and as badges in aisles.
@Suite struct ShopperRecommendationsTests {
    let api = OrdersAPITests()

    @Test func aCustomersLastOrderDrivesTheirRecommendationsRowAndBadges() async throws {
        try await withModelStoreTestApp { client, store, loads in
            // Setup: a customer who bought two dairy products.
            let signUp = try await api.call(client, .post, "/api/v1/customers",
                                            json: #"{"name": "Ada Lovelace", "email": "ada@example.com", "password": "analytical engine"}"#,
                                            documentedPath: "/customers")
            let token = try #require(signUp.body["token"] as? String)
            let dairy = try await inStockProducts(client, aisle: "dairy-eggs")
            let bought = [dairy[0].id, dairy[1].id]
            for id in bought {
                _ = try await api.call(client, .post, "/api/v1/cart/items", json: #"{"productId": "\#(id)", "quantity": 4}"#, token: token, documentedPath: "/cart/items")
            }
            let order = try await api.call(client, .post, "/api/v1/orders", json: """
                {"delivery": {"name": "Ada Lovelace", "line1": "1 Loop Road", "city": "London", "postcode": "SW1A 1AA", "phone": "020 7946 0000"},
                 "card": {"number": "4242424242424242", "expiryMonth": 12, "expiryYear": 2035, "cvc": "123"}}
                """, token: token, key: "recommendations-order-1", documentedPath: "/orders")
            #expect(order.status == 201)
            let orderID = try #require(order.body["id"] as? String)

            // No model yet: popularity answers, and never offers what was just bought.
            let early = try await api.call(client, .get, "/api/v1/me/recommendations?k=5", token: token, documentedPath: "/me/recommendations")
            #expect(early.body["source"] as? String == "popularity")
            #expect(early.body["basedOnOrder"] as? String == orderID)
            let earlyIDs = (early.body["products"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(!earlyIDs.isEmpty)
            #expect(Set(earlyIDs).isDisjoint(with: bought))

            // A model appears; the next answers come from it.
            let (items, stock, url) = try await catalogueItems(client)
            let (model, index) = RecommendationModel.train(TrainingData(items: items, orders: []), weights: FeatureWeights(), metric: .euclidean)
            try store.save(model, index: index)
            try await loads.wait(for: model.version)
            let answer = try await api.call(client, .get, "/api/v1/me/recommendations?k=10", token: token, documentedPath: "/me/recommendations").body
            #expect(answer["source"] as? String == "model")
            #expect(answer["modelVersion"] as? String == model.version)
            #expect(answer["basedOnOrder"] as? String == orderID)
            let basket = Set(bought.compactMap { index.ids.firstIndex(of: $0) })
            let nearest = index.neighbours(ofBasket: basket, k: 60, metric: .euclidean).map(\.id).filter { stock[$0, default: 0] > 0 }
            let ids = (answer["products"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids == Array(nearest.prefix(10)))

            // What goes into the cart leaves the recommendations.
            _ = try await api.call(client, .post, "/api/v1/cart/items", json: #"{"productId": "\#(ids[0])", "quantity": 1}"#, token: token, documentedPath: "/cart/items")
            let after = try await api.call(client, .get, "/api/v1/me/recommendations?k=10", token: token, documentedPath: "/me/recommendations")
            #expect((after.body["products"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } == Array(nearest.dropFirst().prefix(10)))

            // Signed out: 401; a bad k: 400.
            #expect(try await api.call(client, .get, "/api/v1/me/recommendations", documentedPath: "/me/recommendations").status == 401)
            #expect(try await api.call(client, .get, "/api/v1/me/recommendations?k=99", token: token, documentedPath: "/me/recommendations").status == 400)

            // The home page: the row for this customer, nothing of it for anyone else.
            var customer = Browser()
            customer.cookies["__Host-gm_session"] = token
            let home = try await customer.get(client, "/")
            let row = try #require(home.text.range(of: #"<h2 id="recommended-heading">Recommended for you</h2>"#))
            let rowEnd = try #require(home.text[row.upperBound...].range(of: "</section>"))
            let rowHTML = home.text[row.upperBound..<rowEnd.lowerBound]
            #expect(rowHTML.contains(#"href="\#(try #require(url[nearest[1]]))""#))
            #expect(!rowHTML.contains(#"href="\#(try #require(url[nearest[0]]))""#)) // in the cart now
            var stranger = Browser()
            let anonymous = try await stranger.get(client, "/")
            #expect(!anonymous.text.contains("recommended-heading"))
            #expect(!anonymous.text.contains("badge-recommended"))
            #expect(!anonymous.text.contains("gmhole"))
            #expect(home.headers[.eTag] != anonymous.headers[.eTag])

            // An aisle page: the badge on exactly the recommended products' cards.
            let recommended = Set(nearest.dropFirst().prefix(24))
            let aisle = try #require(items.first { $0.id == nearest[1] }?.aisle)
            let page = try await customer.get(client, "/aisles/\(aisle)?limit=100")
            let cards = page.text.components(separatedBy: #"<li class="card">"#).dropFirst()
            #expect(cards.count > 5)
            var badged = 0
            for card in cards {
                guard let link = card.range(of: #"href=""#) else { continue }
                let href = String(card[link.upperBound...].prefix { $0 != "\"" })
                let id = try #require(url.first { $0.value == href }?.key)
                #expect(card.contains("badge-recommended") == recommended.contains(id), "\(href)")
                if card.contains("badge-recommended") { badged += 1 }
            }
            #expect(badged > 0)
            let plainAisle = try await stranger.get(client, "/aisles/\(aisle)?limit=100")
            #expect(!plainAisle.text.contains("badge-recommended"))

            // Gzipped, the personalised page decodes to the same bytes.
            var headers = HTTPFields()
            headers[.cookie] = customer.cookieHeader
            headers[.acceptEncoding] = "gzip"
            let zipped = try await client.executeRequest(uri: "/", method: .get, headers: headers, body: nil)
            #expect(zipped.headers[.contentEncoding] == "gzip")
            let decoded = try #require(Gzip.decompress(Array(zipped.body.readableBytesView)))
            #expect(String(decoding: decoded, as: UTF8.self) == home.text)
        }
    }
}
