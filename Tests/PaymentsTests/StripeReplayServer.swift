import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import Synchronization

/// A local HTTP server answering as Stripe's API does, for the requests the adapter makes: the
/// request shapes of Stripe's documentation are checked (secret key, form encoding, an
/// `Idempotency-Key` on every POST, the parameters each endpoint needs) and the answers have
/// Stripe's documented shapes (PaymentIntents with manual capture, customers, refunds, search,
/// card errors). A POST repeated with its key is answered with the first answer, as Stripe does;
/// the same key with other parameters is an `idempotency_error`. Test cards behave as Stripe's:
/// 4242… succeeds, 4000 0000 0000 0002 is declined, 4000 0000 0000 9995 has insufficient funds.
final class StripeReplayServer: Sendable {
    struct Intent: Sendable {
        var id: String
        var status: String
        var amount: Int64
        var capturable: Int64
        var received: Int64
        var refunded: Int64
        var currency: String
        var created: Int64
        var customer: String?
        var paymentMethod: String?
        var captureMethod: String
        var metadata: [String: String]
        var chargeID: String
        var last4: String
        var declineCode: String?
    }

    struct State: Sendable {
        var intents: [String: Intent] = [:]
        var methods: [String: (customer: String, last4: String, behaviour: String?)] = [:]
        var replies: [String: (form: String, status: Int, body: String)] = [:]
        /// Every request as "METHOD path".
        var log: [String] = []
        var now: Int64 = 1_800_000_000
    }

    let state = Mutex(State())

    /// The requests so far, as "METHOD path".
    var log: [String] { state.withLock { $0.log } }

