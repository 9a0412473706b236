import AsyncHTTPClient
import Foundation
import GoMartModels
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Stripe, through PaymentIntents with manual capture: authorising confirms an intent with
/// `capture_method=manual`, capturing takes `amount_to_capture` of it, voiding cancels it, and
/// refunds go against it. The card is saved to a Stripe customer (`setup_future_usage=off_session`)
/// so the shop can authorise again without it (`off_session=true`). Every POST carries an
/// `Idempotency-Key`, so a repeated call is answered by Stripe with the first answer; intents
/// carry their key in `metadata[idempotency_key]`, which is how a lost answer is looked up (the
/// search API). Amounts are integer minor units, as Stripe's are.
public struct StripePaymentProvider: PaymentProvider {
    public let name = "stripe"
    let secretKey: String
    let baseURL: String
    let client: HTTPClient
    /// How long one call may take.
    let timeout: TimeAmount

    /// Creates the adapter: `secretKey` is the account's secret key, `baseURL` Stripe's API
    /// (another address only for tests).
    public init(secretKey: String, baseURL: String = "https://api.stripe.com", client: HTTPClient = .shared, timeout: TimeAmount = .seconds(30)) {
        self.secretKey = secretKey
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
        self.timeout = timeout
    }

    // MARK: - Payments

    public func authorise(amount: Money, source: PaymentSource, orderReference: String, idempotencyKey: String) async throws -> AuthorisationOutcome {
        switch try await confirmIntent(amount: amount, source: source, capture: "manual", orderReference: orderReference, idempotencyKey: idempotencyKey) {
        case .intent(let intent): return .authorised(try authorisation(intent))
        case .declined(let reason): return .declined(reason)
        }
    }

    public func charge(amount: Money, card: CardDetails, orderReference: String, idempotencyKey: String) async throws -> ChargeOutcome {
        switch try await confirmIntent(amount: amount, source: .card(card), capture: "automatic", orderReference: orderReference, idempotencyKey: idempotencyKey) {
        case .intent(let intent): return .succeeded(try authorisation(intent).receipt)
        case .declined(let reason): return .declined(reason)
        }
    }

    public func capture(authorisation: String, amount: Money, idempotencyKey: String) async throws -> CaptureReceipt {
        let (status, body) = try await post("/v1/payment_intents/\(Self.escape(authorisation))/capture",
                                             form: [("amount_to_capture", String(amount.minorUnits))], idempotencyKey: idempotencyKey)
        guard status == 200 else { throw PaymentError.captureRejected(Self.message(body) ?? "Stripe answered \(status).") }
        let intent = try Self.decode(PaymentIntent.self, body)
        guard intent.status == "succeeded" else { throw PaymentError.captureRejected("The payment is \(intent.status).") }
        return CaptureReceipt(reference: intent.id, amount: Money(minorUnits: intent.amountReceived ?? amount.minorUnits, currency: amount.currency))
    }

    public func void(authorisation: String, idempotencyKey: String) async throws {
        let (status, body) = try await post("/v1/payment_intents/\(Self.escape(authorisation))/cancel", form: [], idempotencyKey: idempotencyKey)
        if status == 200 { return }
        let error = try? Self.decode(ErrorBody.self, body).error
        // Cancelling a cancelled intent changes nothing, as voiding a voided authorisation should.
        if error?.paymentIntent?.status == "canceled" { return }
        throw PaymentError.captureRejected(error?.message ?? "Stripe answered \(status).")
    }

    public func refund(chargeReference: String, amount: Money, idempotencyKey: String) async throws -> RefundReceipt {
        let (status, body) = try await post("/v1/refunds", form: [("payment_intent", chargeReference), ("amount", String(amount.minorUnits))],
                                            idempotencyKey: idempotencyKey)
        guard status == 200 else { throw PaymentError.refundRejected(Self.message(body) ?? "Stripe answered \(status).") }
        let refund = try Self.decode(Refund.self, body)
        return RefundReceipt(reference: refund.id, amount: Money(minorUnits: refund.amount, currency: amount.currency))
    }

    public func lookUpAuthorisation(idempotencyKey: String) async throws -> AuthorisationLookup {
        guard let intent = try await search(idempotencyKey: idempotencyKey) else { return .notFound }
        if ["requires_capture", "succeeded"].contains(intent.status) { return .authorised(try authorisation(intent)) }
        return .declined(Self.reason(intent.lastPaymentError))
    }

