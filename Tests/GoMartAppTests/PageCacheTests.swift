import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import NIOFoundationCompat
@testable import Storefront
import Security
import Synchronization
import Web

/// Catalogue pages are rendered once and served to everyone with their own parts filled in.
@Suite struct PageCacheTests {
    @Test func everyShopperGetsTheirOwnTokenAndHeaderFromTheSharedPage() async throws {
        try await withTestApp { client in
            var first = Browser()
            var second = Browser()
            _ = try await first.get(client, "/aisles/bakery")
            _ = try await second.get(client, "/aisles/bakery")
            let one = try await first.get(client, "/aisles/bakery")
            let two = try await second.get(client, "/aisles/bakery")
            #expect(first.csrfToken.count > 20)
            #expect(second.csrfToken.count > 20)
            #expect(first.csrfToken != second.csrfToken)
            #expect(one.text.contains(#"value="\#(first.csrfToken)""#))
            #expect(!one.text.contains(second.csrfToken))
            #expect(two.text.contains(#"value="\#(second.csrfToken)""#))
            #expect(!two.text.contains(first.csrfToken))
            #expect(!one.text.contains("gmhole"))
            #expect(one.headers[.eTag] != two.headers[.eTag])

            // Adding to the cart changes this shopper's header, and only theirs.
            let added = try await first.post(client, "/cart/items", form: [("product_id", try Self.firstProductID(one.text)), ("quantity", "2"), ("return_to", "/aisles/bakery")])
            #expect(added.status == .seeOther)
            let after = try await first.get(client, "/aisles/bakery")
            #expect(after.text.contains(#"aria-label="2 items">2</span>"#))
            #expect(after.headers[.eTag] != one.headers[.eTag])
            let other = try await second.get(client, "/aisles/bakery")
            #expect(other.text.contains(#"aria-label="0 items">0</span>"#))
        }
    }

    @Test func signedInShoppersSeeTheirNameOnCachedPages() async throws {
        try await withTestApp { client in
            var browser = Browser()
            _ = try await browser.get(client, "/products/\(try await Self.anyProductSlug(client))")
            _ = try await browser.get(client, "/account/sign-up")
            _ = try await browser.post(client, "/account/sign-up", form: AccountPageTests.signUpFields)
            let page = try await browser.get(client, "/products/\(try await Self.anyProductSlug(client))")
            #expect(page.text.contains("Hi, Grace"))
            #expect(page.text.contains(#"action="/account/sign-out""#))
        }
    }

    @Test func anUnchangedPageIsNotSentTwice() async throws {
        try await withTestApp { client in
            var browser = Browser()
            _ = try await browser.get(client, "/")
            let page = try await browser.get(client, "/")
            let tag = try #require(page.headers[.eTag])
            #expect(page.headers[.cacheControl] == "private, no-cache")
            var headers = HTTPFields()
            headers[.cookie] = browser.cookieHeader
            headers[.ifNoneMatch] = tag
            let again = try await client.executeRequest(uri: "/", method: .get, headers: headers, body: nil)
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
            headers[.ifNoneMatch] = "\"something-else\""
            let changed = try await client.executeRequest(uri: "/", method: .get, headers: headers, body: nil)
            #expect(changed.status == .ok)
        }
    }

    @Test func gzippedPagesDecodeToTheSameBytes() async throws {
        try await withTestApp { client in
            var browser = Browser()
            _ = try await browser.get(client, "/search?q=milk")
            let plain = try await browser.get(client, "/search?q=milk")
            var headers = HTTPFields()
            headers[.cookie] = browser.cookieHeader
            headers[.acceptEncoding] = "gzip, deflate, br"
            let zipped = try await client.executeRequest(uri: "/search?q=milk", method: .get, headers: headers, body: nil)
            #expect(zipped.headers[.contentEncoding] == "gzip")
            #expect(zipped.headers[.vary] == "Accept-Encoding")
            #expect(zipped.body.readableBytes < plain.body.readableBytes / 4)
            let decoded = try #require(Gzip.decompress(Array(zipped.body.readableBytesView)))
            #expect(String(decoding: decoded, as: UTF8.self) == plain.text)
        }
    }

    @Test func jsonAnswersAreGzippedForClientsThatAskAndNotOtherwise() async throws {
        try await withTestApp { client in
            let plain = try await client.executeRequest(uri: "/api/v1/products?limit=24", method: .get, headers: [:], body: nil)
            #expect(plain.headers[.contentEncoding] == nil)
            let zipped = try await client.executeRequest(uri: "/api/v1/products?limit=24", method: .get, headers: [.acceptEncoding: "gzip"], body: nil)
            #expect(zipped.headers[.contentEncoding] == "gzip")
            let decoded = try #require(Gzip.decompress(Array(zipped.body.readableBytesView)))
            let same = try JSONSerialization.jsonObject(with: Data(decoded)) as? NSDictionary == JSONSerialization.jsonObject(with: Data(buffer: plain.body)) as? NSDictionary
            #expect(same)
            let small = try await client.executeRequest(uri: "/health/live", method: .get, headers: [.acceptEncoding: "gzip"], body: nil)
            #expect(small.headers[.contentEncoding] == nil)
        }
    }

