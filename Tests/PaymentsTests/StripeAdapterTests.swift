import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Hummingbird
import HummingbirdTesting
import Payments
import Synchronization
import TestSupport
import Testing

/// Runs `body` with the adapter pointed at a fresh replaying server on a loopback port.
func withStripe(secretKey: String = "sk_test_gomart", _ body: @escaping @Sendable (StripePaymentProvider, StripeReplayServer) async throws -> Void) async throws {
    let server = StripeReplayServer()
    let app = Application(router: server.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    try await app.test(.live) { client in
        let port = try #require(client.port)
        try await body(StripePaymentProvider(secretKey: secretKey, baseURL: "http://127.0.0.1:\(port)"), server)
    }
}

private func pounds(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .gbp) }
private func card(_ number: String) -> CardDetails { CardDetails(number: number, expiryMonth: 12, expiryYear: 2030, cvc: "123") }

@Suite struct StripeAdapterTests {

    @Test func anIntentIsAuthorisedCapturedInPartAndRefundedWithAKeyOnEveryCall() async throws {
        try await withStripe { stripe, server in
            let first = try await stripe.authorise(amount: pounds(45_00), source: .card(card("4242424242424242")), orderReference: "order-1", idempotencyKey: "order-1-key")
            guard case .authorised(let held) = first else { Issue.record("not authorised: \(first)"); return }
            #expect(held.reference.hasPrefix("pi_"))
            #expect(held.amount == pounds(45_00))
            #expect(held.brand == "Visa")
            #expect(held.lastFour == "4242")
            #expect(held.expiresAt == Date(timeIntervalSince1970: 1_800_000_000 + 7 * 86_400))
            // A repeat is answered with the first answer: still one intent.
            #expect(try await stripe.authorise(amount: pounds(45_00), source: .card(card("4242424242424242")), orderReference: "order-1",
                                               idempotencyKey: "order-1-key") == first)
            #expect(server.state.withLock { $0.intents.count } == 1)
            #expect(try await stripe.lookUpAuthorisation(idempotencyKey: "order-1-key") == AuthorisationLookup.authorised(held))
            #expect(try await stripe.lookUpAuthorisation(idempotencyKey: "no-such-key") == AuthorisationLookup.notFound)

