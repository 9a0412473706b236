import Foundation
import GoMartModels
import SQLKit
import Storage

/// A card gateway in test mode, for the demo shop and the tests. It takes no real money but
/// behaves like a gateway's test mode:
///
/// | card number | outcome |
/// |---|---|
/// | 4242 4242 4242 4242 | succeeds |
/// | 4000 0000 0000 0002 | declined |
/// | 4000 0000 0000 9995 | declined: insufficient funds |
/// | 4000 0000 0000 0119 | processing error (nothing is charged) |
/// | any other Luhn-valid number | succeeds |
///
/// Like a real gateway it keeps a ledger, in its own tables (``PaymentsMigrations``), so that it
/// outlives a restart of the shop: charges and refunds are idempotent by key, refunds never
/// exceed their charge, and a charge can be looked up by the key it was made with.
public struct SandboxPaymentProvider: PaymentProvider {
    public let name = "sandbox"
    let database: Database
    let now: @Sendable () -> Date

    /// Creates the sandbox over `database`, where it keeps its ledger.
    public init(database: Database, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.now = now
    }

    public func charge(amount: Money, card: CardDetails, orderReference: String, idempotencyKey: String) async throws -> ChargeOutcome {
        let outcome: String
        if amount.minorUnits <= 0 || !CardDetails.passesLuhn(card.number) {
            outcome = DeclineReason.declined.rawValue
        } else {
            switch card.number {
            case "4000000000000002": outcome = DeclineReason.declined.rawValue
            case "4000000000009995": outcome = DeclineReason.insufficientFunds.rawValue
            case "4000000000000119":
                if let earlier = try await lookUp(key: idempotencyKey) { return earlier.outcome }
                throw PaymentError.processingFailed("The sandbox simulates a processing error for this card.")
            default: outcome = Self.succeeded
            }
        }
        let reference = Self.reference("sandbox_")
        // Recorded first: a repeated key finds the row already there and gets the ledger's answer,
        // so a first charge costs one write and no read.
        let recorded = try await database.transaction { sql in
            try await sql.insert(into: "sandbox_charges")
                .columns("idempotency_key", "reference", "order_reference", "amount_minor", "currency", "outcome", "brand", "last4", "refunded_minor", "created_at")
                .values(SQLBind(idempotencyKey), SQLBind(reference), SQLBind(orderReference), SQLBind(amount.minorUnits), SQLBind(amount.currency.code),
                        SQLBind(outcome), SQLBind(card.brand), SQLBind(card.lastFour), SQLBind(Int64(0)), SQLBind(Int64(now().timeIntervalSince1970)))
                .ignoringConflicts(with: ["idempotency_key"])
                .returning("reference")
                .first() != nil
        }
        if recorded { return Self.outcome(outcome, reference: reference, brand: card.brand, lastFour: card.lastFour) }
        // An earlier or concurrent charge with this key: the ledger's row is the answer.
        guard let earlier = try await lookUp(key: idempotencyKey) else { throw PaymentError.processingFailed("The charge was not recorded.") }
        return earlier.outcome
    }

    public func lookUpCharge(idempotencyKey: String) async throws -> ChargeLookup {
        guard let recorded = try await lookUp(key: idempotencyKey) else { return .notFound }
        switch recorded.outcome {
        case .succeeded(let receipt): return .succeeded(receipt)
        case .declined(let reason): return .declined(reason)
        }
    }

    public func refund(chargeReference: String, amount: Money, idempotencyKey: String) async throws -> RefundReceipt {
        guard amount.minorUnits > 0 else { throw PaymentError.refundRejected("A refund must be more than nothing.") }
        let reference = Self.reference("sandbox_re_")
        let timestamp = Int64(now().timeIntervalSince1970)
        return try await database.transaction { sql in
            if let earlier = try await Self.refund(key: idempotencyKey, sql: sql) { return earlier }
            // One conditional update: concurrent refunds can never together exceed the charge.
            let taken = try await sql.update("sandbox_charges")
                .set("refunded_minor", to: SQLBinaryExpression(SQLColumn("refunded_minor"), .add, SQLBind(amount.minorUnits)))
                .where("reference", .equal, SQLBind(chargeReference))
                .where("outcome", .equal, SQLBind(Self.succeeded))
                .where("currency", .equal, SQLBind(amount.currency.code))
                .where(SQLBinaryExpression(SQLBinaryExpression(SQLColumn("refunded_minor"), .add, SQLBind(amount.minorUnits)), .lessThanOrEqual, SQLColumn("amount_minor")))
                .returning("reference").first()
            guard taken != nil else { throw PaymentError.refundRejected("The charge is unknown, or the refunds would exceed it.") }
            try await sql.insert(into: "sandbox_refunds")
                .columns("idempotency_key", "reference", "charge_reference", "amount_minor", "currency", "created_at")
                .values(SQLBind(idempotencyKey), SQLBind(reference), SQLBind(chargeReference), SQLBind(amount.minorUnits),
                        SQLBind(amount.currency.code), SQLBind(timestamp))
                .run()
            return RefundReceipt(reference: reference, amount: amount)
        }
    }

    static let succeeded = "succeeded"

    private func lookUp(key: String) async throws -> (reference: String, outcome: ChargeOutcome)? {
        try await database.read { sql in
            guard let row = try await sql.select().columns("reference", "outcome", "brand", "last4").from("sandbox_charges")
                .where("idempotency_key", .equal, SQLBind(key)).first() else { return nil }
            let reference = try row.decode(column: "reference", as: String.self)
            return (reference, Self.outcome(try row.decode(column: "outcome", as: String.self), reference: reference,
                                            brand: try row.decode(column: "brand", as: String.self), lastFour: try row.decode(column: "last4", as: String.self)))
        }
    }

    /// A ledger row's outcome as the provider answers it.
    private static func outcome(_ outcome: String, reference: String, brand: String, lastFour: String) -> ChargeOutcome {
        outcome == succeeded ? .succeeded(PaymentReceipt(reference: reference, brand: brand, lastFour: lastFour))
            : .declined(DeclineReason(rawValue: outcome) ?? .declined)
    }

    private static func refund(key: String, sql: any SQLDatabase) async throws -> RefundReceipt? {
        guard let row = try await sql.select().columns("reference", "amount_minor", "currency").from("sandbox_refunds")
            .where("idempotency_key", .equal, SQLBind(key)).first() else { return nil }
        let currency = Currency(code: try row.decode(column: "currency", as: String.self)) ?? .gbp
        return RefundReceipt(reference: try row.decode(column: "reference", as: String.self),
                             amount: Money(minorUnits: try row.decode(column: "amount_minor", as: Int64.self), currency: currency))
    }

    private static func reference(_ prefix: String) -> String {
        prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(24)
    }
}
