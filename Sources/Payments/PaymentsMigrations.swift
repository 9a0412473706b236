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
    ]
}
