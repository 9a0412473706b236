import Accounts
import Foundation
import GoMartApp
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct SecurityHardeningTests {
    @Test func httpsShopsSendHSTSAndPlainOnesDoNot() async throws {
        try await withTestApp { client in
            let page = try await client.executeRequest(uri: "/", method: .get, headers: [:], body: nil)
            #expect(page.headers[.strictTransportSecurity] == "max-age=31536000; includeSubDomains")
        }
        try await withTestApp(configure: { $0.server.publicBaseURL = "http://127.0.0.1:8080" }) { client in
            let page = try await client.executeRequest(uri: "/", method: .get, headers: [:], body: nil)
            #expect(page.headers[.strictTransportSecurity] == nil)
        }
    }

    @Test func signedInAPIAnswersAreNeverStored() async throws {
        try await withTestApp { client in
            let created = try await client.executeRequest(uri: "/api/v1/customers", method: .post, headers: [.contentType: "application/json"],
                                                          body: ByteBuffer(string: #"{"name":"Cy","email":"cy@example.com","password":"a good long password"}"#))
            let token = try #require(try created.json()["token"] as? String)
            let me = try await client.executeRequest(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer \(token)"], body: nil)
            #expect(me.status == .ok)
            #expect(me.headers[.cacheControl] == "no-store")
            let products = try await client.executeRequest(uri: "/api/v1/products?limit=1", method: .get, headers: [:], body: nil)
            #expect(products.headers[.cacheControl] != "no-store")
        }
    }

    @Test func aTabInTheReturnAddressCannotSendTheShopperOffSite() async throws {
        try await withTestApp { client in
            var browser = Browser()
            _ = try await browser.get(client, "/account/sign-up")
            let signedUp = try await browser.post(client, "/account/sign-up", form: [
                ("name", "Tab Tester"), ("email", "tab@example.com"), ("password", "a good long password"), ("next", "/\t/evil.example/"),
            ])
            #expect(signedUp.status == .seeOther)
            #expect(signedUp.headers[.location] == "/account")
        }
    }

    @Test func guessingAPasswordEndsIn429WithRetryAfterOnThePageAndInTheAPI() async throws {
        // The fourth wrong password locks the account for 50 seconds (not the default's first
        // 2-second wait), so a busy machine cannot let the lock lapse between the requests.
        try await withTestApp(configure: { $0.accounts.signInThrottle = SignInThrottle.Policy(freeFailures: 3, lockAfter: 4, window: 900, lockFor: 50) }) { client in
            var browser = Browser()
            _ = try await browser.get(client, "/account/sign-up")
            _ = try await browser.post(client, "/account/sign-up", form: [("name", "Guessed"), ("email", "guessed@example.com"), ("password", "a good long password")])
            var attacker = Browser()
            _ = try await attacker.get(client, "/account/sign-in")
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<5 {
                statuses.append(try await attacker.post(client, "/account/sign-in", form: [("email", "guessed@example.com"), ("password", "wrong guess")]).status)
            }
            #expect(statuses == [.unauthorized, .unauthorized, .unauthorized, .unauthorized, .tooManyRequests])
            let page = try await attacker.post(client, "/account/sign-in", form: [("email", "guessed@example.com"), ("password", "a good long password")])
            #expect(page.status == .tooManyRequests)
            // What is left of the 50-second lock (less if the machine is slow), in whole seconds.
            let pageWait = try #require(page.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...50).contains(pageWait))
            #expect(String(buffer: page.body).contains("Too many failed attempts: try again in \(pageWait) second"))

            let api = try await client.executeRequest(uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"],
                                                      body: ByteBuffer(string: #"{"email":"guessed@example.com","password":"a good long password"}"#))
            #expect(api.status == .tooManyRequests)
            #expect((1...50).contains(try #require(api.headers[.retryAfter].flatMap { Int($0) })))
            #expect(api.headers[.contentType] == "application/problem+json")
        }
    }

    @Test func changingThePasswordEndsEveryOtherSessionAndSignOutEverywhereEndsThemAll() async throws {
        try await withTestApp { client in
            var here = Browser()
            _ = try await here.get(client, "/account/sign-up")
            _ = try await here.post(client, "/account/sign-up", form: [("name", "Moving"), ("email", "moving@example.com"), ("password", "a good long password")])
            var elsewhere = Browser()
            _ = try await elsewhere.get(client, "/account/sign-in")
            _ = try await elsewhere.post(client, "/account/sign-in", form: [("email", "moving@example.com"), ("password", "a good long password")])
            #expect(try await elsewhere.get(client, "/account").status == .ok)

            _ = try await here.get(client, "/account")
            let wrong = try await here.post(client, "/account/password", form: [("current_password", "not it"), ("new_password", "a new long password")])
            #expect(wrong.status == .unprocessableContent)
            #expect(String(buffer: wrong.body).contains(#"<span class="field-error">Your current password is not right.</span>"#))
            let weak = try await here.post(client, "/account/password", form: [("current_password", "a good long password"), ("new_password", "short")])
            #expect(weak.status == .unprocessableContent)

            let changed = try await here.post(client, "/account/password", form: [("current_password", "a good long password"), ("new_password", "a new long password")])
            #expect(changed.headers[.location] == "/account?password=changed")
            #expect(try await here.get(client, "/account").status == .ok) // this session goes on
            #expect(try await elsewhere.get(client, "/account").status == .seeOther) // the other one ended

            var again = Browser()
            _ = try await again.get(client, "/account/sign-in")
            #expect(try await again.post(client, "/account/sign-in", form: [("email", "moving@example.com"), ("password", "a good long password")]).status == .unauthorized)
            #expect(try await again.post(client, "/account/sign-in", form: [("email", "moving@example.com"), ("password", "a new long password")]).status == .seeOther)

            _ = try await here.get(client, "/account")
            #expect(try await here.post(client, "/account/sign-out-everywhere", form: []).headers[.location] == "/")
            #expect(try await here.get(client, "/account").status == .seeOther)
            #expect(try await again.get(client, "/account").status == .seeOther)
        }
    }

    @Test func aFormPostedFromAnotherSiteIsRefusedByItsOrigin() async throws {
        try await withTestApp { client in
            var browser = Browser()
            _ = try await browser.get(client, "/")
            let product = try #require(try await inStockProducts(client).first)
            func post(origin: String?) async throws -> HTTPResponse.Status {
                var headers = HTTPFields()
                headers[.contentType] = "application/x-www-form-urlencoded"
                headers[.cookie] = browser.cookieHeader
                if let origin { headers[.origin] = origin }
                let body = "_csrf=\(Browser.escape(browser.csrfToken))&product_id=\(product.id)&quantity=1"
                return try await client.executeRequest(uri: "/cart/items", method: .post, headers: headers, body: ByteBuffer(string: body)).status
            }
            #expect(try await post(origin: "https://evil.example") == .forbidden)
            #expect(try await post(origin: "null") == .forbidden)
            #expect(try await post(origin: "https://shop.example") == .seeOther)
            #expect(try await post(origin: nil) == .seeOther) // no Origin: the CSRF token decides
        }
    }

    @Test func aVisitorIdTheClientChoseIsReplacedByOneTheShopSigns() async throws {
        try await withTestApp { client in
            let chosen = "chosen-by-the-client-0001"
            let page = try await client.executeRequest(uri: "/", method: .get, headers: [.cookie: "__Host-gm_visitor=\(chosen)"], body: nil)
            let cookie = try #require(page.headers[values: .setCookie].first { $0.hasPrefix("__Host-gm_visitor=") })
            #expect(!cookie.hasPrefix("__Host-gm_visitor=\(chosen)"))
            let issued = String(cookie.dropFirst("__Host-gm_visitor=".count).prefix { $0 != ";" })
            let again = try await client.executeRequest(uri: "/", method: .get, headers: [.cookie: "__Host-gm_visitor=\(issued)"], body: nil)
            #expect(again.headers[values: .setCookie].first { $0.hasPrefix("__Host-gm_visitor=") } == nil) // kept
        }
    }

    @Test func signingInGivesAFreshVisitorIdAndBindsFormsToTheSession() async throws {
        try await withTestApp { client in
            var browser = Browser()
            _ = try await browser.get(client, "/account/sign-up")
            _ = try await browser.post(client, "/account/sign-up", form: [("name", "Bound"), ("email", "bound@example.com"), ("password", "a good long password")])
            _ = try await browser.post(client, "/account/sign-out", form: [])
            let product = try #require(try await inStockProducts(client).first)
            _ = try await browser.get(client, "/account/sign-in")
            let visitorBefore = try #require(browser.cookies["__Host-gm_visitor"])
            let tokenBefore = browser.csrfToken
            _ = try await browser.post(client, "/account/sign-in", form: [("email", "bound@example.com"), ("password", "a good long password")])
            #expect(browser.cookies["__Host-gm_visitor"] != visitorBefore)
            #expect(browser.csrfToken != tokenBefore)
            // The page's token from before the sign-in no longer works; the one from after does.
            let add = [("product_id", product.id), ("quantity", "1")]
            #expect(try await browser.post(client, "/cart/items", form: add, csrf: tokenBefore).status == .forbidden)
            #expect(try await browser.post(client, "/cart/items", form: add).status == .seeOther)
            // The signed-in token dies with the session: after signing out, the same browser (same
            // visitor id) must use the anonymous page's token.
            let signedInToken = browser.csrfToken
            _ = try await browser.post(client, "/account/sign-out", form: [])
            #expect(browser.csrfToken != signedInToken)
            #expect(try await browser.post(client, "/cart/items", form: add, csrf: signedInToken).status == .forbidden)
            #expect(try await browser.post(client, "/cart/items", form: add).status == .seeOther)
        }
    }

    @Test func behindHTTPSTheCookiesArePrefixedSoNoOtherHostCanPlantThem() async throws {
        try await withTestApp { client in
            let page = try await client.executeRequest(uri: "/", method: .get, headers: [:], body: nil)
            let visitor = try #require(page.headers[values: .setCookie].first)
            #expect(visitor.hasPrefix("__Host-gm_visitor="))
            #expect(visitor.contains("; Path=/;") || visitor.hasSuffix("; Path=/"))
            #expect(visitor.contains("Secure"))
            #expect(!visitor.contains("Domain"))
            // A cookie without the prefix, as a sibling subdomain could set, is not the visitor's.
            let planted = try await client.executeRequest(uri: "/", method: .get, headers: [.cookie: "gm_visitor=\(visitor.dropFirst(18).prefix { $0 != ";" })"], body: nil)
            #expect(planted.headers[values: .setCookie].first?.hasPrefix("__Host-gm_visitor=") == true)
        }
        try await withTestApp(configure: { $0.server.publicBaseURL = "http://127.0.0.1:8080" }) { client in
            let page = try await client.executeRequest(uri: "/", method: .get, headers: [:], body: nil)
            let visitor = try #require(page.headers[values: .setCookie].first)
            #expect(visitor.hasPrefix("gm_visitor="))
            #expect(!visitor.contains("Secure"))
        }
    }
}