    public func lookUpCharge(idempotencyKey: String) async throws -> ChargeLookup {
        guard let intent = try await search(idempotencyKey: idempotencyKey) else { return .notFound }
        if intent.status == "succeeded" { return .succeeded(try authorisation(intent).receipt) }
        return .declined(Self.reason(intent.lastPaymentError))
    }

    // MARK: - Steps

    /// A confirmed intent, or why the card was declined.
    enum Confirmed {
        case intent(PaymentIntent)
        case declined(DeclineReason)
    }

    /// Creates and confirms a PaymentIntent; a card error is the decline's reason.
    private func confirmIntent(amount: Money, source: PaymentSource, capture: String, orderReference: String,
                               idempotencyKey: String) async throws -> Confirmed {
        var form: [(String, String)] = [
            ("amount", String(amount.minorUnits)), ("currency", amount.currency.code.lowercased()), ("capture_method", capture), ("confirm", "true"),
            ("metadata[order_reference]", orderReference), ("metadata[idempotency_key]", idempotencyKey), ("expand[]", "latest_charge"),
        ]
        switch source {
        case .card(let card):
            // A customer to save the card to, for authorising again without it.
            let (status, body) = try await post("/v1/customers", form: [("metadata[order_reference]", orderReference)], idempotencyKey: idempotencyKey + "-customer")
            guard status == 200 else { throw PaymentError.processingFailed(Self.message(body) ?? "Stripe answered \(status).") }
            form += [
                ("customer", try Self.decode(Customer.self, body).id), ("setup_future_usage", "off_session"),
                ("payment_method_data[type]", "card"), ("payment_method_data[card][number]", card.number),
                ("payment_method_data[card][exp_month]", String(card.expiryMonth)), ("payment_method_data[card][exp_year]", String(card.expiryYear)),
                ("payment_method_data[card][cvc]", card.cvc),
            ]
        case .saved(let saved):
            let parts = saved.split(separator: " ").map(String.init)
            guard parts.count == 2 else { return .declined(.declined) }
            form += [("customer", parts[0]), ("payment_method", parts[1]), ("off_session", "true")]
        }
        let (status, body) = try await post("/v1/payment_intents", form: form, idempotencyKey: idempotencyKey)
        if status == 200 {
            let intent = try Self.decode(PaymentIntent.self, body)
            if ["requires_capture", "succeeded"].contains(intent.status) { return .intent(intent) }
            return .declined(Self.reason(intent.lastPaymentError))
        }
        if status == 402, let error = try? Self.decode(ErrorBody.self, body).error, error.type == "card_error" {
            return .declined(Self.reason(error))
        }
        // A saved card Stripe no longer has cannot pay: a decline, not a failure to retry.
        if case .saved = source, status == 400, (try? Self.decode(ErrorBody.self, body))?.error.code == "resource_missing" {
            return .declined(.declined)
        }
        throw PaymentError.processingFailed(Self.message(body) ?? "Stripe answered \(status).")
    }

    /// The intent made with `idempotencyKey`, through the search API.
    private func search(idempotencyKey: String) async throws -> PaymentIntent? {
        let query = "metadata['idempotency_key']:'\(idempotencyKey.replacingOccurrences(of: "'", with: ""))'"
        let (status, body) = try await get("/v1/payment_intents/search", query: [("query", query), ("expand[]", "data.latest_charge")])
        guard status == 200 else { throw PaymentError.processingFailed(Self.message(body) ?? "Stripe answered \(status).") }
        return try Self.decode(SearchResult.self, body).data.first
    }

