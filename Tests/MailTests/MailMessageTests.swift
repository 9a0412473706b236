import Foundation
@testable import Mail
import Testing

@Suite struct MailMessageTests {
    static let message = MailMessage(
        from: MailAddress("orders@shop.example", name: "GoMart"),
        to: [MailAddress("ann@example.com", name: "Ann Ó Súilleabháin")],
        subject: "Your order 3F2A — thank you",
        text: "Hello Ann,\n.a line that starts with a dot\nTotal: £12.40 ",
        html: "<p>Hello Ann</p>",
        messageID: "order-paid.42@shop.example",
        date: Date(timeIntervalSince1970: 1_796_098_417),
        headers: [("List-Unsubscribe", "<https://shop.example/account>\r\nBcc: evil@example.com")]
    )

    @Test func rendersMultipartWithEncodedHeadersAndQuotedPrintableParts() {
        let expected = [
            "From: \"GoMart\" <orders@shop.example>",
            "To: =?UTF-8?B?QW5uIMOTIFPDumlsbGVhYmjDoWlu?= <ann@example.com>",
            "Subject: =?UTF-8?B?WW91ciBvcmRlciAzRjJBIOKAlCB0aGFuayB5b3U=?=",
            "Date: Tue, 01 Dec 2026 04:13:37 +0000",
            "Message-ID: <order-paid.42@shop.example>",
            "MIME-Version: 1.0",
            "List-Unsubscribe: <https://shop.example/account>  Bcc: evil@example.com",
            "Content-Type: multipart/alternative; boundary=\"=_gomart_\(String(MailMessage.fnv1a("order-paid.42@shop.example"), radix: 36))\"",
            "",
            "This is a message in MIME format.",
            "--=_gomart_\(String(MailMessage.fnv1a("order-paid.42@shop.example"), radix: 36))",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "Hello Ann,",
            "=2Ea line that starts with a dot",
            "Total: =C2=A312.40=20",
            "--=_gomart_\(String(MailMessage.fnv1a("order-paid.42@shop.example"), radix: 36))",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "<p>Hello Ann</p>",
            "--=_gomart_\(String(MailMessage.fnv1a("order-paid.42@shop.example"), radix: 36))--",
            "",
        ].joined(separator: "\r\n")
        #expect(Self.message.rendered() == expected)
    }

    @Test func plainTextOnlyIsASinglePart() {
        var message = Self.message
        message.html = nil
        message.headers = []
        #expect(message.rendered().hasSuffix("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHello Ann,\r\n=2Ea line that starts with a dot\r\nTotal: =C2=A312.40=20"))
    }

    @Test func longLinesAreSoftBrokenWithinSeventySixCharacters() throws {
        let text = String(repeating: "Crisp apples £2 ", count: 20)
        let encoded = MailMessage.quotedPrintable(text)
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(lines.dropLast().allSatisfy { $0.hasSuffix("=") })
        // Decoding gives the text back.
        let joined = lines.map { $0.hasSuffix("=") ? String($0.dropLast()) : $0 }.joined()
        var bytes: [UInt8] = []
        let utf8 = Array(joined.utf8)
        var position = 0
        while position < utf8.count {
            if utf8[position] == UInt8(ascii: "=") {
                bytes.append(UInt8(String(decoding: utf8[position + 1...position + 2], as: UTF8.self), radix: 16)!)
                position += 3
            } else {
                bytes.append(utf8[position])
                position += 1
            }
        }
        #expect(String(decoding: bytes, as: UTF8.self) == text)
    }

    @Test func longNonASCIISubjectsSplitIntoSeveralEncodedWords() {
        let subject = String(repeating: "Größe ", count: 12)
        let encoded = MailMessage.encodedWord(subject, quoted: false)
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count == 3)
        #expect(words.allSatisfy { $0.utf8.count <= 75 })
        let decoded = words.map { word in
            String(decoding: Data(base64Encoded: String(word.dropFirst("=?UTF-8?B?".count).dropLast(2)))!, as: UTF8.self)
        }.joined()
        #expect(decoded == subject)
    }

    @Test func dotStuffingDoublesLeadingDotsAndEndsWithALineBreak() {
        #expect(SMTPClient.dotStuffed("a\r\n.b\r\n..c") == "a\r\n..b\r\n...c\r\n")
    }
}

@Suite struct SMTPSettingsTests {
    @Test func readsUserPasswordHostPortAndMode() throws {
        let settings = try SMTPSettings(url: "smtp://shop%40example.com:p%3Ass@mail.example:2587?starttls=opportunistic&ca=/etc/ca.pem")
        #expect(settings.host == "mail.example")
        #expect(settings.port == 2587)
        #expect(settings.security == .startTLSOpportunistic)
        #expect(settings.username == "shop@example.com")
        #expect(settings.password == "p:ss")
        #expect(settings.trustedCertificates == "/etc/ca.pem")
        #expect(settings.redacted == "smtp://shop@example.com:***@mail.example:2587?starttls=opportunistic")
    }

    @Test func defaultsToRequiredSTARTTLSOn587AndImplicitTLSOn465() throws {
        let plain = try SMTPSettings(url: "smtp://mail.example")
        #expect(plain.security == .startTLSRequired)
        #expect(plain.port == 587)
        let implicit = try SMTPSettings(url: "smtps://mail.example")
        #expect(implicit.security == .implicitTLS)
        #expect(implicit.port == 465)
    }

    @Test(arguments: [
        ("http://mail.example", "GOMART_SMTP_URL: the scheme must be smtp or smtps, not http"),
        ("smtp://mail.example?starttls=maybe", "GOMART_SMTP_URL: starttls must be required, opportunistic or off, not maybe"),
        ("mail.example", "GOMART_SMTP_URL must look like smtp://user:password@host:587?starttls=required"),
    ])
    func refusesWhatItCannotUse(url: String, problem: String) {
        #expect(throws: SMTPSettings.Invalid(description: problem)) { try SMTPSettings(url: url) }
    }
}
