import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Something that delivers a message: SMTP here, a recording mailbox for the demo and tests.
public protocol MailTransport: Sendable {
    /// Hands `message` on for delivery; throws ``MailError`` when it was not accepted.
    func send(_ message: MailMessage) async throws
}

/// Why a message was not accepted.
public struct MailError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, without the message's content or addresses.
    public var description: String
    /// The server refused for good (a 5xx answer): sending again would be refused again.
    public var isPermanent: Bool

    public init(_ description: String, permanent: Bool = false) {
        self.description = description
        isPermanent = permanent
    }
}

/// An SMTP client over SwiftNIO: one connection per message, STARTTLS or implicit TLS, AUTH
/// PLAIN or LOGIN, SMTPUTF8 when an address needs it, and a deadline on the whole exchange.
///
/// A 4xx answer, a dropped connection or the deadline is a temporary failure; a 5xx answer is
/// permanent (``MailError/isPermanent``).
public struct SMTPClient: MailTransport {
    public let settings: SMTPSettings
    /// The name this client gives in EHLO.
    public let clientName: String
    let tls: NIOSSLContext?
    let group: any EventLoopGroup

    public init(settings: SMTPSettings, clientName: String = "gomart.localhost", group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        self.settings = settings
        self.clientName = clientName
        self.group = group
        if settings.security == .none {
            tls = nil
        } else {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.minimumTLSVersion = .tlsv12
            if let file = settings.trustedCertificates {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
            }
            tls = try NIOSSLContext(configuration: configuration)
        }
    }

    public func send(_ message: MailMessage) async throws {
        let recipients = message.to.map(\.address)
        guard !recipients.isEmpty else { throw MailError("a message needs a recipient", permanent: true) }
        let data = Self.dotStuffed(message.rendered())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await exchange(from: message.from.address, to: recipients, data: data)
                } catch let error as MailError {
                    throw error
                } catch {
                    // TLS and connection errors: temporary, the next attempt may fare better.
                    throw MailError("the exchange with the SMTP server failed: \(error)")
                }
            }
            group.addTask {
                try await Task.sleep(for: settings.timeout)
                throw MailError("the SMTP server did not finish within \(settings.timeout)")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// One connection: greeting, EHLO, TLS, AUTH, the envelope, the data and QUIT.
    private func exchange(from: String, to recipients: [String], data: String) async throws {
        let channel: NIOAsyncChannel<String, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(10))
                .connect(host: settings.host, port: settings.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if settings.security == .implicitTLS, let tls {
                            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(settings.host)))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                        return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw MailError("cannot connect to the SMTP server \(settings.host):\(settings.port): \(error)")
        }
        try await channel.executeThenClose { inbound, outbound in
            var conversation = Conversation(lines: inbound.makeAsyncIterator(), outbound: outbound, allocator: channel.channel.allocator)
            try await conversation.expect(220, after: "connecting")
            var capabilities = try await conversation.command("EHLO \(clientName)", expect: 250)
            let offersTLS = capabilities.contains { $0.uppercased() == "STARTTLS" }
            if settings.security == .startTLSRequired, !offersTLS {
                throw MailError("the SMTP server does not offer STARTTLS, which GOMART_SMTP_URL requires")
            }
            if settings.security == .startTLSRequired || settings.security == .startTLSOpportunistic, offersTLS {
                _ = try await conversation.command("STARTTLS", expect: 220)
                guard let tls else { throw MailError("no TLS context") }
                let name = Self.sniName(settings.host)
                try await channel.channel.eventLoop.submit {
                    let handler = try NIOSSLClientHandler(context: tls, serverHostname: name)
                    try channel.channel.pipeline.syncOperations.addHandler(handler, position: .first)
                }.get()
                capabilities = try await conversation.command("EHLO \(clientName)", expect: 250)
            }
            let encrypted = settings.security == .implicitTLS || (settings.security != .none && offersTLS)
            if let username = settings.username {
                guard encrypted || settings.isLoopback else {
                    throw MailError("refusing to send the SMTP password without TLS; use starttls=required or smtps://", permanent: true)
                }
                try await conversation.authenticate(username: username, password: settings.password ?? "", capabilities: capabilities)
            }
            let needsUTF8 = !(from + recipients.joined()).allSatisfy(\.isASCII)
            if needsUTF8, !capabilities.contains(where: { $0.uppercased() == "SMTPUTF8" }) {
                throw MailError("the SMTP server cannot take an address that is not ASCII (no SMTPUTF8)", permanent: true)
            }
            _ = try await conversation.command("MAIL FROM:<\(from)>" + (needsUTF8 ? " SMTPUTF8" : ""), expect: 250)
            for recipient in recipients {
                _ = try await conversation.command("RCPT TO:<\(recipient)>", expect: 250, also: [251])
            }
            _ = try await conversation.command("DATA", expect: 354)
            _ = try await conversation.command(data + ".", expect: 250)
            try? await outbound.write(channel.channel.allocator.buffer(string: "QUIT\r\n"))
        }
    }

    /// The name for TLS's server name indication: none for an IP address (the certificate is
    /// then checked against the address itself).
    static func sniName(_ host: String) -> String? {
        host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
    }

    /// The rendered message for DATA: every line that starts with a dot gets a second one, and
    /// the text ends with CRLF, so the terminating `.` stands on a line of its own.
    static func dotStuffed(_ rendered: String) -> String {
        var lines = rendered.components(separatedBy: "\r\n")
        for index in lines.indices where lines[index].hasPrefix(".") { lines[index] = "." + lines[index] }
        var text = lines.joined(separator: "\r\n")
        if !text.hasSuffix("\r\n") { text += "\r\n" }
        return text
    }
}

