import Foundation
import GoMartModels
import Payments
import Storage
import TestSupport
import Testing

@Suite struct CardDetailsTests {
    let now = ISO8601DateFormatter().date(from: "2026-11-25T12:00:00Z")!

    @Test(arguments: ["4242424242424242", "4242 4242 4242 4242", "5555555555554444", "378282246310005", "4000000000000002"])
    func acceptsLuhnValidNumbers(number: String) {
        let cvc = number.hasPrefix("37") ? "1234" : "123"
        #expect(CardDetails(number: number, expiryMonth: 12, expiryYear: 2030, cvc: cvc).problems(now: now).isEmpty)
    }

    @Test func reportsEveryBadField() {
        let card = CardDetails(number: "4242424242424241", expiryMonth: 10, expiryYear: 2026, cvc: "12")
        #expect(Set(card.problems(now: now).keys) == ["card_number", "card_expiry", "card_cvc"])
        #expect(card.problems(now: now)["card_expiry"] == "This card has expired.")
        #expect(CardDetails(number: "4242424242424242", expiryMonth: 13, expiryYear: 2030, cvc: "123").problems(now: now)["card_expiry"] != nil)
        #expect(CardDetails(number: "4242424242424242", expiryMonth: 11, expiryYear: 26, cvc: "123").problems(now: now).isEmpty) // this month still valid
        #expect(CardDetails(number: "12", expiryMonth: 1, expiryYear: 2030, cvc: "123").problems(now: now)["card_number"] != nil)
    }

    @Test func knowsBrandsAndNeverPrintsTheNumber() {
        let card = CardDetails(number: "5555 5555 5555 4444", expiryMonth: 1, expiryYear: 2030, cvc: "123")
        #expect(card.brand == "Mastercard")
        #expect(card.lastFour == "4444")
        #expect(!"\(card)".contains("5555"))
        #expect(!String(reflecting: card).contains("5555555555554444"))
        #expect(CardDetails(number: "4242424242424242", expiryMonth: 1, expiryYear: 2030, cvc: "1").brand == "Visa")
        #expect(CardDetails(number: "378282246310005", expiryMonth: 1, expiryYear: 2030, cvc: "1").brand == "American Express")
    }
}

@Suite struct SandboxPaymentProviderTests {
    let amount = Money(minorUnits: 1234, currency: .gbp)

    func card(_ number: String) -> CardDetails {
        CardDetails(number: number, expiryMonth: 12, expiryYear: 2030, cvc: "123")
    }

    func withSandbox(_ body: (SandboxPaymentProvider) async throws -> Void) async throws {
        let database = try await TestDatabase.migrated()
        try await body(SandboxPaymentProvider(database: database))
        try await database.close()
    }

    @Test func behavesLikeAGatewaysTestMode() async throws {
        try await withSandbox { sandbox in
            let success = try await sandbox.charge(amount: amount, card: card("4242424242424242"), orderReference: "o1", idempotencyKey: "k1")
            guard case .succeeded(let receipt) = success else { Issue.record("expected success"); return }
            #expect(receipt.brand == "Visa")
            #expect(receipt.lastFour == "4242")
            #expect(receipt.reference.hasPrefix("sandbox_"))
            #expect(try await sandbox.charge(amount: amount, card: card("4000000000000002"), orderReference: "o2", idempotencyKey: "k2") == ChargeOutcome.declined(.declined))
            #expect(try await sandbox.charge(amount: amount, card: card("4000000000009995"), orderReference: "o3", idempotencyKey: "k3") == ChargeOutcome.declined(.insufficientFunds))
            await #expect(throws: PaymentError.self) {
                try await sandbox.charge(amount: amount, card: card("4000000000000119"), orderReference: "o4", idempotencyKey: "k4")
            }
            guard case .succeeded = try await sandbox.charge(amount: amount, card: card("5555555555554444"), orderReference: "o5", idempotencyKey: "k5") else {
                Issue.record("any other Luhn-valid number succeeds"); return
            }
            #expect(try await sandbox.charge(amount: amount, card: card("4242424242424241"), orderReference: "o6", idempotencyKey: "k6") == ChargeOutcome.declined(.declined))
        }
    }

    @Test func aRepeatedChargeReturnsTheFirstOutcomeAndCanBeLookedUp() async throws {
        try await withSandbox { sandbox in
            let first = try await sandbox.charge(amount: amount, card: card("4242424242424242"), orderReference: "o1", idempotencyKey: "same-key")
            let again = try await sandbox.charge(amount: amount, card: card("4242424242424242"), orderReference: "o1", idempotencyKey: "same-key")
            #expect(again == first)
            guard case .succeeded(let receipt) = first else { Issue.record("expected success"); return }
            #expect(try await sandbox.lookUpCharge(idempotencyKey: "same-key") == .succeeded(receipt))
            _ = try await sandbox.charge(amount: amount, card: card("4000000000000002"), orderReference: "o2", idempotencyKey: "declined-key")
            #expect(try await sandbox.lookUpCharge(idempotencyKey: "declined-key") == .declined(.declined))
            _ = try? await sandbox.charge(amount: amount, card: card("4000000000000119"), orderReference: "o3", idempotencyKey: "failed-key")
            #expect(try await sandbox.lookUpCharge(idempotencyKey: "failed-key") == .notFound)
            #expect(try await sandbox.lookUpCharge(idempotencyKey: "never-used") == .notFound)
        }
    }

    @Test func refundsAreIdempotentAndNeverExceedTheCharge() async throws {
        try await withSandbox { sandbox in
            guard case .succeeded(let receipt) = try await sandbox.charge(amount: amount, card: card("4242424242424242"), orderReference: "o1",
                                                                          idempotencyKey: "charge-1") else { Issue.record("expected success"); return }
            let part = Money(minorUnits: 1000, currency: .gbp)
            let first = try await sandbox.refund(chargeReference: receipt.reference, amount: part, idempotencyKey: "refund-1")
            #expect(first.amount == part)
            #expect(try await sandbox.refund(chargeReference: receipt.reference, amount: part, idempotencyKey: "refund-1") == first)
            await #expect(throws: PaymentError.refundRejected("The charge is unknown, or the refunds would exceed it.")) {
                try await sandbox.refund(chargeReference: receipt.reference, amount: part, idempotencyKey: "refund-2")
            }
            let rest = try await sandbox.refund(chargeReference: receipt.reference, amount: Money(minorUnits: 234, currency: .gbp), idempotencyKey: "refund-3")
            #expect(rest.amount.minorUnits == 234)
            await #expect(throws: PaymentError.refundRejected("The charge is unknown, or the refunds would exceed it.")) {
                try await sandbox.refund(chargeReference: "sandbox_unknown", amount: part, idempotencyKey: "refund-4")
            }
        }
    }

    @Test func concurrentRefundsTogetherNeverExceedTheCharge() async throws {
        try await withSandbox { sandbox in
            guard case .succeeded(let receipt) = try await sandbox.charge(amount: amount, card: card("4242424242424242"), orderReference: "o1",
                                                                          idempotencyKey: "charge-1") else { Issue.record("expected success"); return }
            let refunded = await withTaskGroup(of: Int64.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        (try? await sandbox.refund(chargeReference: receipt.reference, amount: Money(minorUnits: 500, currency: .gbp),
                                                   idempotencyKey: "refund-\(index)"))?.amount.minorUnits ?? 0
                    }
                }
                return await group.reduce(0, +)
            }
            #expect(refunded == 1000) // two of 5.00 fit in 12.34
        }
    }
}
