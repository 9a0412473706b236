import Foundation
import SQLKit
import Storage

/// SQL for staff and their sessions; the back office's tables only.
public struct StaffRepository: Sendable {
    /// A staff row, personal data still sealed.
    struct StoredMember: Sendable {
        var internalID: Int64
        var publicID: String
        var emailSealed: String
        var nameSealed: String
        var passwordHash: String
        var role: String
        var disabled: Bool
        var totpSecretSealed: String?
        var totpLastStep: Int64?
        var createdAt: Int64
    }

    /// A staff session row.
    struct StoredSession: Sendable {
        var staffID: Int64
        var createdAt: Int64
        var lastSeenAt: Int64
        var expiresAt: Int64
    }

    let database: Database

    /// A repository over `database`.
    public init(database: Database) {
        self.database = database
    }

    /// Inserts a member; nil when the e-mail index is taken.
    /// A line for the audit log, written in the transaction of the change it records.
    struct NewAuditEntry: Sendable {
        var staffID: Int64?
        var actorSealed: String
        var action: String
        var subject: String
        var changesSealed: String
    }

    /// An audit log row, still sealed.
    struct StoredAuditEntry: Sendable {
        var actorSealed: String
        var action: String
        var subject: String
        var changesSealed: String
        var createdAt: Int64
    }

    /// Inserts a member, their recovery codes' hashes and the audit entry in one transaction; nil
    /// (and nothing written) when the e-mail index is taken.
    func insertMember(publicID: String, emailIndex: String, emailSealed: String, nameSealed: String, passwordHash: String,
                      role: String, totpSecretSealed: String?, recoveryCodeHashes: [String], audit: NewAuditEntry, now: Int64) async throws -> Int64? {
        try await database.transaction { sql in
            let row = try await sql.insert(into: "staff_members")
                .columns("public_id", "email_index", "email_sealed", "name_sealed", "password_hash", "role", "disabled",
                         "totp_secret_sealed", "created_at")
                .values(SQLBind(publicID), SQLBind(emailIndex), SQLBind(emailSealed), SQLBind(nameSealed), SQLBind(passwordHash),
                        SQLBind(role), SQLBind(0), SQLBind(totpSecretSealed), SQLBind(now))
                .ignoringConflicts(with: ["email_index"])
                .returning("id")
                .first()
            guard let id = try row?.decode(column: "id", as: Int64.self) else { return nil }
            for codeHash in recoveryCodeHashes {
                try await sql.insert(into: "staff_recovery_codes").columns("staff_id", "code_hash").values(SQLBind(id), SQLBind(codeHash)).run()
            }
            try await Self.append(audit, now: now, sql: sql)
            return id
        }
    }

    /// Records `step` as the last one-time-password step used, if it is newer than the last;
    /// false when it is not (a code replayed).
    func useOneTimeStep(_ step: Int64, staffID: Int64) async throws -> Bool {
        try await database.transaction { sql in
            let updated = try await sql.update("staff_members").set("totp_last_step", to: SQLBind(step))
                .where("id", .equal, SQLBind(staffID))
                .where { $0.where("totp_last_step", .is, SQLLiteral.null).orWhere("totp_last_step", .lessThan, SQLBind(step)) }
                .returning("id").first()
            return updated != nil
        }
    }

    /// Marks an unused recovery code of the member used; false when there is no such code.
    func useRecoveryCode(hash codeHash: String, staffID: Int64, now: Int64) async throws -> Bool {
        try await database.transaction { sql in
            let updated = try await sql.update("staff_recovery_codes").set("used_at", to: SQLBind(now))
                .where("staff_id", .equal, SQLBind(staffID)).where("code_hash", .equal, SQLBind(codeHash))
                .where("used_at", .is, SQLLiteral.null)
                .returning("id").first()
            return updated != nil
        }
    }

    func member(emailIndex: String) async throws -> StoredMember? {
        try await database.read { sql in
            try await Self.selectMember(sql).where("email_index", .equal, SQLBind(emailIndex)).first().map(Self.storedMember)
        }
    }