            await #expect(throws: PaymentError.captureRejected("amount_to_capture must be at most 4500.")) {
                try await stripe.capture(authorisation: held.reference, amount: pounds(45_01), idempotencyKey: "order-1-capture-too-much")
            }
            let captured = try await stripe.capture(authorisation: held.reference, amount: pounds(41_20), idempotencyKey: "order-1:capture")
            #expect(captured == CaptureReceipt(reference: held.reference, amount: pounds(41_20)))
            #expect(try await stripe.capture(authorisation: held.reference, amount: pounds(41_20), idempotencyKey: "order-1:capture") == captured)
            let refund = try await stripe.refund(chargeReference: held.reference, amount: pounds(2_20), idempotencyKey: "order-1:refund-1")
            #expect(refund.amount == pounds(2_20))
            await #expect(throws: PaymentError.refundRejected("Refund amount (3901) is greater than unrefunded amount on charge (3900).")) {
                try await stripe.refund(chargeReference: held.reference, amount: pounds(39_01), idempotencyKey: "order-1:refund-2")
            }
            // Two calls made each authorisation (a customer, the intent), and every call went out again on a repeat.
            #expect(server.log.filter { $0.hasPrefix("POST") }.count == 9)
        }
    }

    @Test func declinesVoidsExpiryAndAuthorisingAgainOnTheSavedCard() async throws {
        try await withStripe { stripe, server in
            #expect(try await stripe.authorise(amount: pounds(10_00), source: .card(card("4000000000000002")), orderReference: "o2", idempotencyKey: "o2")
                    == AuthorisationOutcome.declined(.declined))
            #expect(try await stripe.authorise(amount: pounds(10_00), source: .card(card("4000000000009995")), orderReference: "o3", idempotencyKey: "o3")
                    == AuthorisationOutcome.declined(.insufficientFunds))
            #expect(try await stripe.lookUpAuthorisation(idempotencyKey: "o3") == AuthorisationLookup.declined(.insufficientFunds))

            guard case .authorised(let voided) = try await stripe.authorise(amount: pounds(10_00), source: .card(card("4242424242424242")),
                                                                             orderReference: "o4", idempotencyKey: "o4") else { Issue.record("o4"); return }
            try await stripe.void(authorisation: voided.reference, idempotencyKey: "o4:void")
            try await stripe.void(authorisation: voided.reference, idempotencyKey: "o4:void-again")
            await #expect(throws: PaymentError.captureRejected("This PaymentIntent could not be captured because it has a status of canceled.")) {
                try await stripe.capture(authorisation: voided.reference, amount: pounds(10_00), idempotencyKey: "o4:capture")
            }

            guard case .authorised(let lapsing) = try await stripe.authorise(amount: pounds(20_00), source: .card(card("4242424242424242")),
                                                                              orderReference: "o5", idempotencyKey: "o5") else { Issue.record("o5"); return }
            server.advance(by: 8 * 86_400)
            await #expect(throws: PaymentError.captureRejected("This PaymentIntent could not be captured because it has a status of requires_capture.")) {
                try await stripe.capture(authorisation: lapsing.reference, amount: pounds(20_00), idempotencyKey: "o5:capture")
            }
            guard case .authorised(let renewed) = try await stripe.authorise(amount: pounds(20_00), source: .saved(lapsing.paymentMethod),
                                                                              orderReference: "o5", idempotencyKey: "o5:renew") else { Issue.record("renew"); return }
            #expect(renewed.reference != lapsing.reference)
            #expect(renewed.paymentMethod == lapsing.paymentMethod)
            #expect(try await stripe.capture(authorisation: renewed.reference, amount: pounds(18_00), idempotencyKey: "o5:capture-renewed").amount == pounds(18_00))
            #expect(try await stripe.authorise(amount: pounds(5_00), source: .saved("cus_unknown pm_unknown"), orderReference: "o6", idempotencyKey: "o6")
                    == AuthorisationOutcome.declined(.declined))
        }
    }

    @Test func aWrongKeyOrAnUnreachableStripeIsAProcessingErrorNotADecline() async throws {
        try await withStripe(secretKey: "sk_live_not_for_tests") { stripe, _ in
            await #expect(throws: PaymentError.processingFailed("Invalid API Key provided.")) {
                try await stripe.authorise(amount: Money(minorUnits: 1_00, currency: .gbp), source: .card(card("4242424242424242")), orderReference: "o",
                                           idempotencyKey: "k")
            }
        }
        let unreachable = StripePaymentProvider(secretKey: "sk_test_x", baseURL: "http://127.0.0.1:9", timeout: .seconds(1))
        await #expect(throws: PaymentError.self) {
            try await unreachable.lookUpAuthorisation(idempotencyKey: "k")
        }
    }
}

@Suite struct StripeCheckoutTests {
    @Test func theShopAuthorisesAtCheckoutAndCapturesWhatWasPickedThroughStripe() async throws {
        try await withStripe { stripe, server in
            let shop = try await TestShop.make(payments: { _, _ in stripe })
            let customer = try #require(try await shop.makeCustomers(1).first)
            let products = [try await shop.product(), try await shop.product(skip: 1)]
            try await shop.cart.add(productID: products[0].id, quantity: 3, to: .customer(id: customer))
            try await shop.cart.add(productID: products[1].id, quantity: 1, to: .customer(id: customer))
            let placed = try await shop.checkout.placeOrder(
                customerID: customer, delivery: DeliveryDetails(name: "Ada", line1: "1 Loop Road", city: "London", postcode: "SW1A 1AA", phone: "020 7946 0000"),
                card: card("4242424242424242"), idempotencyKey: "stripe-order-key"
            )
            #expect(placed.order.status == .paid)
            #expect(placed.order.payment == OrderPayment(authorised: placed.order.total, captured: pounds(0), state: .authorised))

            let picker = OrderActor.staff(id: "picker")
            try await shop.fulfilment.move(placed.order.id, .startPicking, by: picker)
            let packed = try await shop.fulfilment.pack(placed.order.id, picked: [1: 2], by: picker)
            let captured = placed.order.total.minorUnits - products[0].price.minorUnits
            #expect(packed.payment == OrderPayment(authorised: placed.order.total, captured: pounds(captured), state: .captured))
            let intent = try #require(server.state.withLock { $0.intents.values.first })
            #expect(intent.received == captured)
            #expect(intent.status == "succeeded")
            await shop.close()
        }
    }
}
