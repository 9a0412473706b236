import SQLKit
import Storage

/// The back office's tables: staff (personal data sealed) and their sessions (tokens hashed),
/// apart from customers and theirs.
public enum BackOfficeMigrations {
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
                .column("created_at", type: .bigint, .notNull)
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
        },
    ]
}
