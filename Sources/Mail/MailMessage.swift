import Foundation

/// An address in a mail header: an optional display name and the address itself.
public struct MailAddress: Sendable, Equatable {
    public var name: String?
    public var address: String

    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    /// `Name <address>` or a bare address, as `GOMART_MAIL_FROM` gives it; nil when there is no
    /// `@` in the address or it holds spaces or angle brackets.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var name: String?
        var address = trimmed
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            let before = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            name = before.isEmpty ? nil : before
        }
        guard address.contains("@"), !address.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0.isNewline }) else { return nil }
        self.init(address, name: name)
    }

    /// As a header writes it: `"Name" <address>` (the name encoded when it is not plain ASCII).
    var header: String {
        guard let name, !name.isEmpty else { return "<\(address)>" }
        return "\(MailMessage.encodedWord(name, quoted: true)) <\(address)>"
    }
}

/// An e-mail as it travels: headers plus a plain-text body and, usually, an HTML alternative.
///
/// ``rendered()`` writes RFC 5322 with MIME: `multipart/alternative` when there is HTML, both
/// parts UTF-8 in quoted-printable (lines of at most 76 characters, CRLF), non-ASCII header text
/// as RFC 2047 encoded words. The output is a function of the message alone (the boundary comes
/// from the message id), so a message renders the same on every attempt.
public struct MailMessage: Sendable, Equatable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var subject: String
    public var text: String
    public var html: String?
    /// Without the angle brackets, e.g. `42.1@shop.example`; the same on every attempt, so a
    /// receiver can drop a repeat.
    public var messageID: String
    public var date: Date
    /// Further headers in order, e.g. `List-Unsubscribe`.
    public var headers: [(name: String, value: String)]

    public init(from: MailAddress, to: [MailAddress], subject: String, text: String, html: String? = nil,
                messageID: String, date: Date, headers: [(name: String, value: String)] = []) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
        self.headers = headers
    }

    public static func == (lhs: MailMessage, rhs: MailMessage) -> Bool {
        lhs.rendered() == rhs.rendered()
    }

    /// The message in wire form, CRLF line ends, ready for SMTP's DATA.
    public func rendered() -> String {
        var lines = [
            "From: \(from.header)",
            "To: \(to.map(\.header).joined(separator: ", "))",
            "Subject: \(Self.encodedWord(subject, quoted: false))",
            "Date: \(Self.headerDate(date))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
        ]
        lines += headers.map { "\($0.name): \(Self.headerSafe($0.value))" }
        guard let html else {
            lines += Self.partHeaders(type: "text/plain")
            return (lines + ["", Self.quotedPrintable(text)]).joined(separator: "\r\n")
        }
        let boundary = "=_gomart_" + String(Self.fnv1a(messageID), radix: 36)
        lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
        lines += ["", "This is a message in MIME format.", "--\(boundary)"]
        lines += Self.partHeaders(type: "text/plain") + ["", Self.quotedPrintable(text), "--\(boundary)"]
        lines += Self.partHeaders(type: "text/html") + ["", Self.quotedPrintable(html), "--\(boundary)--", ""]
        return lines.joined(separator: "\r\n")
    }

    private static func partHeaders(type: String) -> [String] {
        ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: quoted-printable"]
    }

    /// Header text with any line break removed, so a value can never start a header of its own.
    static func headerSafe(_ value: String) -> String {
        // By scalar: "\r\n" is one Character in Swift, and neither "\r" nor "\n".
        String(String.UnicodeScalarView(value.unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : $0 }))
    }

    /// `text` as it may stand in a header: as is when it is printable ASCII (quoted when a
    /// display name needs it), else as RFC 2047 encoded words of UTF-8 in base64.
    static func encodedWord(_ text: String, quoted: Bool) -> String {
        let safe = headerSafe(text)
        if safe.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) {
            guard quoted else { return safe }
            return "\"" + safe.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        // Words of at most 45 bytes of UTF-8 (60 of base64), split on character boundaries.
        var words: [String] = []
        var chunk = [UInt8]()
        for character in safe {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// UTF-8 `text` in quoted-printable (RFC 2045): CRLF line ends, soft breaks keep every line
    /// within 76 characters, and a line never starts with a dot or ends in a space.
    static func quotedPrintable(_ text: String) -> String {
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [String] = []
        for line in normalised.split(separator: "\n", omittingEmptySubsequences: false) {
            let bytes = Array(line.utf8)
            var current = [UInt8]()
            for (index, byte) in bytes.enumerated() {
                let last = index == bytes.count - 1
                let plain = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || (byte == UInt8(ascii: " ") && !last)
                    || (byte == UInt8(ascii: "\t") && !last)
                let startsLine = current.isEmpty && byte == UInt8(ascii: ".")
                let piece: [UInt8] = plain && !startsLine ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
                // Room for the piece plus a soft break's "=" (unless this is the line's end).
                if current.count + piece.count > (last ? 76 : 75) {
                    output.append(String(decoding: current + [UInt8(ascii: "=")], as: UTF8.self))
                    current = []
                    if piece == [UInt8(ascii: ".")] {
                        current += [UInt8(ascii: "="), UInt8(ascii: "2"), UInt8(ascii: "E")]
                        continue
                    }
                }
                current += piece
            }
            output.append(String(decoding: current, as: UTF8.self))
        }
        return output.joined(separator: "\r\n")
    }

    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(14_695_981_039_346_656_037 as UInt64) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
    }

    /// RFC 5322's date, in UTC: `Tue, 01 Dec 2026 04:13:37 +0000`.
    static func headerDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.weekday, .day, .month, .year, .hour, .minute, .second], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String { let value = value ?? 0; return value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[(parts.weekday ?? 1) - 1]), \(two(parts.day)) \(months[(parts.month ?? 1) - 1]) \(parts.year ?? 1970) "
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }
}