    /// What an order keeps of an authorised intent.
    private func authorisation(_ intent: PaymentIntent) throws -> Authorisation {
        let card = intent.latestCharge?.paymentMethodDetails?.card
        guard let currency = Currency(code: intent.currency.uppercased()) else { throw PaymentError.processingFailed("Stripe answered in \(intent.currency).") }
        let expires = card?.captureBefore ?? (intent.created + 7 * 86_400)
        return Authorisation(
            reference: intent.id, amount: Money(minorUnits: intent.amountCapturable > 0 ? intent.amountCapturable : intent.amount, currency: currency),
            expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)), paymentMethod: "\(intent.customer ?? "") \(intent.paymentMethod ?? "")",
            brand: (card?.brand).map(Self.brandName) ?? "Card", lastFour: card?.last4 ?? ""
        )
    }

    // MARK: - HTTP

    private func post(_ path: String, form: [(String, String)], idempotencyKey: String) async throws -> (Int, ByteBuffer) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Idempotency-Key", value: idempotencyKey)
        request.body = .bytes(ByteBuffer(string: Self.encode(form)))
        return try await send(request)
    }

    private func get(_ path: String, query: [(String, String)]) async throws -> (Int, ByteBuffer) {
        var request = HTTPClientRequest(url: baseURL + path + "?" + Self.encode(query))
        request.method = .GET
        return try await send(request)
    }

    private func send(_ request: HTTPClientRequest) async throws -> (Int, ByteBuffer) {
        var request = request
        request.headers.add(name: "Authorization", value: "Bearer \(secretKey)")
        request.headers.add(name: "Stripe-Version", value: "2024-06-20")
        do {
            let response = try await client.execute(request, timeout: timeout)
            return (Int(response.status.code), try await response.body.collect(upTo: 1_024 * 1_024))
        } catch {
            throw PaymentError.processingFailed("Stripe could not be reached: \(type(of: error))")
        }
    }

    static func encode(_ form: [(String, String)]) -> String {
        form.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: ByteBuffer) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do { return try decoder.decode(type, from: Data(buffer: body)) } catch {
            throw PaymentError.processingFailed("Stripe's answer could not be read.")
        }
    }

    static func message(_ body: ByteBuffer) -> String? {
        (try? decode(ErrorBody.self, body))?.error.message
    }

    static func reason(_ error: StripeError?) -> DeclineReason {
        error?.declineCode == "insufficient_funds" || error?.code == "insufficient_funds" ? .insufficientFunds : .declined
    }

    static func brandName(_ brand: String) -> String {
        switch brand {
        case "visa": "Visa"
        case "mastercard": "Mastercard"
        case "amex": "American Express"
        default: brand.capitalized
        }
    }

    // MARK: - Stripe's objects (the fields used)

    struct Customer: Decodable { var id: String }

    struct PaymentIntent: Decodable {
        var id: String
        var status: String
        var amount: Int64
        var amountCapturable: Int64
        var amountReceived: Int64?
        var currency: String
        var created: Int64
        var customer: String?
        var paymentMethod: String?
        var latestCharge: Charge?
        var lastPaymentError: StripeError?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            status = try container.decode(String.self, forKey: .status)
            amount = try container.decode(Int64.self, forKey: .amount)
            amountCapturable = try container.decodeIfPresent(Int64.self, forKey: .amountCapturable) ?? 0
            amountReceived = try container.decodeIfPresent(Int64.self, forKey: .amountReceived)
            currency = try container.decode(String.self, forKey: .currency)
            created = try container.decodeIfPresent(Int64.self, forKey: .created) ?? 0
            customer = try container.decodeIfPresent(String.self, forKey: .customer)
            paymentMethod = try container.decodeIfPresent(String.self, forKey: .paymentMethod)
            // `latest_charge` is an id unless expanded.
            latestCharge = try? container.decodeIfPresent(Charge.self, forKey: .latestCharge)
            lastPaymentError = try container.decodeIfPresent(StripeError.self, forKey: .lastPaymentError)
        }

        enum CodingKeys: String, CodingKey {
            case id, status, amount, amountCapturable, amountReceived, currency, created, customer, paymentMethod, latestCharge, lastPaymentError
        }
    }

    struct Charge: Decodable {
        var id: String
        var paymentMethodDetails: Details?

        struct Details: Decodable {
            var card: Card?
        }

        struct Card: Decodable {
            var brand: String?
            var last4: String?
            var captureBefore: Int64?
        }
    }

    struct Refund: Decodable {
        var id: String
        var amount: Int64
    }

    struct SearchResult: Decodable {
        var data: [PaymentIntent]
    }

    struct ErrorBody: Decodable {
        var error: StripeError
    }

    struct StripeError: Decodable {
        var type: String?
        var code: String?
        var declineCode: String?
        var message: String?
        var paymentIntent: IntentStatus?

        struct IntentStatus: Decodable { var status: String }
    }
}
