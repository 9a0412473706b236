import Accounts
import Checkout
import GoMartModels
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Mail
@testable import Notifications
import Security
import Storage
import Synchronization
import TestSupport
import Testing

/// An integrator's endpoint: checks each delivery's Standard Webhooks signature with the secret
/// it was given, and keeps what it accepted.
final class WebhookReceiver: Sendable {
    let secret = Mutex<String>("")
    let accepted = Mutex<[(id: String, body: String)]>([])
    let badSignatures = Mutex(0)
    let status = Mutex<HTTPResponse.Status>(.noContent)

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/hooks") { request, _ -> Response in
            let id = request.headers[HTTPField.Name("webhook-id")!] ?? ""
            let timestamp = Int64(request.headers[HTTPField.Name("webhook-timestamp")!] ?? "") ?? 0
            let signature = request.headers[HTTPField.Name("webhook-signature")!] ?? ""
            let body = String(buffer: try await request.body.collect(upTo: 100_000))
            guard signature == WebhookSignature.sign(secret: self.secret.withLock { $0 }, id: id, timestamp: timestamp, body: body) else {
                self.badSignatures.withLock { $0 += 1 }
                return Response(status: .unauthorized)
            }
            let status = self.status.withLock { $0 }
            if status == .noContent { self.accepted.withLock { $0.append((id, body)) } }
            return Response(status: status)
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}

@Suite struct WebhookEventTypeTests {
    /// Every order event the outbox carries can be subscribed to (changes and substitutes too).
    @Test func everyOrderTopicIsAnEventEndpointsMayChoose() {
        let names = OutboxTopic.allCases.compactMap { WebhookEventType.name(ofTopic: $0.rawValue) }
        #expect(names.count == OutboxTopic.allCases.count)
        #expect(Set(names) == Set(WebhookEventType.all))
    }
}

@Suite struct WebhookSignatureTests {
    @Test func signsAsTheStandardWebhooksSpecificationsExample() {
        #expect(WebhookSignature.sign(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                      timestamp: 1_614_265_330, body: #"{"test": 2432232314}"#) == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        let secret = WebhookSignature.newSecret()
        #expect(secret.hasPrefix("whsec_"))
        #expect(Data(base64Encoded: String(secret.dropFirst(6)))?.count == 24)
    }

    @Test(arguments: ["http://127.0.0.1:8080/hook", "http://localhost/hook", "https://10.1.2.3/x", "http://169.254.169.254/latest/meta-data",
                      "http://[::1]/x", "http://192.168.0.10/x", "http://172.20.0.1/x", "http://100.64.0.1/x", "http://0.0.0.0/x"])
    func addressesOnTheShopsOwnMachineOrNetworkAreRefused(url: String) {
        let error = #expect(throws: WebhookError.self) { try WebhookAddressGuard(allowPrivate: false).check(url) }
        #expect(error?.isPermanent == true)
        #expect(error?.description.contains("is an internal address") == true)
    }

    @Test func publicAddressesAndOnlyHTTPArePassed() throws {
        try WebhookAddressGuard(allowPrivate: false).check("https://93.184.215.14/hooks")
        #expect(throws: WebhookError("a webhook address must be an http:// or https:// URL", permanent: true)) {
            try WebhookAddressGuard(allowPrivate: false).check("file:///etc/passwd")
        }
        #expect(throws: WebhookError("a webhook address must not carry a user or password", permanent: true)) {
            try WebhookAddressGuard(allowPrivate: false).check("https://user:pw@93.184.215.14/hooks")
        }
        try WebhookAddressGuard(allowPrivate: true).check("http://127.0.0.1:8080/hook")
    }
}

@Suite struct WebhookDeliveryTests {
    /// The fixture's shop with a webhook channel (loopback allowed, for the local receiver).
    static func hooked(_ fixture: NotifyingShop, disableAfter: Int = 15, allowPrivate: Bool = true) throws -> (Notifications, Webhooks) {
        let vault = PersonalDataVault(keys: try SecretKeys.resolve(configuredBase64: nil, source: "test", keyFilePath: nil))
        let guardrail = WebhookAddressGuard(allowPrivate: allowPrivate)
        let store = WebhookStore(database: fixture.shop.database)
        let webhooks = Webhooks(store: store, messages: fixture.store, vault: vault, addressGuard: WebhookAddressGuard(allowPrivate: true))
        let composer = try EmailComposer(settings: fixture.notifications.settings, accounts: fixture.accounts, fulfilment: fixture.shop.fulfilment,
                                         vault: vault, owners: { [MailAddress("owner@shop.example", name: "Olive Owner")] })
        let notifications = Notifications(
            store: fixture.store, settings: fixture.notifications.settings, composer: composer, fulfilment: fixture.shop.fulfilment,
            mail: fixture.mailbox, webhooks: WebhookChannel(store: store, sender: WebhookSender(addressGuard: guardrail), vault: vault, disableAfter: disableAfter),
            logger: TestDatabase.logger, random: { $0.upperBound }
        )
        return (notifications, webhooks)
    }