/// One SMTP exchange: commands out, replies (possibly several lines) in.
private struct Conversation {
    var lines: NIOAsyncChannelInboundStream<String>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let allocator: ByteBufferAllocator

    /// Sends `line` and reads the reply; throws unless its code is `code` (or one of `also`).
    /// Returns the reply's lines without their codes (EHLO's capabilities).
    mutating func command(_ line: String, expect code: Int, also: [Int] = []) async throws -> [String] {
        try await outbound.write(allocator.buffer(string: line + "\r\n"))
        let verb = line.prefix(while: { $0 != " " && $0 != ":" && $0 != "\r" }).uppercased()
        return try await expect(code, also: also, after: verb.count > 10 ? "the message" : verb)
    }

    mutating func expect(_ code: Int, also: [Int] = [], after what: String) async throws -> [String] {
        let (answer, text) = try await reply()
        guard answer == code || also.contains(answer) else {
            throw MailError("the SMTP server answered \(what) with \(answer) \(Self.withoutAddresses(text.last ?? ""))", permanent: (500..<600).contains(answer))
        }
        return text
    }

    @discardableResult
    mutating func expect(_ code: Int, after what: String) async throws -> [String] {
        try await expect(code, also: [], after: what)
    }

    /// A server's words with any e-mail address replaced, so that errors kept and logged carry
    /// no personal data (servers often quote the recipient).
    static func withoutAddresses(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false).map { $0.contains("@") ? "<address>" : String($0) }.joined(separator: " ")
    }

    /// A reply: lines `250-…` continue it, `250 …` ends it.
    mutating func reply() async throws -> (Int, [String]) {
        var text: [String] = []
        while true {
            guard let line = try await lines.next() else { throw MailError("the SMTP server closed the connection") }
            guard line.count >= 3, let code = Int(line.prefix(3)) else { throw MailError("the SMTP server sent a line that is not a reply") }
            text.append(String(line.dropFirst(4)))
            if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " { return (code, text) }
        }
    }

    mutating func authenticate(username: String, password: String, capabilities: [String]) async throws {
        let mechanisms = capabilities.first { $0.uppercased().hasPrefix("AUTH") }?.uppercased().split(separator: " ").dropFirst().map(String.init) ?? []
        if mechanisms.contains("PLAIN") {
            let token = Data("\0\(username)\0\(password)".utf8).base64EncodedString()
            try await secret("AUTH PLAIN \(token)", expect: 235)
        } else if mechanisms.contains("LOGIN") {
            _ = try await command("AUTH LOGIN", expect: 334)
            _ = try await command(Data(username.utf8).base64EncodedString(), expect: 334)
            try await secret(Data(password.utf8).base64EncodedString(), expect: 235)
        } else {
            throw MailError("the SMTP server offers neither AUTH PLAIN nor AUTH LOGIN", permanent: true)
        }
    }

    /// A command carrying the password: its reply is reported without echoing the command.
    private mutating func secret(_ line: String, expect code: Int) async throws {
        try await outbound.write(allocator.buffer(string: line + "\r\n"))
        _ = try await expect(code, after: "AUTH")
    }
}

/// Splits the server's bytes into lines (without CRLF); a line over 4,096 bytes is an error.
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > 4_096 { throw MailError("the SMTP server sent a line over 4,096 bytes") }
            return .needMoreData
        }
        let length = end - buffer.readerIndex
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }
}
