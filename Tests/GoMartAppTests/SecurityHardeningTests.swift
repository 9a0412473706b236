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
        try await withTestApp { client in
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
            #expect(page.headers[.retryAfter] == "2")
            #expect(String(buffer: page.body).contains("Too many failed attempts: try again in 2 seconds."))

            let api = try await client.executeRequest(uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"],
                                                      body: ByteBuffer(string: #"{"email":"guessed@example.com","password":"a good long password"}"#))
            #expect(api.status == .tooManyRequests)
            #expect(api.headers[.retryAfter] == "2")
            #expect(api.headers[.contentType] == "application/problem+json")
        }
    }
}
