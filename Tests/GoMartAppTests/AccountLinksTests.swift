import Foundation
import GoMartApp
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Security
import Storage
import TestSupport
import Testing

/// The e-mails a live test app kept in its Maildir folder.
struct Mailbox {
    let folder: String

    /// The messages so far, oldest first, decoded from quoted-printable (soft breaks joined).
    func messages() -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/new")) ?? []).sorted()
        return names.compactMap { try? String(contentsOfFile: "\(folder)/new/\($0)", encoding: .utf8) }.map(Self.decoded)
    }

    /// Waits (up to 10 s, re-reading on each file system change… or every 50 ms) until a message
    /// whose text contains `marker` has arrived, and returns it.
    func waitForMessage(containing marker: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let found = messages().first(where: { $0.contains(marker) }) { return found }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw NoSuchMessage(marker: marker)
    }

    struct NoSuchMessage: Error { var marker: String }

    /// The first link in `message` that starts with `prefix`.
    static func link(in message: String, startingWith prefix: String) -> String? {
        guard let start = message.range(of: prefix) else { return nil }
        return String(message[start.lowerBound...].prefix { !$0.isWhitespace && $0 != "\"" && $0 != "<" })
    }

    static func decoded(_ text: String) -> String {
        text.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=3D", with: "=")
    }
}

@Suite struct AccountLinksTests {
    static let fields = [("name", "Grace Hopper"), ("email", "grace@example.com"), ("password", "compiler-pioneer"), ("phone", "")]

    /// The page without what differs between any two visitors (their CSRF token).
    static func withoutToken(_ html: String) -> String {
        html.replacingOccurrences(of: #"name="_csrf" value="[^"]*""#, with: "", options: .regularExpression)
    }

    @Test func signUpAnswersTheSameForANewAndATakenEMailAndNeitherSignsIn() async throws {
        try await withTestApp(configure: { $0.messaging.requireEmailVerification = true }) { client in
            var first = Browser()
            _ = try await first.get(client, "/account/sign-up")
            let new = try await first.post(client, "/account/sign-up", form: Self.fields)
            var second = Browser()
            _ = try await second.get(client, "/account/sign-up")
            let taken = try await second.post(client, "/account/sign-up", form: [("name", "Someone Else"), ("email", "Grace@Example.com "), ("password", "another-password"), ("phone", "")])

            #expect(new.status == .ok)
            #expect(taken.status == .ok)
            #expect(new.headers[values: .setCookie].contains { $0.contains("gm_session=") } == false)
            #expect(taken.headers[values: .setCookie].contains { $0.contains("gm_session=") } == false)
            #expect(Self.withoutToken(new.text) == Self.withoutToken(taken.text))
            #expect(new.text.contains("We have sent a message to grace@example.com."))

            // Not confirmed yet: the right password is refused like a wrong one.
            let signIn = try await first.post(client, "/account/sign-in", form: [("email", "grace@example.com"), ("password", "compiler-pioneer"), ("next", "")])
            #expect(signIn.status == .unauthorized)
        }
    }

    @Test func theAPISignUpAnswersTheSameForANewAndATakenEMail() async throws {
        try await withTestApp(configure: { $0.messaging.requireEmailVerification = true }) { client in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            let body = #"{"name":"Grace Hopper","email":"grace@example.com","password":"compiler-pioneer"}"#
            let new = try await client.executeRequest(uri: "/api/v1/customers", method: .post, headers: headers, body: ByteBuffer(string: body))
            let taken = try await client.executeRequest(uri: "/api/v1/customers", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(new.status == .accepted)
            #expect(taken.status == .accepted)
            #expect(new.text == taken.text)
            #expect(new.text == #"{"detail":"Follow the link in the e-mail we sent to finish opening the account. If the e-mail already has an account, its owner was told instead.","status":"confirmation_sent"}"#)
        }
    }

    @Test func theConfirmationLinkSignsInAndATakenEMailTellsItsOwner() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-links-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withTestApp(configure: {
            $0.messaging.requireEmailVerification = true
            $0.persistence.dataDirectory = folder.path
        }, framework: .live) { client in
            let mailbox = Mailbox(folder: folder.appendingPathComponent("mail").path)
            var browser = Browser()
            _ = try await browser.get(client, "/account/sign-up")
            _ = try await browser.post(client, "/account/sign-up", form: Self.fields)
            let welcome = try await mailbox.waitForMessage(containing: "Subject: Confirm your e-mail for GoMart")
            #expect(welcome.contains("To: \"Grace Hopper\" <grace@example.com>"))
            let link = try #require(Mailbox.link(in: welcome, startingWith: "https://shop.example/account/confirm?token="))

            // Opening the link changes nothing; its button does.
            let path = String(link.dropFirst("https://shop.example".count))
            let page = try await browser.get(client, path)
            #expect(page.status == .ok)
            let token = String(path.dropFirst("/account/confirm?token=".count))
            let confirmed = try await browser.post(client, "/account/confirm", form: [("token", token)])
            #expect(confirmed.status == .seeOther)
            #expect(confirmed.headers[.location] == "/account?confirmed=1")
            #expect(try await browser.get(client, "/account?confirmed=1").text.contains("Your e-mail is confirmed."))
            // A link works once.
            #expect(try await browser.post(client, "/account/confirm", form: [("token", token)]).status == .gone)

            var stranger = Browser()
            _ = try await stranger.get(client, "/account/sign-up")
            _ = try await stranger.post(client, "/account/sign-up", form: Self.fields)
            let notice = try await mailbox.waitForMessage(containing: "Subject: Someone tried to open a GoMart account with your e-mail")
            #expect(notice.contains("To: \"Grace Hopper\" <grace@example.com>"))
        }
    }

    @Test func aPasswordResetLinkFromTheEMailSetsANewPasswordAndEndsEverySession() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-links-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withTestApp(configure: { $0.persistence.dataDirectory = folder.path }, framework: .live) { client in
            let mailbox = Mailbox(folder: folder.appendingPathComponent("mail").path)
            var signedIn = Browser()
            _ = try await signedIn.get(client, "/account/sign-up")
            _ = try await signedIn.post(client, "/account/sign-up", form: Self.fields)
            #expect(try await signedIn.get(client, "/account").status == .ok)

            var other = Browser()
            _ = try await other.get(client, "/account/password/forgot")
            let unknown = try await other.post(client, "/account/password/forgot", form: [("email", "nobody@example.com")])
            let known = try await other.post(client, "/account/password/forgot", form: [("email", "grace@example.com")])
            #expect(unknown.status == .ok)
            #expect(Self.withoutToken(unknown.text).replacingOccurrences(of: "nobody@example.com", with: "grace@example.com") == Self.withoutToken(known.text))

            let mail = try await mailbox.waitForMessage(containing: "Subject: Reset your GoMart password")
            let link = try #require(Mailbox.link(in: mail, startingWith: "https://shop.example/account/password/reset?token="))
            let token = String(link.dropFirst("https://shop.example/account/password/reset?token=".count))
            _ = try await other.get(client, "/account/password/reset?token=\(token)")
            let reset = try await other.post(client, "/account/password/reset", form: [("token", token), ("new_password", "a brand new secret")])
            #expect(reset.status == .seeOther)
            #expect(reset.headers[.location] == "/account/sign-in?reset=done")

            // The session from before the reset is gone.
            let account = try await signedIn.get(client, "/account")
            #expect(account.status == .seeOther)
            // The new password works; the link does not work twice.
            let again = try await other.post(client, "/account/password/reset", form: [("token", token), ("new_password", "yet another secret")])
            #expect(again.status == .gone)
            let signIn = try await other.post(client, "/account/sign-in", form: [("email", "grace@example.com"), ("password", "a brand new secret"), ("next", "")])
            #expect(signIn.status == .seeOther)
        }
    }
}

