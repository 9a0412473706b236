import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A browser's cookie jar and CSRF token, enough to drive forms in tests.
struct Browser: Sendable {
    var cookies: [String: String] = [:]
    var csrfToken = ""

    var cookieHeader: String { cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    /// Records `Set-Cookie` headers (a Max-Age of 0 deletes) and any CSRF token in the page.
    mutating func absorb(_ response: TestResponse) {
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard pair.count == 2 else { continue }
            if header.contains("Max-Age=0") { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
        }
        let html = String(buffer: response.body)
        if let range = html.range(of: #"name="_csrf" value=""#) {
            csrfToken = String(html[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    mutating func get(_ client: some TestClientProtocol, _ uri: String) async throws -> TestResponse {
        var headers = HTTPFields()
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let response = try await client.executeRequest(uri: uri, method: .get, headers: headers, body: nil)
        absorb(response)
        return response
    }

    mutating func post(_ client: some TestClientProtocol, _ uri: String, form: [(String, String)], csrf: String? = nil) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let fields = [("_csrf", csrf ?? csrfToken)] + form
        let body = fields.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        let response = try await client.executeRequest(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        absorb(response)
        // A sign-in or sign-out changes what forms are bound to; a browser follows the redirect
        // and gets the new token from the page it lands on.
        if response.status == .seeOther, !response.headers[values: .setCookie].isEmpty, let location = response.headers[.location], location.hasPrefix("/") {
            _ = try await get(client, location)
        }
        return response
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

@Suite struct AccountPageTests {
    static let signUpFields = [("name", "Grace Hopper"), ("email", "grace@example.com"), ("password", "compiler-pioneer"), ("phone", "")]

    @Test func signUpSignsInAndShowsTheAccount() async throws {
        try await withTestApp { client in
            var browser = Browser()
            _ = try await browser.get(client, "/account/sign-up")
            #expect(browser.cookies["__Host-gm_visitor"] != nil)
            #expect(!browser.csrfToken.isEmpty)

            let created = try await browser.post(client, "/account/sign-up", form: Self.signUpFields)

            #expect(created.status == .seeOther)
            #expect(created.headers[.location] == "/account")
            let setCookie = created.headers[values: .setCookie].first { $0.hasPrefix("__Host-gm_session=") } ?? ""
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.contains("SameSite=Lax"))
            #expect(setCookie.contains("Secure"))
            let account = try await browser.get(client, "/account")
            #expect(account.status == .ok)
            #expect(account.headers[.cacheControl] == "private, no-store")
            #expect(String(buffer: account.body).contains("grace@example.com"))
            #expect(String(buffer: account.body).contains("Hi, Grace"))
        }
    }

    @Test func badSignUpRedisplaysTheFormWithEveryError() async throws {
        try await withTestApp { client in
            var browser = Browser()
            _ = try await browser.get(client, "/account/sign-up")

            let response = try await browser.post(client, "/account/sign-up", form: [("name", ""), ("email", "nope"), ("password", "password"), ("phone", "")])

            let html = String(buffer: response.body)
            #expect(response.status == .unprocessableContent)
            #expect(html.contains(#"role="alert""#))
            #expect(html.contains("Please tell us your name."))
            #expect(html.contains("e-mail address such as"))
            #expect(html.contains("most commonly used passwords"))
            #expect(html.contains(#"value="nope""#))
            #expect(browser.cookies["__Host-gm_session"] == nil)
        }
    }

    @Test func formsWithoutAValidCSRFTokenAreRefused() async throws {
        try await withTestApp { client in
            var browser = Browser()
            _ = try await browser.get(client, "/account/sign-up")

            let forged = try await browser.post(client, "/account/sign-up", form: Self.signUpFields, csrf: "forged")
            var stranger = Browser()
            let noCookie = try await stranger.post(client, "/account/sign-up", form: Self.signUpFields, csrf: browser.csrfToken)

            #expect(forged.status == .forbidden)
            #expect(String(buffer: forged.body).contains("This form has expired"))
            #expect(noCookie.status == .forbidden)
            let signIn = try await browser.post(client, "/account/sign-in", form: [("email", "grace@example.com"), ("password", "compiler-pioneer")])
            #expect(signIn.status == .unauthorized) // no account was created by the refused forms
        }
    }

    @Test func signInRotatesTheSessionAndSignOutEndsIt() async throws {
        try await withTestApp { client in
            var browser = Browser()
            _ = try await browser.get(client, "/account/sign-up")
            _ = try await browser.post(client, "/account/sign-up", form: Self.signUpFields)
            let firstSession = try #require(browser.cookies["__Host-gm_session"])

            let signedIn = try await browser.post(client, "/account/sign-in?x=1", form: [
                ("email", "GRACE@example.com"), ("password", "compiler-pioneer"), ("next", "/aisles/bakery"),
            ])
            let secondSession = try #require(browser.cookies["__Host-gm_session"])
            #expect(signedIn.headers[.location] == "/aisles/bakery")
            #expect(secondSession != firstSession)

            var oldBrowser = browser
            oldBrowser.cookies["__Host-gm_session"] = firstSession
            let withOldCookie = try await oldBrowser.get(client, "/account")
            #expect(withOldCookie.status == .seeOther) // the replaced session no longer signs anyone in
            #expect(oldBrowser.cookies["__Host-gm_session"] == nil) // and its cookie was cleared

            let signedOut = try await browser.post(client, "/account/sign-out", form: [])
            #expect(signedOut.status == .seeOther)
            #expect(browser.cookies["__Host-gm_session"] == nil)
            var replay = browser
            replay.cookies["__Host-gm_session"] = secondSession
            let afterSignOut = try await replay.get(client, "/account")
            #expect(afterSignOut.status == .seeOther)
            #expect(afterSignOut.headers[.location] == "/account/sign-in?next=%2Faccount")
        }
    }

    @Test func wrongPasswordsAndOffSiteRedirectsAreRefused() async throws {
        try await withTestApp { client in
            var browser = Browser()
            _ = try await browser.get(client, "/account/sign-up")
            _ = try await browser.post(client, "/account/sign-up", form: Self.signUpFields)
            _ = try await browser.post(client, "/account/sign-out", form: [])

            let wrong = try await browser.post(client, "/account/sign-in", form: [("email", "grace@example.com"), ("password", "wrong-password")])
            let offSite = try await browser.post(client, "/account/sign-in", form: [
                ("email", "grace@example.com"), ("password", "compiler-pioneer"), ("next", "//evil.example/steal"),
            ])

            #expect(wrong.status == .unauthorized)
            #expect(String(buffer: wrong.body).contains("The e-mail address or password is not right."))
            #expect(offSite.headers[.location] == "/account")
        }
    }
}