    func member(internalID: Int64) async throws -> StoredMember? {
        try await database.read { sql in
            try await Self.selectMember(sql).where("id", .equal, SQLBind(internalID)).first().map(Self.storedMember)
        }
    }

    /// Replaces a member's password hash.
    func updatePasswordHash(staffID: Int64, to hash: String) async throws {
        try await database.transaction { sql in
            try await sql.update("staff_members").set("password_hash", to: SQLBind(hash)).where("id", .equal, SQLBind(staffID)).run()
        }
    }

    /// Every member, oldest first.
    func allMembers() async throws -> [StoredMember] {
        try await database.read { sql in try await Self.selectMember(sql).orderBy("id").all().map(Self.storedMember) }
    }

    func member(publicID: String) async throws -> StoredMember? {
        try await database.read { sql in
            try await Self.selectMember(sql).where("public_id", .equal, SQLBind(publicID)).first().map(Self.storedMember)
        }
    }

    /// Changes a member's role (from `current`, so that two owners cannot both act on an old
    /// view), enrolling a second factor when one is given, and ends their sessions; false when
    /// the role was no longer `current`. Refused (false) when it would leave no enabled owner.
    func changeRole(staffID: Int64, from current: String, to role: String, totpSecretSealed: String?, recoveryCodeHashes: [String],
                    audit: NewAuditEntry, now: Int64) async throws -> Bool {
        try await database.transaction { sql in
            var update = sql.update("staff_members").set("role", to: SQLBind(role))
            if let totpSecretSealed { update = update.set("totp_secret_sealed", to: SQLBind(totpSecretSealed)).set("totp_last_step", to: SQLLiteral.null) }
            guard try await update.where("id", .equal, SQLBind(staffID)).where("role", .equal, SQLBind(current)).returning("id").first() != nil else {
                return false
            }
            guard try await Self.enabledOwners(sql) > 0 else { throw StaffError.lastOwner }
            if totpSecretSealed != nil {
                try await sql.delete(from: "staff_recovery_codes").where("staff_id", .equal, SQLBind(staffID)).run()
                for codeHash in recoveryCodeHashes {
                    try await sql.insert(into: "staff_recovery_codes").columns("staff_id", "code_hash").values(SQLBind(staffID), SQLBind(codeHash)).run()
                }
            }
            try await sql.delete(from: "staff_sessions").where("staff_id", .equal, SQLBind(staffID)).run()
            try await Self.append(audit, now: now, sql: sql)
            return true
        }
    }

    /// Disables (ending every session) or enables a member; false when nothing changed. Refused
    /// when it would leave no enabled owner.
    func setDisabled(staffID: Int64, _ disabled: Bool, audit: NewAuditEntry, now: Int64) async throws -> Bool {
        try await database.transaction { sql in
            guard try await sql.update("staff_members").set("disabled", to: SQLBind(disabled ? 1 : 0))
                .where("id", .equal, SQLBind(staffID)).where("disabled", .equal, SQLBind(disabled ? 0 : 1)).returning("id").first() != nil else {
                return false
            }
            guard try await Self.enabledOwners(sql) > 0 else { throw StaffError.lastOwner }
            if disabled { try await sql.delete(from: "staff_sessions").where("staff_id", .equal, SQLBind(staffID)).run() }
            try await Self.append(audit, now: now, sql: sql)
            return true
        }
    }