    @Test func pagesLinkFingerprintedAssetsThatNeverExpire() async throws {
        try await withTestApp { client in
            let page = try await client.executeRequest(uri: "/", method: .get, headers: [:], body: nil)
            let html = page.text
            let range = try #require(html.range(of: #"<link rel="stylesheet" href="/static/site\.[0-9a-f]+\.css">"#, options: .regularExpression))
            let css = String(html[range].split(separator: "\"")[3])
            #expect(!html.contains(#"src="/static/images/aisles/bakery.svg""#))
            let asset = try await client.executeRequest(uri: css, method: .get, headers: [:], body: nil)
            #expect(asset.status == .ok)
            #expect(asset.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(asset.headers[.contentType] == "text/css; charset=utf-8")
            let plain = try await client.executeRequest(uri: "/static/site.css", method: .get, headers: [:], body: nil)
            #expect(plain.body == asset.body)
            #expect(plain.headers[.cacheControl] == "public, max-age=300")
            let tag = try #require(plain.headers[.eTag])
            let revalidated = try await client.executeRequest(uri: "/static/site.css", method: .get, headers: [.ifNoneMatch: tag], body: nil)
            #expect(revalidated.status == .notModified)
            let zipped = try await client.executeRequest(uri: css, method: .get, headers: [.acceptEncoding: "gzip"], body: nil)
            let decoded = try #require(Gzip.decompress(Array(zipped.body.readableBytesView)))
            #expect(String(decoding: decoded, as: UTF8.self) == asset.text)
            let missing = try await client.executeRequest(uri: "/static/nothing-here.css", method: .get, headers: [:], body: nil)
            #expect(missing.status == .notFound)
        }
    }