    @Test func aSubscribedEventIsPostedSignedWithItsTypeAndDataAndNothingElse() async throws {
        let fixture = try await NotifyingShop.make()
        let (notifications, webhooks) = try Self.hooked(fixture)
        let receiver = WebhookReceiver()
        try await receiver.application().test(.live) { client in
            let port = try #require(client.port)
            let (endpoint, secret) = try await webhooks.register(url: "http://127.0.0.1:\(port)/hooks", eventTypes: ["order.paid", "order.cancelled"])
            receiver.secret.withLock { $0 = secret }
            let customer = try await fixture.signUp()
            let placed = try await fixture.paidOrder(for: customer)
            try await notifications.runRound(now: fixture.clock.now)

            let accepted = receiver.accepted.withLock { $0 }
            #expect(accepted.count == 1)
            let body = try #require(accepted.first?.body)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect(json["type"] as? String == "order.paid")
            #expect((json["data"] as? [String: String])?["order_id"] == placed.order.id.publicString)
            #expect(!body.contains("ann@example.com") && !body.contains("Ann Smith") && !body.contains("Orchard"))
            #expect(receiver.badSignatures.withLock { $0 } == 0)
            let log = try await webhooks.deliveries(of: endpoint.id)
            #expect(log.map(\.state) == [.sent])
            #expect(accepted.first?.id == "msg_\(log[0].id)")
        }
        await notifications.webhooks?.sender.shutdown()
        await fixture.shop.close()
    }

    @Test func failuresAreRetriedAndEnoughInARowTurnTheEndpointOffAndTellTheOwners() async throws {
        let fixture = try await NotifyingShop.make(attempts: 8)
        let (notifications, webhooks) = try Self.hooked(fixture, disableAfter: 2)
        let receiver = WebhookReceiver()
        receiver.status.withLock { $0 = .internalServerError }
        try await receiver.application().test(.live) { client in
            let port = try #require(client.port)
            let (endpoint, secret) = try await webhooks.register(url: "http://127.0.0.1:\(port)/hooks", eventTypes: ["order.paid"])
            receiver.secret.withLock { $0 = secret }
            let customer = try await fixture.signUp()
            _ = try await fixture.paidOrder(for: customer)
            #expect(try await notifications.runRound(now: fixture.clock.now).failed == 1)
            #expect(try await webhooks.endpoint(endpoint.id)?.consecutiveFailures == 1)
            fixture.clock.advance(by: 30)
            try await notifications.runRound(now: fixture.clock.now)
            let off = try #require(try await webhooks.endpoint(endpoint.id))
            #expect(!off.enabled)
            #expect(off.disabledReason == "turned off after 2 failed deliveries in a row")
            // The owners hear of it in the next round.
            try await notifications.runRound(now: fixture.clock.now)
            #expect(fixture.sentMail.last?.subject == "A webhook endpoint of GoMart was turned off")
            #expect(fixture.sentMail.last?.to == [MailAddress("owner@shop.example", name: "Olive Owner")])
            #expect(fixture.sentMail.last?.text.contains("Deliveries to http://127.0.0.1:\(port)/hooks failed 2 times in a row") == true)
            // Turned back on and fixed, the waiting delivery goes through.
            receiver.status.withLock { $0 = .noContent }
            try await webhooks.setEnabled(endpoint.id, true)
            fixture.clock.advance(by: 60)
            try await notifications.runRound(now: fixture.clock.now)
            #expect(receiver.accepted.withLock { $0.count } == 1)
        }
        await notifications.webhooks?.sender.shutdown()
        await fixture.shop.close()
    }

    @Test func anEndpointOnTheShopsOwnMachineIsNeverPostedTo() async throws {
        let fixture = try await NotifyingShop.make()
        // Registered while private addresses were allowed; the worker's guard now refuses them.
        let (notifications, webhooks) = try Self.hooked(fixture, allowPrivate: false)
        let receiver = WebhookReceiver()
        try await receiver.application().test(.live) { client in
            let port = try #require(client.port)
            let (endpoint, secret) = try await webhooks.register(url: "http://localhost:\(port)/hooks", eventTypes: ["order.paid"])
            receiver.secret.withLock { $0 = secret }
            let customer = try await fixture.signUp()
            _ = try await fixture.paidOrder(for: customer)
            #expect(try await notifications.runRound(now: fixture.clock.now).dead == 1)
            #expect(receiver.accepted.withLock { $0.isEmpty })
            let log = try await webhooks.deliveries(of: endpoint.id)
            #expect(log.first?.lastError?.hasPrefix("the webhook's host localhost is an internal address") == true)
            await #expect(throws: WebhookError.self) {
                try await Webhooks(store: webhooks.store, messages: fixture.store, vault: webhooks.vault, addressGuard: WebhookAddressGuard(allowPrivate: false))
                    .register(url: "http://127.0.0.1:\(port)/hooks", eventTypes: ["order.paid"])
            }
        }
        await notifications.webhooks?.sender.shutdown()
        await fixture.shop.close()
    }
}
