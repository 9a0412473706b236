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
/// Authorisations expire after ``authorisationLifetime`` (7 days, as card authorisations do), are
/// captured once for at most their amount (less releases the rest) or voided, and save the card
/// as a payment method (its test behaviour, never its number) for re-authorising.
public struct SandboxPaymentProvider: PaymentProvider {
    public let name = "sandbox"
    let database: Database
    let now: @Sendable () -> Date
    /// How long an authorisation can be captured.
    public let authorisationLifetime: TimeInterval

    /// Creates the sandbox over `database`, where it keeps its ledger.
    public init(database: Database, authorisationLifetime: TimeInterval = 7 * 86_400, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.authorisationLifetime = authorisationLifetime
        self.now = now
    }

    /// How a test card behaves, from its number.
    static func behaviour(of card: CardDetails, amount: Money) -> String {
        guard amount.minorUnits > 0, CardDetails.passesLuhn(card.number) else { return DeclineReason.declined.rawValue }
        switch card.number {
        case "4000000000000002": return DeclineReason.declined.rawValue
        case "4000000000009995": return DeclineReason.insufficientFunds.rawValue
        case "4000000000000119": return processingError
        default: return succeeded
        }
    }

    static let processingError = "processing_error"

    public func authorise(amount: Money, source: PaymentSource, orderReference: String, idempotencyKey: String) async throws -> AuthorisationOutcome {
        let timestamp = Int64(now().timeIntervalSince1970)
        let method: (reference: String, brand: String, lastFour: String, behaviour: String)
        switch source {
        case .card(let card):
            method = (Self.reference("sandbox_pm_"), card.brand, card.lastFour, Self.behaviour(of: card, amount: amount))
        case .saved(let reference):
            guard let row = try await database.read({ sql in
                try await sql.select().columns("brand", "last4", "behaviour").from("sandbox_payment_methods").where("reference", .equal, SQLBind(reference)).first()
            }) else { return .declined(.declined) }
            method = (reference, try row.decode(column: "brand", as: String.self), try row.decode(column: "last4", as: String.self),
                      amount.minorUnits > 0 ? try row.decode(column: "behaviour", as: String.self) : DeclineReason.declined.rawValue)
        }
        if method.behaviour == Self.processingError {
            let earlier = try await lookUpAuthorisation(idempotencyKey: idempotencyKey)
            if earlier != .notFound { return Self.outcome(earlier) }
            throw PaymentError.processingFailed("The sandbox simulates a processing error for this card.")
        }
        let reference = Self.reference("sandbox_auth_")
        let expires = timestamp + Int64(authorisationLifetime)
        let recorded = try await database.transaction { sql -> Bool in
            let inserted = try await sql.insert(into: "sandbox_authorisations")
                .columns("idempotency_key", "reference", "order_reference", "amount_minor", "currency", "outcome", "state", "brand", "last4",
                         "payment_method", "captured_minor", "refunded_minor", "expires_at", "created_at")
                .values(SQLBind(idempotencyKey), SQLBind(reference), SQLBind(orderReference), SQLBind(amount.minorUnits), SQLBind(amount.currency.code),
                        SQLBind(method.behaviour), SQLBind(method.behaviour == Self.succeeded ? "authorised" : "declined"), SQLBind(method.brand),
                        SQLBind(method.lastFour), SQLBind(method.reference), SQLBind(Int64(0)), SQLBind(Int64(0)), SQLBind(expires), SQLBind(timestamp))
                .ignoringConflicts(with: ["idempotency_key"]).returning("reference").first() != nil
            if inserted, case .card = source {
                try await sql.insert(into: "sandbox_payment_methods").columns("reference", "brand", "last4", "behaviour", "created_at")
                    .values(SQLBind(method.reference), SQLBind(method.brand), SQLBind(method.lastFour), SQLBind(method.behaviour), SQLBind(timestamp))
                    .run()
            }
            return inserted
        }
        if !recorded {
            // An earlier or concurrent authorisation with this key: the ledger's row is the answer.
            return Self.outcome(try await lookUpAuthorisation(idempotencyKey: idempotencyKey))
        }
        guard method.behaviour == Self.succeeded else { return .declined(DeclineReason(rawValue: method.behaviour) ?? .declined) }
        return .authorised(Authorisation(reference: reference, amount: amount, expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)),
                                         paymentMethod: method.reference, brand: method.brand, lastFour: method.lastFour))
    }

    public func lookUpAuthorisation(idempotencyKey: String) async throws -> AuthorisationLookup {
        try await database.read { sql in
            guard let row = try await sql.select().column("*").from("sandbox_authorisations").where("idempotency_key", .equal, SQLBind(idempotencyKey)).first() else {
                return .notFound
            }
            let outcome = try row.decode(column: "outcome", as: String.self)
            guard outcome == Self.succeeded else { return .declined(DeclineReason(rawValue: outcome) ?? .declined) }
            return .authorised(Authorisation(
                reference: try row.decode(column: "reference", as: String.self),
                amount: Money(minorUnits: try row.decode(column: "amount_minor", as: Int64.self),
                              currency: Currency(code: try row.decode(column: "currency", as: String.self)) ?? .gbp),
                expiresAt: Date(timeIntervalSince1970: TimeInterval(try row.decode(column: "expires_at", as: Int64.self))),
                paymentMethod: try row.decode(column: "payment_method", as: String.self),
                brand: try row.decode(column: "brand", as: String.self), lastFour: try row.decode(column: "last4", as: String.self)
            ))
        }
    }

    static func outcome(_ lookup: AuthorisationLookup) -> AuthorisationOutcome {
        switch lookup {
        case .authorised(let authorisation): .authorised(authorisation)
        case .declined(let reason): .declined(reason)
        case .notFound: .declined(.declined)
        }
    }

    public func capture(authorisation: String, amount: Money, idempotencyKey: String) async throws -> CaptureReceipt {
        guard amount.minorUnits > 0 else { throw PaymentError.captureRejected("A capture must be more than nothing; void the authorisation instead.") }
        let timestamp = Int64(now().timeIntervalSince1970)
        let reference = Self.reference("sandbox_cap_")
        return try await database.transaction { sql in
            if let earlier = try await sql.select().columns("reference", "amount_minor", "currency").from("sandbox_captures")
                .where("idempotency_key", .equal, SQLBind(idempotencyKey)).first() {
                return CaptureReceipt(reference: try earlier.decode(column: "reference", as: String.self),
                                      amount: Money(minorUnits: try earlier.decode(column: "amount_minor", as: Int64.self),
                                                    currency: Currency(code: try earlier.decode(column: "currency", as: String.self)) ?? .gbp))
            }
            // One conditional update: an authorisation is captured once, before it expires, for at most its amount.
            let taken = try await sql.update("sandbox_authorisations")
                .set("state", to: SQLBind("captured")).set("captured_minor", to: SQLBind(amount.minorUnits))
                .where("reference", .equal, SQLBind(authorisation)).where("state", .equal, SQLBind("authorised"))
                .where("currency", .equal, SQLBind(amount.currency.code))
                .where("amount_minor", .greaterThanOrEqual, SQLBind(amount.minorUnits)).where("expires_at", .greaterThan, SQLBind(timestamp))
                .returning("reference").first()
            guard taken != nil else { throw PaymentError.captureRejected(try await Self.whyNot(authorisation, amount: amount, at: timestamp, sql: sql)) }
            try await sql.insert(into: "sandbox_captures").columns("idempotency_key", "reference", "authorisation_reference", "amount_minor", "currency", "created_at")
                .values(SQLBind(idempotencyKey), SQLBind(reference), SQLBind(authorisation), SQLBind(amount.minorUnits), SQLBind(amount.currency.code),
                        SQLBind(timestamp))
                .run()
            return CaptureReceipt(reference: reference, amount: amount)
        }
    }

    /// Why `authorisation` cannot be captured for `amount`, in words.
    static func whyNot(_ authorisation: String, amount: Money, at timestamp: Int64, sql: any SQLDatabase) async throws -> String {
        guard let row = try await sql.select().columns("state", "amount_minor", "expires_at").from("sandbox_authorisations")
            .where("reference", .equal, SQLBind(authorisation)).first() else { return "No such authorisation." }
        let state = try row.decode(column: "state", as: String.self)
        if state != "authorised" { return "The authorisation is \(state)." }
        if try row.decode(column: "expires_at", as: Int64.self) <= timestamp { return "The authorisation has expired." }
        return "The capture is more than the \(try row.decode(column: "amount_minor", as: Int64.self)) authorised."
    }

    public func void(authorisation: String, idempotencyKey: String) async throws {
        try await database.transaction { sql in
            guard let row = try await sql.select().column("state").from("sandbox_authorisations").where("reference", .equal, SQLBind(authorisation)).first() else {
                throw PaymentError.captureRejected("No such authorisation.")
            }
            switch try row.decode(column: "state", as: String.self) {
            case "voided": return
            case "authorised":
                try await sql.update("sandbox_authorisations").set("state", to: SQLBind("voided"))
                    .where("reference", .equal, SQLBind(authorisation)).where("state", .equal, SQLBind("authorised")).run()
            case let state: throw PaymentError.captureRejected("The authorisation is \(state).")
            }
        }
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
            // A captured authorisation is refunded the same way, up to what was captured.
            let captured = taken != nil ? nil : try await sql.update("sandbox_authorisations")
                .set("refunded_minor", to: SQLBinaryExpression(SQLColumn("refunded_minor"), .add, SQLBind(amount.minorUnits)))
                .where("reference", .equal, SQLBind(chargeReference))
                .where("state", .equal, SQLBind("captured"))
                .where("currency", .equal, SQLBind(amount.currency.code))
                .where(SQLBinaryExpression(SQLBinaryExpression(SQLColumn("refunded_minor"), .add, SQLBind(amount.minorUnits)), .lessThanOrEqual, SQLColumn("captured_minor")))
                .returning("reference").first()
            guard taken != nil || captured != nil else { throw PaymentError.refundRejected("The charge is unknown, or the refunds would exceed it.") }
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
