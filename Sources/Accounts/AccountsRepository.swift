import Foundation
import SQLKit
import Storage

/// A customer row as stored: personal data still sealed.
public struct StoredCustomer: Sendable {
    public var internalID: Int64
    public var publicID: String
    public var emailSealed: String
    public var nameSealed: String
    public var phoneSealed: String?
    public var passwordHash: String
    public var createdAt: Int64
    /// The e-mail's blind index (what sign-in throttling is keyed by).
    public var emailIndex: String
    /// Erased customers keep their row (their orders point at it) under an index that no e-mail has.
    public var isErased: Bool
    /// When the customer proved the e-mail is theirs (a confirmation or reset link); nil: not yet.
    public var emailVerifiedAt: Int64?
    /// How the customer hears about their order's progress (``UpdateChannels``).
    public var updatesBy: String = "email"
}

/// An outbox event to write with a change: topic, aggregate and payload.
typealias AccountEvent = (topic: String, aggregateID: String, payload: [String: String])

/// A session row as stored.
public struct StoredSession: Sendable {
    public var customerID: Int64
    public var createdAt: Int64
    public var lastSeenAt: Int64
    public var expiresAt: Int64
}

/// The accounts module's SQL: customers and sessions.
public struct AccountsRepository: Sendable {
    let database: Database

    /// Creates the repository over `database`.
    public init(database: Database) {
        self.database = database
    }

    /// Inserts a customer with an e-mail confirmation link (`verificationHash`, valid until
    /// `verificationExpiresAt`) and its outbox event; returns nil (and writes nothing) if the
    /// e-mail index is taken.
    func insertCustomer(publicID: String, emailIndex: String, emailSealed: String, nameSealed: String,
                        phoneSealed: String?, passwordHash: String, now: Int64,
                        verificationHash: String, verificationExpiresAt: Int64, event: @escaping @Sendable (Int64) -> AccountEvent) async throws -> Int64? {
        // ON CONFLICT makes two simultaneous sign-ups with one e-mail give one account and one
        // clear "taken", on every engine, instead of a constraint error.
        try await database.transaction { sql in
            let id = try await sql.insert(into: "customers")
                .columns("public_id", "email_index", "email_sealed", "name_sealed", "phone_sealed", "password_hash", "created_at")
                .values(SQLBind(publicID), SQLBind(emailIndex), SQLBind(emailSealed), SQLBind(nameSealed),
                        SQLBind(phoneSealed), SQLBind(passwordHash), SQLBind(now))
                .ignoringConflicts(with: ["email_index"])
                .returning("id")
                .first()?.decode(column: "id", as: Int64.self)
            guard let id else { return nil }
            try await sql.insert(into: "email_verifications").columns("customer_id", "token_hash", "created_at", "expires_at")
                .values(SQLBind(id), SQLBind(verificationHash), SQLBind(now), SQLBind(verificationExpiresAt)).run()
            let made = event(id)
            try await Outbox.append(topic: made.topic, aggregateID: made.aggregateID, payload: made.payload, now: now, in: sql)
            return id
        }
    }

    /// Sets how a customer hears about their order's progress.
    func setUpdatesBy(customerID: Int64, to value: String) async throws {
        try await database.transaction { sql in
            try await sql.update("customers").set("updates_by", to: SQLBind(value)).where("id", .equal, SQLBind(customerID)).run()
            try await ChangeFeed.record(AccountsService.customerTopic, key: String(customerID), in: sql)
        }
    }

    /// How a customer hears about their order's progress, and whether they gave a phone number,
    /// read without opening any personal data.
    func updateChannels(customerID: Int64) async throws -> (channels: String, hasPhone: Bool)? {
        try await database.read { sql in
            guard let row = try await sql.select().column("updates_by").column("phone_sealed").column("email_index").from("customers")
                .where("id", .equal, SQLBind(customerID)).first() else { return nil }
            guard !(try row.decode(column: "email_index", as: String.self)).hasPrefix(Self.erasedIndexPrefix) else { return nil }
            return (try row.decode(column: "updates_by", as: String.self), try row.decode(column: "phone_sealed", as: String?.self) != nil)
        }
    }

