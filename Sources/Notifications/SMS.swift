import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1

/// A text message to send.
public struct SMSMessage: Sendable, Equatable, Codable {
    /// The recipient's phone number as the customer gave it.
    public var to: String
    public var body: String
    /// The same on every attempt, for the provider's idempotency (and for receivers to drop repeats).
    public var id: String

    public init(to: String, body: String, id: String) {
        self.to = to
        self.body = body
        self.id = id
    }
}

/// Why a text message was not accepted; permanent when sending again would be refused again.
public struct SMSError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public var isPermanent: Bool

    public init(_ description: String, permanent: Bool = false) {
        self.description = description
        isPermanent = permanent
    }
}

/// Something that sends text messages: a Twilio-style REST API, or the sandbox.
public protocol SMSProvider: Sendable {
    func send(_ message: SMSMessage) async throws
}

/// A Twilio-style REST API: `POST {base}/Accounts/{account}/Messages.json` with the form fields
/// `To`, `From` and `Body`, HTTP basic authentication with the account and its token, and the
/// message's id as `I-Twilio-Idempotency-Token`, so a repeat is not a second text. A 2xx answer
/// is sent; 4xx (but 408 and 429) is a permanent refusal; anything else is tried again.
public struct HTTPSMSProvider: SMSProvider {
    public let baseURL: String
    public let account: String
    let token: String
    public let from: String
    let client: HTTPClient

    public init(baseURL: String, account: String, token: String, from: String, client: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.account = account
        self.token = token
        self.from = from
        self.client = client
    }

    public func send(_ message: SMSMessage) async throws {
        let escaped = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
        var request = HTTPClientRequest(url: "\(baseURL)/Accounts/\(escaped(account))/Messages.json")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Basic " + Data("\(account):\(token)".utf8).base64EncodedString())
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "I-Twilio-Idempotency-Token", value: message.id)
        let form = "To=\(escaped(message.to))&From=\(escaped(from))&Body=\(escaped(message.body))"
        request.body = .bytes(ByteBuffer(string: form))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(15))
        } catch {
            throw SMSError("the SMS provider could not be reached: \(type(of: error))")
        }
        _ = try? await response.body.collect(upTo: 64 * 1_024)
        let code = Int(response.status.code)
        if (200..<300).contains(code) { return }
        throw SMSError("the SMS provider answered \(code)", permanent: (400..<500).contains(code) && code != 408 && code != 429)
    }
}

/// The sandbox: records each text as a line of JSON in a file (readable by its owner only) and
/// sends nothing. For the demo on one machine and for tests; a shop without a provider uses it
/// only in development.
public struct SandboxSMSProvider: SMSProvider {
    public let file: String

    public init(file: String) {
        self.file = file
    }

    public func send(_ message: SMSMessage) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let line = [UInt8](try encoder.encode(message) + Data("\n".utf8))
        // One write in append mode: texts sent side by side never interleave.
        let descriptor = open(file, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard descriptor >= 0 else { throw SMSError("cannot write the sandbox's file \(file)") }
        defer { close(descriptor) }
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else { throw SMSError("cannot write the sandbox's file \(file)") }
    }

    /// The texts recorded so far, oldest first.
    public func recorded() -> [SMSMessage] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(SMSMessage.self, from: Data($0.utf8)) }
    }
}
