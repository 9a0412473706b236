import Foundation
@testable import Mail
import Testing

/// The SMTP client against a real server (aiosmtpd) with STARTTLS and AUTH.
@Suite(.enabled(if: MailServer.available, "needs the project's Python environment (scripts/test-venv)"), .serialized)
struct SMTPClientTests {
    static func message(to address: String = "ann@example.com", id: String = "t1@shop.example") -> MailMessage {
        MailMessage(from: MailAddress("orders@shop.example", name: "GoMart"), to: [MailAddress(address, name: "Ann")],
                    subject: "Your order", text: "Two bananas\n.and a dot", html: "<p>Two bananas</p>",
                    messageID: id, date: Date(timeIntervalSince1970: 1_796_098_417))
    }

    /// A client of `server`. Its deadline is generous: the server is a Python process that a
    /// busy machine (the whole suite at once) may keep waiting.
    static func client(_ server: MailServer, user: String = "shop", password: String = "s3cret pass", mode: String = "required") throws -> SMTPClient {
        let password = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return try SMTPClient(settings: SMTPSettings(
            url: "smtp://\(user):\(password)@127.0.0.1:\(server.port)?starttls=\(mode)&ca=\(server.certificate)", timeout: .seconds(120)
        ))
    }

    @Test func deliversOverSTARTTLSWithAuthentication() async throws {
        let server = try MailServer()
        defer { server.stop() }
        try await Self.client(server).send(Self.message())
        let received = try server.messages()
        #expect(received.count == 1)
        let mail = try #require(received.first)
        #expect(mail.hasPrefix("X-Envelope-From: orders@shop.example\r\nX-Envelope-To: ann@example.com\r\n") || mail.hasPrefix("X-Envelope-From: orders@shop.example\nX-Envelope-To: ann@example.com\n"))
        // What arrived is exactly what was rendered (the server undoes the dot-stuffing).
        let body = mail.replacingOccurrences(of: "\r\n", with: "\n")
        #expect(body.contains(Self.message().rendered().replacingOccurrences(of: "\r\n", with: "\n")))
    }

    @Test func aWrongPasswordIsAPermanentFailure() async throws {
        let server = try MailServer()
        defer { server.stop() }
        let error = await #expect(throws: MailError.self) { try await Self.client(server, password: "wrong").send(Self.message()) }
        #expect(error?.isPermanent == true)
        #expect(error?.description.hasPrefix("the SMTP server answered AUTH with 535") == true)
        #expect(try server.messages().isEmpty)
    }

    @Test func aServerWithoutSTARTTLSIsRefusedWhenItIsRequired() async throws {
        let server = try MailServer(starttls: false, user: nil)
        defer { server.stop() }
        await #expect(throws: MailError("the SMTP server does not offer STARTTLS, which GOMART_SMTP_URL requires")) {
            try await SMTPClient(settings: SMTPSettings(url: "smtp://127.0.0.1:\(server.port)")).send(Self.message())
        }
        #expect(try server.messages().isEmpty)
        // Opportunistic mode sends in the clear to such a server.
        try await SMTPClient(settings: SMTPSettings(url: "smtp://127.0.0.1:\(server.port)?starttls=opportunistic")).send(Self.message())
        #expect(try server.messages().count == 1)
    }

    @Test func anUntrustedCertificateIsRefused() async throws {
        let server = try MailServer()
        defer { server.stop() }
        // Without ca=, the system's authorities are trusted, and none signed the test certificate.
        let client = try SMTPClient(settings: SMTPSettings(url: "smtp://shop:x@127.0.0.1:\(server.port)", timeout: .seconds(120)))
        let error = await #expect(throws: MailError.self) { try await client.send(Self.message()) }
        #expect(error?.isPermanent == false)
        // How the refusal surfaces (the handshake's alert, or the connection closing under it)
        // depends on timing; what matters is that it is a temporary failure and nothing was sent.
        #expect(error?.description.hasPrefix("the exchange with the SMTP server failed: ") == true, "\(String(describing: error))")
        #expect(try server.messages().isEmpty)
    }

    @Test func aServerThatIsDownIsATemporaryFailure() async throws {
        let server = try MailServer()
        let port = server.port
        server.stop()
        let client = try SMTPClient(settings: SMTPSettings(url: "smtp://127.0.0.1:\(port)"))
        let error = await #expect(throws: MailError.self) { try await client.send(Self.message()) }
        #expect(error?.isPermanent == false)
        #expect(error?.description.hasPrefix("cannot connect to the SMTP server 127.0.0.1:\(port)") == true)
    }

    @Test func aRefusedRecipientIsPermanent() async throws {
        let server = try MailServer()
        defer { server.stop() }
        // The test server has no mailboxes at refused.invalid.
        await #expect(throws: MailError("the SMTP server answered RCPT with 550 5.1.1 No such mailbox", permanent: true)) {
            try await Self.client(server).send(Self.message(to: "nobody@refused.invalid"))
        }
    }
}