    static func firstProductID(_ html: String) throws -> String {
        let range = try #require(html.range(of: #"name="product_id" value=""#))
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func anyProductSlug(_ client: some TestClientProtocol) async throws -> String {
        let list = try await client.executeRequest(uri: "/api/v1/products?aisle=bakery&limit=1", method: .get, headers: [:], body: nil)
        let products = try #require(try list.json()["products"] as? [[String: Any]])
        let url = try #require(products.first?["url"] as? String)
        return String(url.split(separator: "/").last ?? "")
    }
}

@Suite struct PageCacheUnitTests {
    @Test func aBurstOfRequestsForANewPageRendersItOnce() async throws {
        let cache = PageCache()
        let callers = Counter()
        let renders = Counter()
        let pages = try await withThrowingTaskGroup(of: PageCache.Page.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    callers.increment()
                    return try await cache.page(for: "aisle /aisles/bakery", generation: 7) {
                        renders.increment()
                        // Hold the rendering until every caller has asked for the page.
                        while callers.value < 20 { await Task.yield() }
                        return "<html>\(cache.csrfMarker)</html>"
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(renders.value == 1)
        #expect(pages.count == 20)
        #expect(pages.allSatisfy { $0.tag == pages[0].tag && $0.holes == [.csrfToken] })
        // A newer catalogue generation renders afresh.
        _ = try await cache.page(for: "aisle /aisles/bakery", generation: 8) {
            renders.increment()
            return "<html>changed</html>"
        }
        #expect(renders.value == 2)
    }

    @Test func personalPartsGoInTheirSlotsAndCostOtherShoppersNothing() throws {
        let cache = PageCache()
        let token = Array(String(repeating: "t", count: CSRFTokens.tokenLength).utf8)
        let nav = Array("<nav>Hi, Ada</nav>".utf8)
        let html = "<header>\(cache.navMarker)</header>\(cache.rowMarker)<ul>"
            + (0..<3).map { "<li>item \($0)\(cache.badgeMarker(for: "id-\($0)"))<input value=\"\(cache.csrfMarker)\"></li>" }.joined()
            + "</ul>" + String(repeating: "<p>filler text</p>", count: 100)
        let page = cache.makePage(from: html)
        #expect(page.holes == [.shopperNav, .csrfToken, .csrfToken, .csrfToken])
        #expect(page.hasSlots)
        #expect(page.hasRecommendedRow)

        func expected(row: String, badged: Set<Int>) -> String {
            "<header><nav>Hi, Ada</nav></header>\(row)<ul>"
                + (0..<3).map { "<li>item \($0)\(badged.contains($0) ? "<b>R</b>" : "")<input value=\"\(String(repeating: "t", count: CSRFTokens.tokenLength))\"></li>" }.joined()
                + "</ul>" + String(repeating: "<p>filler text</p>", count: 100)
        }
        // Everyone else: the slots vanish, and the gzipped page is spliced from the parts made in advance.
        let plain = PageCache.ShopperParts(csrfToken: token, shopperNav: nav)
        #expect(String(buffer: page.body(plain)) == expected(row: "", badged: []))
        let plainZipped = try #require(page.gzippedBody(plain))
        #expect(Gzip.decompress(Array(plainZipped.readableBytesView)).map { String(decoding: $0, as: UTF8.self) } == expected(row: "", badged: []))

        // A shopper with recommendations: their row and badges, plain and gzipped alike.
        let personal = PageCache.ShopperParts(csrfToken: token, shopperNav: nav, personal: PageCache.PersonalParts(
            badged: ["id-0", "id-2", "id-9"], badge: Array("<b>R</b>".utf8), row: Array("<section>for you</section>".utf8)
        ))
        let want = expected(row: "<section>for you</section>", badged: [0, 2])
        #expect(String(buffer: page.body(personal)) == want)
        let zipped = try #require(page.gzippedBody(personal))
        #expect(Gzip.decompress(Array(zipped.readableBytesView)).map { String(decoding: $0, as: UTF8.self) } == want)
        #expect(personal.hash != plain.hash)

        // A page without slots ignores personal parts.
        let bare = cache.makePage(from: "<p>\(cache.csrfMarker)</p>")
        #expect(!bare.hasSlots)
        #expect(String(buffer: bare.body(personal)) == "<p>\(String(repeating: "t", count: CSRFTokens.tokenLength))</p>")
    }

    @Test func theCacheStaysWithinItsBudget() async throws {
        let cache = PageCache(budget: 64 * 1_024)
        for index in 0..<200 {
            _ = try await cache.page(for: "product \(index)", generation: 1) {
                "<p>\(index)</p>" + String(repeating: "x", count: 2_000)
            }
        }
        let statistics = cache.statistics
        #expect(statistics.bytes <= 64 * 1_024)
        #expect(statistics.pages > 5)
        #expect(statistics.pages < 200)
    }
}

/// A counter that concurrent tasks can share.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func increment() { count.add(1, ordering: .relaxed) }
}

@Suite struct ProductListCacheTests {
    @Test func productListsRevalidateAndChangeWithTheCatalogue() async throws {
        try await withTestApp { client in
            let first = try await client.executeRequest(uri: "/api/v1/products?aisle=bakery&limit=5", method: .get, headers: [:], body: nil)
            let tag = try #require(first.headers[.eTag])
            let again = try await client.executeRequest(uri: "/api/v1/products?aisle=bakery&limit=5", method: .get, headers: [.ifNoneMatch: tag], body: nil)
            #expect(again.status == .notModified)
            let other = try await client.executeRequest(uri: "/api/v1/products?aisle=bakery&limit=6", method: .get, headers: [.ifNoneMatch: tag], body: nil)
            #expect(other.status == .ok)
            #expect(other.headers[.eTag] != tag)

            // Buying the last units of a product changes what lists show, and so their answers.
            let listing = try await client.executeRequest(uri: "/api/v1/products?limit=100&in_stock=true", method: .get, headers: [:], body: nil)
            let products = try #require(try listing.json()["products"] as? [[String: Any]])
            // A product whose last units but two make an order over the minimum, within the line limit.
            let candidate = try #require(products.first { product in
                let stock = product["stock"] as? Int ?? 0
                let price = (product["price"] as? [String: Any])?["amountMinor"] as? Int ?? 0
                return (20...100).contains(stock) && price * (stock - 2) >= 10_00
            })
            let id = try #require(candidate["id"] as? String)
            let stock = try #require(candidate["stock"] as? Int)
            let listURI = "/api/v1/products?limit=100&in_stock=true"
            let listTag = try #require(listing.headers[.eTag])
            let customer = try await client.executeRequest(
                uri: "/api/v1/customers", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"name": "Ada Lovelace", "email": "ada-etag@example.com", "password": "analytical engine"}"#)
            )
            let token = try #require(try customer.json()["token"] as? String)
            var auth = HTTPFields()
            auth[.authorization] = "Bearer \(token)"
            auth[.contentType] = "application/json"
            let added = try await client.executeRequest(uri: "/api/v1/cart/items", method: .post, headers: auth,
                                                        body: ByteBuffer(string: #"{"productId": "\#(id)", "quantity": \#(stock - 2)}"#))
            #expect(added.status == .ok)
            auth[HTTPField.Name("Idempotency-Key")!] = "etag-test-order-0001"
            let order = try await client.executeRequest(uri: "/api/v1/orders", method: .post, headers: auth, body: ByteBuffer(string: """
                {"delivery": {"name": "Ada Lovelace", "line1": "1 Loop Road", "city": "London", "postcode": "SW1A 1AA", "phone": "020 7946 0000"},
                 "card": {"number": "4242424242424242", "expiryMonth": 12, "expiryYear": 2035, "cvc": "123"}}
                """))
            #expect(order.status == .created)
            let after = try await client.executeRequest(uri: listURI, method: .get, headers: [.ifNoneMatch: listTag], body: nil)
            #expect(after.status == .ok)
            let listed = try #require(try after.json()["products"] as? [[String: Any]])
            #expect(listed.first { $0["id"] as? String == id }?["stock"] as? Int == 2)
        }
    }
}
