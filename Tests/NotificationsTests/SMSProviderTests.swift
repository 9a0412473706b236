import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Notifications
import Synchronization
import Testing

/// A local server answering as Twilio's Messages API does: it checks the account, the basic
/// authentication and the form, and keeps what it accepted.
final class FakeSMSAPI: Sendable {
    let received = Mutex<[(idempotency: String, form: [String: String])]>([])
    let status = Mutex<HTTPResponse.Status>(.created)

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/2010-04-01/Accounts/:account/Messages.json") { request, context -> Response in
            let expected = "Basic " + Data("AC123:secret-token".utf8).base64EncodedString()
            guard context.parameters.get("account") == "AC123", request.headers[.authorization] == expected else {
                return Response(status: .unauthorized)
            }
            let body = try await request.body.collect(upTo: 10_000)
            var form: [String: String] = [:]
            for pair in String(buffer: body).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
                if parts.count == 2 { form[parts[0]] = parts[1] }
            }
            let status = self.status.withLock { $0 }
            if status == .created {
                self.received.withLock { $0.append((request.headers[HTTPField.Name("I-Twilio-Idempotency-Token")!] ?? "", form)) }
            }
            return Response(status: status, body: .init(byteBuffer: ByteBuffer(string: #"{"sid":"SM1","status":"queued"}"#)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}

@Suite struct SMSProviderTests {
    @Test func sendsTwilioStyleWithAuthenticationAndAnIdempotencyToken() async throws {
        let api = FakeSMSAPI()
        try await api.application().test(.live) { client in
            let port = try #require(client.port)
            let provider = HTTPSMSProvider(baseURL: "http://127.0.0.1:\(port)/2010-04-01/", account: "AC123", token: "secret-token", from: "+447700900000")
            try await provider.send(SMSMessage(to: "+44 7700 900001", body: "GoMart: your order GM-ABC123 is on its way & soon there.", id: "order_out_for_delivery.7"))
            let received = api.received.withLock { $0 }
            #expect(received.count == 1)
            #expect(received.first?.idempotency == "order_out_for_delivery.7")
            #expect(received.first?.form == ["To": "+44 7700 900001", "From": "+447700900000", "Body": "GoMart: your order GM-ABC123 is on its way & soon there."])

            api.status.withLock { $0 = .badRequest }
            await #expect(throws: SMSError("the SMS provider answered 400", permanent: true)) {
                try await provider.send(SMSMessage(to: "not a number", body: "x", id: "m.8"))
            }
            api.status.withLock { $0 = .tooManyRequests }
            await #expect(throws: SMSError("the SMS provider answered 429", permanent: false)) {
                try await provider.send(SMSMessage(to: "+447700900001", body: "x", id: "m.9"))
            }
            let wrongToken = HTTPSMSProvider(baseURL: "http://127.0.0.1:\(port)/2010-04-01", account: "AC123", token: "wrong", from: "+447700900000")
            api.status.withLock { $0 = .created }
            await #expect(throws: SMSError("the SMS provider answered 401", permanent: true)) {
                try await wrongToken.send(SMSMessage(to: "+447700900001", body: "x", id: "m.10"))
            }
        }
    }

    @Test func theSandboxRecordsEachTextAsALineReadableByItsOwnerOnly() async throws {
        let file = NSTemporaryDirectory() + "gomart-sms-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let sandbox = SandboxSMSProvider(file: file)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 { group.addTask { try await sandbox.send(SMSMessage(to: "+447700900001", body: "text \(index)", id: "m.\(index)")) } }
            try await group.waitForAll()
        }
        #expect(Set(sandbox.recorded().map(\.id)) == Set((0..<50).map { "m.\($0)" }))
        let permissions = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
    }
}
