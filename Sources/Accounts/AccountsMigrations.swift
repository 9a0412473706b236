import SQLKit
import Security
import Storage

/// The accounts module's tables: customers (personal data sealed) and sessions (tokens hashed).
public enum AccountsMigrations {
    /// The columns holding sealed personal data, for key rotation.
    public static let sealedColumns = ["email_sealed", "name_sealed", "phone_sealed"].map { SealedColumn(table: "customers", column: $0) }

    /// The accounts migrations, in order.
    public static let all: [Migration] = [
        Migration(id: "0010_accounts_customers") { sql, _ in
            try await sql.create(table: "customers")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("public_id", type: .text, .notNull, .unique)
                .column("email_index", type: .text, .notNull, .unique)
                .column("email_sealed", type: .text, .notNull)
                .column("name_sealed", type: .text, .notNull)
                .column("phone_sealed", type: .text)
                .column("password_hash", type: .text, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
        },
        Migration(id: "0011_accounts_sessions") { sql, _ in
            try await sql.create(table: "sessions")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("token_hash", type: .text, .notNull, .unique)
                .column("customer_id", type: .bigint, .notNull, .references("customers", "id", onDelete: .cascade))
                .column("created_at", type: .bigint, .notNull)
                .column("last_seen_at", type: .bigint, .notNull)
                .column("expires_at", type: .bigint, .notNull)
                .run()
            try await sql.create(index: "sessions_customer_idx").on("sessions").column("customer_id").run()
        },
            Migration(id: "0012_accounts_sign_in_throttle") { sql, _ in
            // Failed sign-ins per account (customers' and staff's), keyed by the e-mail's blind
            // index, so that every instance sees the same count and lock. Times in milliseconds.
            try await sql.create(table: "sign_in_throttle")
                .column("account_key", type: .text, .primaryKey(autoIncrement: false))
                .column("failures", type: .int, .notNull)
                .column("window_start", type: .bigint, .notNull)
                .column("locked_until", type: .bigint, .notNull)
                .run()
        },
        Migration(id: "0013_accounts_password_resets") { sql, _ in
            // Password reset links: tokens stored as SHA-256 only, single use, short-lived.
            try await sql.create(table: "password_resets")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("customer_id", type: .bigint, .notNull, .references("customers", "id", onDelete: .cascade))
                .column("token_hash", type: .text, .notNull, .unique)
                .column("created_at", type: .bigint, .notNull)
                .column("expires_at", type: .bigint, .notNull)
                .column("used_at", type: .bigint)
                .run()
            try await sql.create(index: "password_resets_customer_idx").on("password_resets").column("customer_id").column("created_at").run()
        },
        Migration(id: "0014_accounts_email_verification") { sql, _ in
            // When the customer proved the e-mail is theirs; accounts from before count as proved.
            try await sql.alter(table: "customers").column("email_verified_at", type: .bigint).run()
            try await sql.update("customers").set("email_verified_at", to: SQLColumn("created_at")).run()
            // When the owner was last told that someone tried to sign up with their e-mail.
            try await sql.alter(table: "customers").column("taken_notice_at", type: .bigint).run()
            // Confirmation links: tokens stored as SHA-256 only, single use.
            try await sql.create(table: "email_verifications")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("customer_id", type: .bigint, .notNull, .references("customers", "id", onDelete: .cascade))
                .column("token_hash", type: .text, .notNull, .unique)
                .column("created_at", type: .bigint, .notNull)
                .column("expires_at", type: .bigint, .notNull)
                .column("used_at", type: .bigint)
                .run()
            try await sql.create(index: "email_verifications_customer_idx").on("email_verifications").column("customer_id").run()
        },
        Migration(id: "0015_accounts_update_channels") { sql, _ in
            // How the customer hears about their order's progress: email, sms, both or none.
            try await sql.alter(table: "customers").column("updates_by", type: .text, .notNull, .default("email")).run()
        },
    ]
}
