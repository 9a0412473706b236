import SQLKit
import Storage

/// The sandbox gateway's ledger: its own tables, as a real gateway's would be its own.
public enum PaymentsMigrations {
    /// The payments migrations, in order.
    public static let all: [Migration] = [
        Migration(id: "0060_payments_sandbox_ledger") { sql, _ in
            try await sql.create(table: "sandbox_charges")
                .column("idempotency_key", type: .text, .primaryKey(autoIncrement: false))
                .column("reference", type: .text, .notNull, .unique)
                .column("order_reference", type: .text, .notNull)
                .column("amount_minor", type: .bigint, .notNull)
                .column("currency", type: .text, .notNull)
                .column("outcome", type: .text, .notNull)
                .column("brand", type: .text, .notNull)
                .column("last4", type: .text, .notNull)
                .column("refunded_minor", type: .bigint, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
            try await sql.create(table: "sandbox_refunds")
                .column("idempotency_key", type: .text, .primaryKey(autoIncrement: false))
                .column("reference", type: .text, .notNull, .unique)
                .column("charge_reference", type: .text, .notNull)
                .column("amount_minor", type: .bigint, .notNull)
                .column("currency", type: .text, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
        },
        Migration(id: "0061_payments_sandbox_authorisations") { sql, _ in
            // Amounts reserved and captured later, as a gateway's manual capture keeps them.
            try await sql.create(table: "sandbox_authorisations")
                .column("idempotency_key", type: .text, .primaryKey(autoIncrement: false))
                .column("reference", type: .text, .notNull, .unique)
                .column("order_reference", type: .text, .notNull)
                .column("amount_minor", type: .bigint, .notNull)
                .column("currency", type: .text, .notNull)
                .column("outcome", type: .text, .notNull)
                .column("state", type: .text, .notNull)
                .column("brand", type: .text, .notNull)
                .column("last4", type: .text, .notNull)
                .column("payment_method", type: .text, .notNull)
                .column("captured_minor", type: .bigint, .notNull)
                .column("refunded_minor", type: .bigint, .notNull)
                .column("expires_at", type: .bigint, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
            try await sql.create(table: "sandbox_captures")
                .column("idempotency_key", type: .text, .primaryKey(autoIncrement: false))
                .column("reference", type: .text, .notNull, .unique)
                .column("authorisation_reference", type: .text, .notNull, .unique)
                .column("amount_minor", type: .bigint, .notNull)
                .column("currency", type: .text, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
            // A card saved for later authorisations: never its number, only how the test card behaves.
            try await sql.create(table: "sandbox_payment_methods")
                .column("reference", type: .text, .primaryKey(autoIncrement: false))
                .column("brand", type: .text, .notNull)
                .column("last4", type: .text, .notNull)
                .column("behaviour", type: .text, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
        },
    ]
}