@Suite struct UpdateChannelPageTests {
    @Test func theAccountPageSetsHowUpdatesArriveAndTheOneClickLinkStopsTheEMails() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-updates-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A database on disk, so that the shop's key is in a file this test can read too.
        var settings = GoMartConfiguration.forTests(databaseURL: .sqliteFile(path: folder.appendingPathComponent("gomart.sqlite").path))
        settings.persistence.dataDirectory = folder.path
        settings.messaging.smsSandbox = true
        let configured = settings
        try await withTestApp(configure: {
            $0.persistence.databaseURL = configured.persistence.databaseURL
            $0.persistence.databaseSchema = nil
            $0.persistence.dataDirectory = configured.persistence.dataDirectory
            $0.messaging.smsSandbox = true
        }) { client in
            var browser = Browser()
            _ = try await browser.get(client, "/account/sign-up")
            _ = try await browser.post(client, "/account/sign-up", form: [("name", "Grace Hopper"), ("email", "grace@example.com"),
                                                                         ("password", "compiler-pioneer"), ("phone", "")])
            let page = try await browser.get(client, "/account").text
            #expect(page.contains(#"<input type="radio" name="updates_by" value="email" checked> By e-mail"#))
            #expect(page.contains(#"value="both"> By e-mail and text message"#))

            // Texts need a phone number, which this account has not given.
            let refused = try await browser.post(client, "/account/updates", form: [("updates_by", "sms")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("Text messages need a phone number on your account."))
            let saved = try await browser.post(client, "/account/updates", form: [("updates_by", "none")])
            #expect(saved.headers[.location] == "/account?updates=saved")
            #expect(try await browser.get(client, "/account").text.contains(#"value="none" checked>"#))

            // The one-click link from an update e-mail: posted by a mail client, with no cookie and no CSRF token.
            _ = try await browser.post(client, "/account/updates", form: [("updates_by", "email")])
            let me = try await client.executeRequest(uri: "/account", method: .get, headers: [.cookie: browser.cookieHeader], body: nil)
            #expect(me.status == .ok)
            let keys = try loadSecretKeys(configured)
            let id = try #require(try await Self.publicID(client, browser))
            let token = PersonalDataVault(keys: keys).blindIndex("unsubscribe:" + id)
            var headers = HTTPFields()
            headers[.contentType] = "application/x-www-form-urlencoded"
            let forged = try await client.executeRequest(uri: "/account/unsubscribe?customer=\(id)&token=forged", method: .post, headers: headers,
                                                         body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
            #expect(forged.status == .notFound)
            let oneClick = try await client.executeRequest(uri: "/account/unsubscribe?customer=\(id)&token=\(token)", method: .post, headers: headers,
                                                           body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
            #expect(oneClick.status == .ok)
            #expect(oneClick.text.contains("No more update e-mails"))
            #expect(try await browser.get(client, "/account").text.contains(#"value="none" checked>"#))
        }
    }

    /// The signed-in customer's public id, from the data export of their own orders page… or the API.
    static func publicID(_ client: some TestClientProtocol, _ browser: Browser) async throws -> String? {
        var signIn = HTTPFields()
        signIn[.contentType] = "application/json"
        let session = try await client.executeRequest(uri: "/api/v1/sessions", method: .post, headers: signIn,
                                                      body: ByteBuffer(string: #"{"email":"grace@example.com","password":"compiler-pioneer"}"#)).json()
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(session["token"] as? String ?? "")"
        return try await client.executeRequest(uri: "/api/v1/me", method: .get, headers: headers, body: nil).json()["id"] as? String
    }
}
