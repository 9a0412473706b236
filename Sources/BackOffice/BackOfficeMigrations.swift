import SQLKit
import Security
import Storage

/// The back office's tables: staff (personal data and second-factor secrets sealed), their
/// recovery codes and sessions (both stored as hashes), apart from customers and theirs, and the
/// audit log.
public enum BackOfficeMigrations {
    /// The columns holding sealed personal data, for key rotation.
    public static let sealedColumns = ["email_sealed", "name_sealed", "totp_secret_sealed"].map { SealedColumn(table: "staff_members", column: $0) }
        + ["actor_sealed", "changes_sealed"].map { SealedColumn(table: "audit_log", column: $0) }

    /// The back-office migrations, in order.
    public static let all: [Migration] = [
        Migration(id: "0050_backoffice_staff") { sql, _ in
            try await sql.create(table: "staff_members")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("public_id", type: .text, .notNull, .unique)
                .column("email_index", type: .text, .notNull, .unique)
                .column("email_sealed", type: .text, .notNull)
                .column("name_sealed", type: .text, .notNull)
                .column("password_hash", type: .text, .notNull)
                .column("role", type: .text, .notNull)
                .column("disabled", type: .int, .notNull, .default(0))
                .column("totp_secret_sealed", type: .text)
                .column("totp_last_step", type: .bigint)
                .column("created_at", type: .bigint, .notNull)
                .run()
            try await sql.create(table: "staff_recovery_codes")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("staff_id", type: .bigint, .notNull, .references("staff_members", "id", onDelete: .cascade))
                .column("code_hash", type: .text, .notNull, .unique)
                .column("used_at", type: .bigint)
                .run()
            try await sql.create(table: "staff_sessions")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("token_hash", type: .text, .notNull, .unique)
                .column("staff_id", type: .bigint, .notNull, .references("staff_members", "id", onDelete: .cascade))
                .column("created_at", type: .bigint, .notNull)
                .column("last_seen_at", type: .bigint, .notNull)
                .column("expires_at", type: .bigint, .notNull)
                .run()
            try await sql.create(index: "staff_sessions_staff_idx").on("staff_sessions").column("staff_id").run()
            // Who did what, when; the values before and after are sealed (they may be personal data).
            try await sql.create(table: "audit_log")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("staff_id", type: .bigint, .references("staff_members", "id", onDelete: .setNull))
                .column("actor_sealed", type: .text, .notNull)
                .column("action", type: .text, .notNull)
                .column("subject", type: .text, .notNull)
                .column("changes_sealed", type: .text, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
            try await sql.create(index: "audit_log_action_idx").on("audit_log").column("action").column("id").run()
        },
    ]
}
