import Foundation
import HummingbirdTesting
import HTTPTypes
import NIOCore
import Testing

@Suite struct StorefrontPageTests {
    @Test func homeShowsAislesFeaturedProductsAndMetadata() async throws {
        try await withTestApp { client in
            try await client.get("/") { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let html = response.text
                #expect(html.contains("<title>GoMart — fresh groceries delivered</title>"))
                #expect(html.contains(#"<link rel="canonical" href="https://shop.example/">"#))
                #expect(html.contains(#"<meta name="description""#))
                #expect(html.contains(#"href="/aisles/fruit-veg""#))
                #expect(html.contains("Health &amp; Beauty"))
                #expect(html.contains("This week's favourites"))
                #expect(html.components(separatedBy: #"class="card""#).count > 5)
            }
        }
    }

    @Test func aislePageListsFiltersSortsAndPaginates() async throws {
        try await withTestApp { client in
            try await client.get("/aisles/pantry") { response in
                #expect(response.status == .ok)
                let html = response.text
                #expect(html.contains("<h1>Pantry</h1>"))
                #expect(html.contains("Showing 1–24 of"))
                #expect(html.contains(#"<a rel="next" href="/aisles/pantry?page=2">"#))
                #expect(html.contains(#"<label for="in_stock">In stock only</label>"#))
                #expect(html.contains(#"name="brand" value="De Cecco Italia""#))
                #expect(html.contains(#"aria-current="page">Pantry</a>"#))
            }
            try await client.get("/aisles/pantry?brand=De+Cecco+Italia&sort=price-desc&in_stock=1") { response in
                let html = response.text
                #expect(response.status == .ok)
                #expect(html.contains(#"value="De Cecco Italia" checked"#))
                #expect(html.contains(#"<option value="price-desc" selected>"#))
                #expect(html.contains(#"<meta name="robots" content="noindex">"#))
                let cards = html.components(separatedBy: #"class="card""#).count - 1
                #expect(cards > 0)
                #expect(cards < 10)
                #expect(!html.contains("Out of stock"))
            }
        }
    }

    @Test func searchFindsProductsAndSuggestsAislesWhenNothingMatches() async throws {
        try await withTestApp { client in
            try await client.get("/search?q=orange+juice") { response in
                let html = response.text
                #expect(response.status == .ok)
                #expect(html.contains("Results for “orange juice”"))
                #expect(html.contains("Orange Juice"))
                #expect(html.contains(#"value="orange juice""#))
            }
            try await client.get("/search?q=unicorn+steak") { response in
                let html = response.text
                #expect(response.status == .ok)
                #expect(html.contains("We couldn't find anything"))
                #expect(html.contains(#"<li><a href="/aisles/meat-fish">Meat &amp; Fish</a></li>"#))
            }
        }
    }

    @Test func productPageShowsPriceUnitPriceStockAndDescription() async throws {
        try await withTestApp { client in
            try await client.get("/products/gomart-braeburn-apples-fv-0003") { response in
                let html = response.text
                #expect(response.status == .ok)
                #expect(html.contains("<h1>GoMart Braeburn Apples</h1>"))
                #expect(html.contains(#"<p class="product-pack">6 pack</p>"#))
                #expect(html.contains("each</p>"))
                #expect(html.contains("Crisp, sweet and sharp eating apples."))
                #expect(html.contains(#"<link rel="canonical" href="https://shop.example/products/gomart-braeburn-apples-fv-0003">"#))
                #expect(html.contains(#"alt="GoMart Braeburn Apples""#))
                #expect(html.contains("More from Fruit &amp; Veg"))
            }
            try await client.get("/products/loose-bananas-fv-0001") { response in
                let html = response.text
                #expect(html.contains("per kg"))
                #expect(html.contains("Sold by count, about 180 g each: you pay for what we weigh when we pick your order."))
            }
            // Loose apples are bought by weight: a choice of weights with their estimated prices.
            try await client.get("/products/loose-braeburn-apples-fv-0004") { response in
                let html = response.text
                #expect(html.contains(#"<option value="250">250 g, about £0.48</option>"#))
                #expect(html.contains(#"<option value="500" selected>500 g, about £0.95</option>"#))
                #expect(html.contains(#"<option value="3000">3 kg, about £5.70</option>"#))
            }
        }
    }

    @Test func unknownPagesGetAHelpful404() async throws {
        try await withTestApp { client in
            for path in ["/no-such-page", "/products/no-such-product", "/aisles/no-such-aisle"] {
                try await client.get(path) { response in
                    #expect(response.status == .notFound, "\(path)")
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                    #expect(response.text.contains("Error 404"))
                    #expect(response.text.contains(#"href="/aisles/bakery""#))
                }
            }
        }
    }

    @Test func staticAssetsAreServedWithCaching() async throws {
        try await withTestApp { client in
            try await client.get("/static/site.css") { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl]?.contains("max-age") == true)
                #expect(response.text.contains(".product-grid"))
            }
            try await client.get("/static/images/aisles/bakery.svg") { response in
                #expect(response.status == .ok)
                #expect(response.text.hasPrefix("<svg"))
            }
        }
    }
}