    /// Moves the server's clock on (authorisations' `capture_before`).
    func advance(by seconds: Int64) { state.withLock { $0.now += seconds } }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("**", use: answer)
        router.get("**", use: answer)
        return router
    }

    @Sendable func answer(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let body = String(buffer: try await request.body.collect(upTo: 64 * 1_024))
        let path = request.uri.path
        state.withLock { $0.log.append("\(request.method.rawValue) \(path)") }
        guard request.headers[.authorization]?.hasPrefix("Bearer sk_test_") == true else {
            return Self.reply(401, ["error": ["type": "invalid_request_error", "message": "Invalid API Key provided."]])
        }
        if request.method == .get {
            return Self.reply(route(.get, path, Self.form(request.uri.query ?? "")))
        }
        guard request.headers[.contentType] == "application/x-www-form-urlencoded" else {
            return Self.reply(400, ["error": ["type": "invalid_request_error", "message": "Bodies are form-encoded."]])
        }
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!], !key.isEmpty else {
            return Self.reply(400, ["error": ["type": "invalid_request_error", "message": "This test server requires an Idempotency-Key on every POST."]])
        }
        let replay = state.withLock { $0.replies[key] }
        if let replay {
            guard replay.form == body else {
                return Self.reply(400, ["error": ["type": "idempotency_error", "message": "Keys for idempotent requests can only be used with the same parameters they were first used with."]])
            }
            return Response(status: .init(code: replay.status), headers: [.contentType: "application/json", HTTPField.Name("Idempotent-Replayed")!: "true"],
                            body: .init(byteBuffer: ByteBuffer(string: replay.body)))
        }
        let (status, json) = route(.post, path, Self.form(body))
        let text = String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
        // Stripe keeps the answer to a key, unless the request never reached its logic (a 5xx).
        if status < 500 { state.withLock { $0.replies[key] = (body, status, text) } }
        return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func route(_ method: HTTPRequest.Method, _ path: String, _ form: [String: String]) -> (Int, [String: Any]) {
        let parts = path.split(separator: "/").map(String.init)
        switch (method, parts) {
        case (.post, ["v1", "customers"]):
            return (200, ["id": Self.id("cus"), "object": "customer"])
        case (.post, ["v1", "payment_intents"]):
            return createIntent(form)
        case (.post, let parts) where parts.count == 4 && parts[1] == "payment_intents" && parts[3] == "capture":
            return capture(parts[2], form)
        case (.post, let parts) where parts.count == 4 && parts[1] == "payment_intents" && parts[3] == "cancel":
            return cancel(parts[2])
        case (.post, ["v1", "refunds"]):
            return refund(form)
        case (.get, ["v1", "payment_intents", "search"]):
            return search(form["query"] ?? "", expand: form["expand[]"] == "data.latest_charge")
        default:
            return (404, ["error": ["type": "invalid_request_error", "message": "Unrecognized request URL (\(method.rawValue): \(path))."]])
        }
    }

    func createIntent(_ form: [String: String]) -> (Int, [String: Any]) {
        guard let amount = form["amount"].flatMap(Int64.init), amount > 0, let currency = form["currency"], form["confirm"] == "true",
              let capture = form["capture_method"], ["manual", "automatic"].contains(capture) else {
            return Self.invalid("amount, currency, confirm=true and capture_method are required.")
        }
        let behaviour: String?
        let last4: String
        let method: String
        let customer = form["customer"]
        if let number = form["payment_method_data[card][number]"] {
            guard form["payment_method_data[type]"] == "card", form["payment_method_data[card][exp_month]"] != nil, form["payment_method_data[card][cvc]"] != nil,
                  form["setup_future_usage"] == "off_session", customer != nil else {
                return Self.invalid("A card needs its type, expiry and cvc, and is saved to a customer for later.")
            }
            behaviour = number == "4000000000000002" ? "generic_decline" : number == "4000000000009995" ? "insufficient_funds" : nil
            last4 = String(number.suffix(4))
            method = Self.id("pm")
            state.withLock { $0.methods[method] = (customer!, last4, behaviour) }
        } else if let saved = form["payment_method"] {
            guard form["off_session"] == "true", let known = state.withLock({ $0.methods[saved] }), known.customer == customer else {
                return (400, ["error": ["type": "invalid_request_error", "code": "resource_missing", "param": "payment_method",
                                        "message": "No such PaymentMethod: '\(saved)'"]])
            }
            behaviour = known.behaviour
            last4 = known.last4
            method = saved
        } else {
            return Self.invalid("A payment method is required.")
        }
        let now = state.withLock { $0.now }
        var metadata: [String: String] = [:]
        for (key, value) in form where key.hasPrefix("metadata[") { metadata[String(key.dropFirst(9).dropLast())] = value }
        var intent = Intent(id: Self.id("pi"), status: "requires_payment_method", amount: amount, capturable: 0, received: 0, refunded: 0,
                            currency: currency, created: now, customer: customer, paymentMethod: method, captureMethod: capture,
                            metadata: metadata, chargeID: Self.id("ch"), last4: last4, declineCode: behaviour)
        if behaviour == nil {
            intent.status = capture == "manual" ? "requires_capture" : "succeeded"
            intent.capturable = capture == "manual" ? amount : 0
            intent.received = capture == "manual" ? 0 : amount
        }
        state.withLock { $0.intents[intent.id] = intent }
        let expand = form["expand[]"] == "latest_charge"
        if let behaviour {
            return (402, ["error": ["type": "card_error", "code": "card_declined", "decline_code": behaviour, "message": "Your card was declined.",
                                    "payment_intent": json(intent, expand: false)]])
        }
        return (200, json(intent, expand: expand))
    }

    func capture(_ id: String, _ form: [String: String]) -> (Int, [String: Any]) {
        state.withLock { state -> (Int, [String: Any]) in
            guard var intent = state.intents[id] else { return Self.invalid("No such payment_intent: '\(id)'") }
            guard intent.status == "requires_capture", state.now < intent.created + 7 * 86_400 else {
                return (400, ["error": ["type": "invalid_request_error", "code": "payment_intent_unexpected_state",
                                        "message": "This PaymentIntent could not be captured because it has a status of \(intent.status).",
                                        "payment_intent": json(intent, expand: false)]])
            }
            let amount = form["amount_to_capture"].flatMap(Int64.init) ?? intent.capturable
            guard amount > 0, amount <= intent.capturable else { return Self.invalid("amount_to_capture must be at most \(intent.capturable).") }
            intent.status = "succeeded"
            intent.received = amount
            intent.capturable = 0
            state.intents[id] = intent
            return (200, json(intent, expand: false))
        }
    }

    func cancel(_ id: String) -> (Int, [String: Any]) {
        state.withLock { state -> (Int, [String: Any]) in
            guard var intent = state.intents[id] else { return Self.invalid("No such payment_intent: '\(id)'") }
            guard ["requires_capture", "requires_payment_method"].contains(intent.status) else {
                return (400, ["error": ["type": "invalid_request_error", "code": "payment_intent_unexpected_state",
                                        "message": "You cannot cancel this PaymentIntent because it has a status of \(intent.status).",
                                        "payment_intent": json(intent, expand: false)]])
            }
            intent.status = "canceled"
            intent.capturable = 0
            state.intents[id] = intent
            return (200, json(intent, expand: false))
        }
    }

    func refund(_ form: [String: String]) -> (Int, [String: Any]) {
        state.withLock { state -> (Int, [String: Any]) in
            guard let id = form["payment_intent"], var intent = state.intents[id], intent.status == "succeeded" else {
                return Self.invalid("No succeeded payment_intent to refund.")
            }
            let amount = form["amount"].flatMap(Int64.init) ?? (intent.received - intent.refunded)
            guard amount > 0, intent.refunded + amount <= intent.received else {
                return Self.invalid("Refund amount (\(amount)) is greater than unrefunded amount on charge (\(intent.received - intent.refunded)).")
            }
            intent.refunded += amount
            state.intents[id] = intent
            return (200, ["id": Self.id("re"), "object": "refund", "amount": amount, "currency": intent.currency, "payment_intent": id, "status": "succeeded"])
        }
    }

    func search(_ query: String, expand: Bool) -> (Int, [String: Any]) {
        let prefix = "metadata['idempotency_key']:'"
        guard query.hasPrefix(prefix), query.hasSuffix("'") else { return Self.invalid("Unsupported search query.") }
        let key = String(query.dropFirst(prefix.count).dropLast())
        let found = state.withLock { $0.intents.values.filter { $0.metadata["idempotency_key"] == key } }
        return (200, ["object": "search_result", "data": found.map { json($0, expand: expand) }, "has_more": false])
    }

    func json(_ intent: Intent, expand: Bool) -> [String: Any] {
        var object: [String: Any] = [
            "id": intent.id, "object": "payment_intent", "status": intent.status, "amount": intent.amount, "amount_capturable": intent.capturable,
            "amount_received": intent.received, "currency": intent.currency, "created": intent.created, "capture_method": intent.captureMethod,
            "metadata": intent.metadata,
        ]
        if let customer = intent.customer { object["customer"] = customer }
        if let method = intent.paymentMethod { object["payment_method"] = method }
        if let decline = intent.declineCode {
            object["last_payment_error"] = ["type": "card_error", "code": "card_declined", "decline_code": decline, "message": "Your card was declined."]
        }
        object["latest_charge"] = expand ? [
            "id": intent.chargeID, "object": "charge",
            "payment_method_details": ["type": "card", "card": ["brand": "visa", "last4": intent.last4, "capture_before": intent.created + 7 * 86_400]],
        ] as [String: Any] : intent.chargeID
        return object
    }

    static func invalid(_ message: String) -> (Int, [String: Any]) {
        (400, ["error": ["type": "invalid_request_error", "message": message]])
    }

    static func reply(_ answer: (Int, [String: Any])) -> Response {
        reply(answer.0, answer.1)
    }

    static func reply(_ status: Int, _ json: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])) ?? Data()
        return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func form(_ text: String) -> [String: String] {
        var form: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            form[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return form
    }

    static func id(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(24)
    }
}