    /// Someone tried to sign up with the e-mail of an existing account: unless its owner was
    /// told in the last `quietSeconds`, notes the time and writes the outbox event telling them.
    /// Returns whether they will be told.
    func noteTakenSignUp(emailIndex: String, now: Int64, quietSeconds: Int64, event: @escaping @Sendable (Int64, String) -> AccountEvent) async throws -> Bool {
        try await database.transaction { sql in
            let update = sql.update("customers").set("taken_notice_at", to: SQLBind(now)).where("email_index", .equal, SQLBind(emailIndex))
                .where { $0.where("taken_notice_at", .is, SQLLiteral.null).orWhere("taken_notice_at", .lessThanOrEqual, SQLBind(now - quietSeconds)) }
            guard let row = try await update.returning("id", "public_id").first() else { return false }
            let made = event(try row.decode(column: "id", as: Int64.self), try row.decode(column: "public_id", as: String.self))
            try await Outbox.append(topic: made.topic, aggregateID: made.aggregateID, payload: made.payload, now: now, in: sql)
            return true
        }
    }

    /// Uses the unused, unexpired confirmation link `tokenHash`: marks its customer's e-mail
    /// proved; the customer's id, or nil when the link is not valid.
    func redeemEmailVerification(tokenHash: String, now: Int64) async throws -> Int64? {
        try await database.transaction { sql in
            guard let row = try await sql.update("email_verifications").set("used_at", to: SQLBind(now))
                .where("token_hash", .equal, SQLBind(tokenHash)).where("used_at", .is, SQLLiteral.null)
                .where("expires_at", .greaterThan, SQLBind(now)).returning("customer_id").first() else { return nil }
            let customerID = try row.decode(column: "customer_id", as: Int64.self)
            try await sql.update("customers").set("email_verified_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(customerID)).where("email_verified_at", .is, SQLLiteral.null).run()
            try await ChangeFeed.record(AccountsService.customerTopic, key: String(customerID), in: sql)
            return customerID
        }
    }

    /// Replaces a customer's password hash and ends every session but `keepingSession`, in one transaction.
    func changePassword(customerID: Int64, to hash: String, keepingSession tokenHash: String) async throws {
        try await database.transaction { sql in
            try await sql.update("customers").set("password_hash", to: SQLBind(hash)).where("id", .equal, SQLBind(customerID)).run()
            try await sql.delete(from: "sessions").where("customer_id", .equal, SQLBind(customerID))
                .where("token_hash", .notEqual, SQLBind(tokenHash)).run()
            try await ChangeFeed.record(AccountsService.customerTopic, key: String(customerID), in: sql)
        }
    }

    /// Ends every session of a customer but `except` (all when nil).
    func deleteSessions(customerID: Int64, except tokenHash: String?) async throws {
        try await database.transaction { sql in
            var delete = sql.delete(from: "sessions").where("customer_id", .equal, SQLBind(customerID))
            if let tokenHash { delete = delete.where("token_hash", .notEqual, SQLBind(tokenHash)) }
            try await delete.run()
            try await ChangeFeed.record(AccountsService.customerTopic, key: String(customerID), in: sql)
        }
    }

    /// Replaces a customer's password hash.
    func updatePasswordHash(customerID: Int64, to hash: String) async throws {
        try await database.transaction { sql in
            try await sql.update("customers").set("password_hash", to: SQLBind(hash)).where("id", .equal, SQLBind(customerID)).run()
        }
    }

    /// The customer with this e-mail blind index.
    func customer(emailIndex: String) async throws -> StoredCustomer? {
        try await database.read { sql in
            try await Self.customerColumns(sql.select()).from("customers")
                .where("email_index", .equal, SQLBind(emailIndex)).first().map(Self.storedCustomer)
        }
    }

    /// The customer with this internal id.
    func customer(internalID: Int64) async throws -> StoredCustomer? {
        try await database.read { sql in
            try await Self.customerColumns(sql.select()).from("customers")
                .where("id", .equal, SQLBind(internalID)).first().map(Self.storedCustomer)
        }
    }

    /// A session and its customer in one query (read on every signed-in request, so written as
    /// one string rather than built from a query builder's tree each time).
    func sessionWithCustomer(tokenHash: String) async throws -> (session: StoredSession, customer: StoredCustomer?)? {
        try await database.read { sql in
            guard let row = try await sql.raw("""
                SELECT sessions.customer_id AS session_customer_id, sessions.created_at AS session_created_at, \
                sessions.last_seen_at AS session_last_seen_at, sessions.expires_at AS session_expires_at, \
                \(unsafeRaw: Self.customerColumnList) FROM sessions LEFT JOIN customers ON customers.id = sessions.customer_id WHERE sessions.token_hash = \(bind: tokenHash)
                """).first() else { return nil }
            let session = StoredSession(
                customerID: try row.decode(column: "session_customer_id", as: Int64.self),
                createdAt: try row.decode(column: "session_created_at", as: Int64.self),
                lastSeenAt: try row.decode(column: "session_last_seen_at", as: Int64.self),
                expiresAt: try row.decode(column: "session_expires_at", as: Int64.self)
            )
            return (session, try row.decodeNil(column: "id") ? nil : try Self.storedCustomer(row))
        }
    }

    /// Records a password reset link for a customer, voiding their earlier ones, unless `limit`
    /// links were issued to them since `windowStart`; true when it was recorded. The link's
    /// e-mail is the outbox event `event` (topic, aggregate, payload), written in the same transaction.
    func insertPasswordReset(customerID: Int64, tokenHash: String, now: Int64, expiresAt: Int64, windowStart: Int64, limit: Int,
                             event: (topic: String, aggregateID: String, payload: [String: String])) async throws -> Bool {
        try await database.transaction { sql in
            let recent = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("password_resets")
                .where("customer_id", .equal, SQLBind(customerID)).where("created_at", .greaterThan, SQLBind(windowStart))
                .first()?.decode(column: "n", as: Int.self) ?? 0
            guard recent < limit else { return false }
            try await sql.update("password_resets").set("used_at", to: SQLBind(now))
                .where("customer_id", .equal, SQLBind(customerID)).where("used_at", .is, SQLLiteral.null).run()
            try await sql.insert(into: "password_resets").columns("customer_id", "token_hash", "created_at", "expires_at")
                .values(SQLBind(customerID), SQLBind(tokenHash), SQLBind(now), SQLBind(expiresAt)).run()
            try await Outbox.append(topic: event.topic, aggregateID: event.aggregateID, payload: event.payload, now: now, in: sql)
            return true
        }
    }

    /// Uses the unused, unexpired reset link `tokenHash`: sets the password hash and ends every
    /// session of its customer, in one transaction; the customer's id, or nil when the link is not
    /// valid. The link is claimed by a conditional update, so of two racing uses one wins.
    func redeemPasswordReset(tokenHash: String, passwordHash: String, now: Int64) async throws -> Int64? {
        try await database.transaction { sql in
            guard let row = try await sql.select().columns("id", "customer_id").from("password_resets")
                .where("token_hash", .equal, SQLBind(tokenHash)).where("used_at", .is, SQLLiteral.null)
                .where("expires_at", .greaterThan, SQLBind(now)).first() else { return nil }
            let id = try row.decode(column: "id", as: Int64.self)
            let customerID = try row.decode(column: "customer_id", as: Int64.self)
            let claimed = try await sql.update("password_resets").set("used_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(id)).where("used_at", .is, SQLLiteral.null)
                .returning("id").first()
            guard claimed != nil else { return nil }
            // The link came by e-mail, so following it proves the e-mail too.
            try await sql.update("customers").set("password_hash", to: SQLBind(passwordHash))
                .set("email_verified_at", to: SQLFunction("COALESCE", args: SQLColumn("email_verified_at"), SQLBind(now)))
                .where("id", .equal, SQLBind(customerID)).run()
            try await sql.delete(from: "sessions").where("customer_id", .equal, SQLBind(customerID)).run()
            try await ChangeFeed.record(AccountsService.customerTopic, key: String(customerID), in: sql)
            return customerID
        }
    }

    /// Stores a new session.
    func insertSession(tokenHash: String, customerID: Int64, now: Int64, expiresAt: Int64) async throws {
        try await database.transaction { sql in
            try await sql.insert(into: "sessions")
                .columns("token_hash", "customer_id", "created_at", "last_seen_at", "expires_at")
                .values(SQLBind(tokenHash), SQLBind(customerID), SQLBind(now), SQLBind(now), SQLBind(expiresAt))
                .run()
        }
    }

    /// Records activity on a session.
    func touchSession(tokenHash: String, now: Int64) async throws {
        try await database.transaction { sql in
            try await sql.update("sessions").set("last_seen_at", to: SQLBind(now))
                .where("token_hash", .equal, SQLBind(tokenHash)).run()
        }
    }

    /// Ends a session.
    func deleteSession(tokenHash: String) async throws {
        try await database.transaction { sql in
            try await sql.delete(from: "sessions").where("token_hash", .equal, SQLBind(tokenHash)).run()
            try await ChangeFeed.record(AccountsService.sessionTopic, key: tokenHash, in: sql)
        }
    }

    /// Removes sessions that ended before `now`; returns how many.
    func deleteExpiredSessions(now: Int64, idleCutoff: Int64) async throws -> Int {
        try await database.transaction { sql in
            let expired = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("sessions")
                .where("expires_at", .lessThanOrEqual, SQLBind(now)).orWhere("last_seen_at", .lessThan, SQLBind(idleCutoff))
                .first()?.decode(column: "n", as: Int.self) ?? 0
            try await sql.delete(from: "sessions")
                .where("expires_at", .lessThanOrEqual, SQLBind(now)).orWhere("last_seen_at", .lessThan, SQLBind(idleCutoff)).run()
            return expired
        }
    }

    /// The columns ``storedCustomer(_:)`` reads, as SQL text.
    static let customerColumnList = """
        customers.id, customers.public_id, customers.email_index, customers.email_sealed, customers.name_sealed, \
        customers.phone_sealed, customers.password_hash, customers.created_at, customers.email_verified_at, customers.updates_by
        """

    static func customerColumns(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
        select.column(SQLRaw(customerColumnList))
    }

    static func storedCustomer(_ row: any SQLRow) throws -> StoredCustomer {
        StoredCustomer(
            internalID: try row.decode(column: "id", as: Int64.self),
            publicID: try row.decode(column: "public_id", as: String.self),
            emailSealed: try row.decode(column: "email_sealed", as: String.self),
            nameSealed: try row.decode(column: "name_sealed", as: String.self),
            phoneSealed: try row.decode(column: "phone_sealed", as: String?.self),
            passwordHash: try row.decode(column: "password_hash", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            emailIndex: try row.decode(column: "email_index", as: String.self),
            isErased: try row.decode(column: "email_index", as: String.self).hasPrefix(erasedIndexPrefix),
            emailVerifiedAt: try row.decode(column: "email_verified_at", as: Int64?.self),
            updatesBy: try row.decode(column: "updates_by", as: String.self)
        )
    }

    /// The e-mail index of an erased customer starts with this; a blind index never does.
    static let erasedIndexPrefix = "erased:"

    /// The customer with this public id.
    func customer(publicID: String) async throws -> StoredCustomer? {
        try await database.read { sql in
            try await Self.customerColumns(sql.select()).from("customers").where("public_id", .equal, SQLBind(publicID)).first().map(Self.storedCustomer)
        }
    }

    /// Replaces a customer's personal data with `sealed` placeholders and ends their sessions,
    /// inside the caller's transaction. Returns false if there is no such customer.
    static func erase(customerID: Int64, emailSealed: String, nameSealed: String, sql: any SQLDatabase) async throws -> Bool {
        let row = try await sql.update("customers")
            .set("email_index", to: SQLBind(erasedIndexPrefix + UUID().uuidString.lowercased()))
            .set("email_sealed", to: SQLBind(emailSealed)).set("name_sealed", to: SQLBind(nameSealed))
            .set("phone_sealed", to: SQLLiteral.null).set("password_hash", to: SQLBind("erased"))
            .where("id", .equal, SQLBind(customerID)).returning("id").first()
        try await sql.delete(from: "sessions").where("customer_id", .equal, SQLBind(customerID)).run()
        try await ChangeFeed.record(AccountsService.customerTopic, key: String(customerID), in: sql)
        return row != nil
    }
}
