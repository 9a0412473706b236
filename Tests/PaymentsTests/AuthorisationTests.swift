import Foundation
import GoMartModels
import Payments
import Storage
import TestSupport
import Testing

@Suite struct SandboxAuthorisationTests {
    let pounds = { (minor: Int64) in Money(minorUnits: minor, currency: .gbp) }

    func card(_ number: String) -> CardDetails {
        CardDetails(number: number, expiryMonth: 12, expiryYear: 2030, cvc: "123")
    }

    func withSandbox(_ body: (SandboxPaymentProvider, TestAccounts.Clock) async throws -> Void) async throws {
        let database = try await TestDatabase.migrated()
        let clock = TestAccounts.Clock()
        try await body(SandboxPaymentProvider(database: database, now: { clock.now }), clock)
        await database.close()
    }

    func authorised(_ outcome: AuthorisationOutcome) throws -> Authorisation {
        guard case .authorised(let authorisation) = outcome else { throw PaymentError.captureRejected("expected an authorisation, got \(outcome)") }
        return authorisation
    }

    @Test func anAuthorisationIsCapturedOnceForAtMostItsAmount() async throws {
        try await withSandbox { sandbox, clock in
            let held = try authorised(try await sandbox.authorise(amount: pounds(50_00), source: .card(card("4242424242424242")), orderReference: "o1", idempotencyKey: "a1"))
            #expect(held.amount == pounds(50_00))
            #expect(held.expiresAt == clock.now.addingTimeInterval(7 * 86_400))
            #expect(held.brand == "Visa")
            #expect(held.lastFour == "4242")
            // The same key answers the same authorisation and reserves nothing more.
            #expect(try authorised(try await sandbox.authorise(amount: pounds(50_00), source: .card(card("4242424242424242")), orderReference: "o1", idempotencyKey: "a1")) == held)
            #expect(try await sandbox.lookUpAuthorisation(idempotencyKey: "a1") == AuthorisationLookup.authorised(held))
            #expect(try await sandbox.lookUpAuthorisation(idempotencyKey: "nope") == AuthorisationLookup.notFound)

            await #expect(throws: PaymentError.captureRejected("The capture is more than the 5000 authorised.")) {
                try await sandbox.capture(authorisation: held.reference, amount: pounds(50_01), idempotencyKey: "c0")
            }
            // A partial capture takes part and releases the rest; the same key answers the same capture.
            let captured = try await sandbox.capture(authorisation: held.reference, amount: pounds(42_17), idempotencyKey: "c1")
            #expect(captured.amount == pounds(42_17))
            #expect(try await sandbox.capture(authorisation: held.reference, amount: pounds(42_17), idempotencyKey: "c1") == captured)
            await #expect(throws: PaymentError.captureRejected("The authorisation is captured.")) {
                try await sandbox.capture(authorisation: held.reference, amount: pounds(1_00), idempotencyKey: "c2")
            }
            await #expect(throws: PaymentError.captureRejected("The authorisation is captured.")) {
                try await sandbox.void(authorisation: held.reference, idempotencyKey: "v1")
            }
            // Refunds go back against what was captured, never more.
            _ = try await sandbox.refund(chargeReference: held.reference, amount: pounds(2_17), idempotencyKey: "r1")
            await #expect(throws: PaymentError.self) {
                try await sandbox.refund(chargeReference: held.reference, amount: pounds(40_01), idempotencyKey: "r2")
            }
        }
    }

    @Test func anAuthorisationExpiresAfterSevenDaysAndAVoidedOneCannotBeCaptured() async throws {
        try await withSandbox { sandbox, clock in
            let lapsing = try authorised(try await sandbox.authorise(amount: pounds(20_00), source: .card(card("4242424242424242")), orderReference: "o1", idempotencyKey: "a1"))
            let voided = try authorised(try await sandbox.authorise(amount: pounds(20_00), source: .card(card("4242424242424242")), orderReference: "o2", idempotencyKey: "a2"))
            try await sandbox.void(authorisation: voided.reference, idempotencyKey: "v2")
            try await sandbox.void(authorisation: voided.reference, idempotencyKey: "v2-again")
            await #expect(throws: PaymentError.captureRejected("The authorisation is voided.")) {
                try await sandbox.capture(authorisation: voided.reference, amount: pounds(1_00), idempotencyKey: "c2")
            }
            clock.advance(by: 7 * 86_400)
            await #expect(throws: PaymentError.captureRejected("The authorisation has expired.")) {
                try await sandbox.capture(authorisation: lapsing.reference, amount: pounds(20_00), idempotencyKey: "c1")
            }
            // The card saved with it authorises again, without its number.
            let again = try authorised(try await sandbox.authorise(amount: pounds(20_00), source: .saved(lapsing.paymentMethod), orderReference: "o1", idempotencyKey: "a1-again"))
            #expect(again.paymentMethod == lapsing.paymentMethod)
            #expect(try await sandbox.capture(authorisation: again.reference, amount: pounds(19_00), idempotencyKey: "c1-again").amount == pounds(19_00))
        }
    }

    @Test func declinesHoldForSavedCardsTooAndAnUnknownSavedCardIsDeclined() async throws {
        try await withSandbox { sandbox, _ in
            let poor = try await sandbox.authorise(amount: pounds(10_00), source: .card(card("4000000000009995")), orderReference: "o1", idempotencyKey: "a1")
            #expect(poor == .declined(.insufficientFunds))
            let looked = try await sandbox.lookUpAuthorisation(idempotencyKey: "a1")
            #expect(looked == .declined(.insufficientFunds))
            let unknown = try await sandbox.authorise(amount: pounds(10_00), source: .saved("sandbox_pm_unknown"), orderReference: "o2", idempotencyKey: "a2")
            #expect(unknown == .declined(.declined))
            await #expect(throws: PaymentError.self) {
                try await sandbox.authorise(amount: pounds(10_00), source: .card(card("4000000000000119")), orderReference: "o3", idempotencyKey: "a3")
            }
        }
    }

    @Test func concurrentCapturesOfOneAuthorisationTakeItOnce() async throws {
        let (database, directory) = try await TestDatabase.migratedFile()
        let sandbox = SandboxPaymentProvider(database: database)
        guard case .authorised(let held) = try await sandbox.authorise(amount: pounds(30_00), source: .card(card("4242424242424242")), orderReference: "o",
                                                                       idempotencyKey: "a") else { Issue.record("not authorised"); return }
        let taken = await withTaskGroup(of: Int64.self) { group in
            for attempt in 0..<20 {
                group.addTask { (try? await sandbox.capture(authorisation: held.reference, amount: Money(minorUnits: 30_00 - Int64(attempt), currency: .gbp), idempotencyKey: "c\(attempt)"))?.amount.minorUnits ?? 0 }
            }
            return await group.reduce(into: [Int64]()) { $0.append($1) }.filter { $0 > 0 }
        }
        #expect(taken.count == 1)
        await database.close()
        try? FileManager.default.removeItem(at: directory)
    }
}