    static func enabledOwners(_ sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM staff_members WHERE role = 'owner' AND disabled = 0").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// How many members there are.
    func count() async throws -> Int {
        try await database.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM staff_members").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    func insertSession(tokenHash: String, staffID: Int64, now: Int64, expiresAt: Int64) async throws {
        try await database.transaction { sql in
            try await sql.insert(into: "staff_sessions").columns("token_hash", "staff_id", "created_at", "last_seen_at", "expires_at")
                .values(SQLBind(tokenHash), SQLBind(staffID), SQLBind(now), SQLBind(now), SQLBind(expiresAt))
                .run()
        }
    }

    func session(tokenHash: String) async throws -> StoredSession? {
        try await database.read { sql in
            try await sql.select().columns("staff_id", "created_at", "last_seen_at", "expires_at").from("staff_sessions")
                .where("token_hash", .equal, SQLBind(tokenHash)).first()
                .map { row in
                    StoredSession(staffID: try row.decode(column: "staff_id", as: Int64.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
                                  lastSeenAt: try row.decode(column: "last_seen_at", as: Int64.self),
                                  expiresAt: try row.decode(column: "expires_at", as: Int64.self))
                }
        }
    }

    func touchSession(tokenHash: String, now: Int64) async throws {
        try await database.transaction { sql in
            try await sql.update("staff_sessions").set("last_seen_at", to: SQLBind(now)).where("token_hash", .equal, SQLBind(tokenHash)).run()
        }
    }

    func deleteSession(tokenHash: String) async throws {
        try await database.transaction { sql in
            try await sql.delete(from: "staff_sessions").where("token_hash", .equal, SQLBind(tokenHash)).run()
        }
    }

    static func append(_ entry: NewAuditEntry, now: Int64, sql: any SQLDatabase) async throws {
        try await sql.insert(into: "audit_log").columns("staff_id", "actor_sealed", "action", "subject", "changes_sealed", "created_at")
            .values(SQLBind(entry.staffID), SQLBind(entry.actorSealed), SQLBind(entry.action), SQLBind(entry.subject),
                    SQLBind(entry.changesSealed), SQLBind(now))
            .run()
    }

    /// The newest `limit` audit entries, newest first: of one action, one member of staff, and a
    /// subject containing some text, when given.
    func auditEntries(action: String?, staffID: Int64?, subjectContaining text: String?, limit: Int) async throws -> [StoredAuditEntry] {
        try await database.read { sql in
            var query = sql.select().columns("actor_sealed", "action", "subject", "changes_sealed", "created_at").from("audit_log")
            if let action { query = query.where("action", .equal, SQLBind(action)) }
            if let staffID { query = query.where("staff_id", .equal, SQLBind(staffID)) }
            if let text, !text.isEmpty {
                let pattern = "%" + text.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
                query = query.where(SQLFunction("LOWER", args: SQLColumn("subject")), .like, SQLBind(pattern))
            }
            return try await query.orderBy("id", .descending).limit(limit).all().map { row in
                StoredAuditEntry(actorSealed: try row.decode(column: "actor_sealed", as: String.self), action: try row.decode(column: "action", as: String.self),
                                 subject: try row.decode(column: "subject", as: String.self),
                                 changesSealed: try row.decode(column: "changes_sealed", as: String.self),
                                 createdAt: try row.decode(column: "created_at", as: Int64.self))
            }
        }
    }

    private static func selectMember(_ sql: any SQLDatabase) -> SQLSelectBuilder {
        sql.select().columns("id", "public_id", "email_sealed", "name_sealed", "password_hash", "role", "disabled", "totp_secret_sealed",
                             "totp_last_step", "created_at")
            .from("staff_members")
    }

    private static func storedMember(_ row: any SQLRow) throws -> StoredMember {
        StoredMember(
            internalID: try row.decode(column: "id", as: Int64.self), publicID: try row.decode(column: "public_id", as: String.self),
            emailSealed: try row.decode(column: "email_sealed", as: String.self), nameSealed: try row.decode(column: "name_sealed", as: String.self),
            passwordHash: try row.decode(column: "password_hash", as: String.self), role: try row.decode(column: "role", as: String.self),
            disabled: try row.decode(column: "disabled", as: Int.self) != 0,
            totpSecretSealed: try row.decode(column: "totp_secret_sealed", as: String?.self),
            totpLastStep: try row.decode(column: "totp_last_step", as: Int64?.self), createdAt: try row.decode(column: "created_at", as: Int64.self)
        )
    }
}
