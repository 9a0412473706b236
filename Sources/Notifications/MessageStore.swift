import Foundation
import SQLKit
import Storage

/// How a message reaches its recipient.
public enum Channel: String, Sendable, CaseIterable, Codable {
    case email
    case sms
    case webhook
}

/// Where a message stands.
public enum MessageState: String, Sendable, CaseIterable, Codable {
    /// Waiting for its first or next attempt (after a failure, `lastError` says why).
    case pending
    /// Accepted by the mail server, SMS provider or webhook endpoint.
    case sent
    /// Given up on: a permanent refusal, or every attempt failed. Staff can send it again.
    case dead
}

/// One message to deliver: an outbox event for one recipient over one channel. Unique per
/// (event, channel, recipient), so dispatching an event twice never makes a second message.
public struct NotificationMessage: Sendable, Equatable {
    public var id: Int64
    public var eventID: Int64
    public var channel: Channel
    /// `customer:<internal id>` or `endpoint:<id>`: personal data is looked up at send time.
    public var recipient: String
    /// What to send, e.g. `order_confirmation`.
    public var kind: String
    public var state: MessageState
    /// Attempts so far, including one under way.
    public var attempts: Int
    public var nextAttemptAt: Int64
    public var lastError: String?
    public var createdAt: Int64
    public var sentAt: Int64?
}

/// A message planned for an event, before it has an id.
public struct PlannedMessage: Sendable, Equatable, Hashable {
    public var channel: Channel
    public var recipient: String
    public var kind: String

    public init(channel: Channel, recipient: String, kind: String) {
        self.channel = channel
        self.recipient = recipient
        self.kind = kind
    }
}

/// The notifications module's table, `notification_messages`, and its SQL.
public struct MessageStore: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public static let migrations: [Migration] = [
        Migration(id: "0080_notifications_messages") { sql, _ in
            try await sql.create(table: "notification_messages")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("event_id", type: .bigint, .notNull)
                .column("channel", type: .text, .notNull)
                .column("recipient", type: .text, .notNull)
                .column("kind", type: .text, .notNull)
                .column("state", type: .text, .notNull)
                .column("attempts", type: .int, .notNull, .default(0))
                .column("next_attempt_at", type: .bigint, .notNull)
                .column("lease_until", type: .bigint)
                .column("last_error", type: .text)
                .column("created_at", type: .bigint, .notNull)
                .column("sent_at", type: .bigint)
                .unique("event_id", "channel", "recipient")
                .run()
            try await sql.create(index: "notification_messages_due_idx").on("notification_messages")
                .column("state").column("next_attempt_at").run()
        },
    ]

    /// Turns up to `limit` undispatched outbox events into messages (`plan` says which) and
    /// marks them dispatched. Planning reads other modules' data, so it runs before the write
    /// transaction, not inside it (on SQLite a read inside the one writer's transaction would
    /// wait for that very transaction). Workers that plan the same event side by side insert the
    /// same rows, and the unique key keeps one. Returns how many events it took.
    func dispatch(limit: Int, now: Int64, plan: @escaping @Sendable (Outbox.Event) async throws -> [PlannedMessage]) async throws -> (events: Int, messages: Int) {
        let events = try await database.read { sql in try await Outbox.undispatched(limit: limit, in: sql) }
        guard !events.isEmpty else { return (0, 0) }
        var planned: [(Int64, PlannedMessage)] = []
        for event in events {
            for message in Set(try await plan(event)) { planned.append((event.id, message)) }
        }
        let rows = planned
        let made = try await database.transaction { sql in
            var made = 0
            for (eventID, message) in rows {
                let inserted = try await sql.insert(into: "notification_messages")
                    .columns("event_id", "channel", "recipient", "kind", "state", "attempts", "next_attempt_at", "created_at")
                    .values(SQLBind(eventID), SQLBind(message.channel.rawValue), SQLBind(message.recipient), SQLBind(message.kind),
                            SQLBind(MessageState.pending.rawValue), SQLBind(0), SQLBind(now), SQLBind(now))
                    .ignoringConflicts(with: ["event_id", "channel", "recipient"])
                    .returning("id").first()
                if inserted != nil { made += 1 }
            }
            try await Outbox.markDispatched(events.map(\.id), now: now, in: sql)
            return made
        }
        return (events.count, made)
    }

    /// A claimed message with the event it came from (nil if the event is gone).
    struct Claimed: Sendable {
        var message: NotificationMessage
        var event: Outbox.Event?
    }

    /// Claims up to `limit` due messages for `leaseSeconds`, counting an attempt for each. A
    /// claimed message is nobody else's until its lease ends, so workers side by side never
    /// send one message at the same time; a worker that dies leaves its messages to be claimed
    /// again when their leases end. On PostgreSQL, rows another worker is claiming are skipped.
    func claim(limit: Int, now: Int64, leaseSeconds: Int64) async throws -> [Claimed] {
        // An idle worker asks every second: a read first, so that it writes only when there is work.
        let due = try await database.read { sql in
            try await sql.select().column("id").from("notification_messages")
                .where("state", .equal, SQLBind(MessageState.pending.rawValue)).where("next_attempt_at", .lessThanOrEqual, SQLBind(now))
                .where { $0.where("lease_until", .is, SQLLiteral.null).orWhere("lease_until", .lessThanOrEqual, SQLBind(now)) }
                .limit(1).first() != nil
        }
        guard due else { return [] }
        return try await database.transaction { sql in
            let lock = sql.dialect.name == "postgresql" ? "FOR UPDATE SKIP LOCKED" : ""
            let rows = try await sql.raw("""
                UPDATE notification_messages SET lease_until = \(bind: now + leaseSeconds), attempts = attempts + 1
                WHERE id IN (SELECT id FROM notification_messages
                             WHERE state = 'pending' AND next_attempt_at <= \(bind: now) AND (lease_until IS NULL OR lease_until <= \(bind: now))
                             ORDER BY next_attempt_at, id LIMIT \(unsafeRaw: String(limit)) \(unsafeRaw: lock))
                RETURNING \(unsafeRaw: Self.columns)
                """).all()
            let messages = try rows.map(Self.message).sorted { $0.id < $1.id }
            let events = try await Outbox.events(messages.map(\.eventID), in: sql)
            return messages.map { Claimed(message: $0, event: events[$0.eventID]) }
        }
    }

    /// Records that `id` was delivered.
    func markSent(_ id: Int64, now: Int64) async throws {
        try await database.transaction { sql in
            try await sql.update("notification_messages").set("state", to: SQLBind(MessageState.sent.rawValue))
                .set("sent_at", to: SQLBind(now)).set("lease_until", to: SQLLiteral.null).set("last_error", to: SQLLiteral.null)
                .where("id", .equal, SQLBind(id)).run()
        }
    }

    /// Records a failed attempt: the message is tried again at `retryAt`, or is dead when nil.
    func markFailed(_ id: Int64, error: String, retryAt: Int64?) async throws {
        try await database.transaction { sql in
            var update = sql.update("notification_messages").set("lease_until", to: SQLLiteral.null).set("last_error", to: SQLBind(String(error.prefix(500))))
            if let retryAt {
                update = update.set("next_attempt_at", to: SQLBind(retryAt))
            } else {
                update = update.set("state", to: SQLBind(MessageState.dead.rawValue))
            }
            try await update.where("id", .equal, SQLBind(id)).run()
        }
    }

    /// Messages that failed at least once and are not delivered (pending retries and dead
    /// ones), dead first, then newest first.
    public func troubled(limit: Int = 200) async throws -> [NotificationMessage] {
        try await database.read { sql in
            try await sql.select().column(SQLRaw(Self.columns)).from("notification_messages")
                .where { $0.where("state", .equal, SQLBind(MessageState.dead.rawValue))
                    .orWhere { $0.where("state", .equal, SQLBind(MessageState.pending.rawValue)).where("attempts", .greaterThan, SQLBind(0)) } }
                .orderBy("state").orderBy("id", .descending).limit(limit).all().map(Self.message)
        }
    }

    /// The message with this id.
    public func message(_ id: Int64) async throws -> NotificationMessage? {
        try await database.read { sql in
            try await sql.select().column(SQLRaw(Self.columns)).from("notification_messages").where("id", .equal, SQLBind(id)).first().map(Self.message)
        }
    }

    /// A recipient's messages, newest first.
    public func messages(recipient: String, limit: Int) async throws -> [NotificationMessage] {
        try await database.read { sql in
            try await sql.select().column(SQLRaw(Self.columns)).from("notification_messages").where("recipient", .equal, SQLBind(recipient))
                .orderBy("id", .descending).limit(limit).all().map(Self.message)
        }
    }

    /// The messages made from one event.
    public func messages(eventID: Int64) async throws -> [NotificationMessage] {
        try await database.read { sql in
            try await sql.select().column(SQLRaw(Self.columns)).from("notification_messages").where("event_id", .equal, SQLBind(eventID))
                .orderBy("id").all().map(Self.message)
        }
    }

    /// Puts a dead or failing message back in line for an attempt now, with a fresh count of
    /// attempts, and runs `also` (the audit line) in the same transaction. False if it was sent
    /// already (or does not exist).
    public func retry(_ id: Int64, now: Int64, also: (@Sendable (any SQLDatabase, NotificationMessage) async throws -> Void)? = nil) async throws -> Bool {
        try await database.transaction { sql in
            // As it was before, for the audit line.
            guard let before = try await sql.select().column(SQLRaw(Self.columns)).from("notification_messages")
                .where("id", .equal, SQLBind(id)).first().map(Self.message) else { return false }
            guard try await sql.update("notification_messages").set("state", to: SQLBind(MessageState.pending.rawValue))
                .set("attempts", to: SQLBind(0)).set("next_attempt_at", to: SQLBind(now)).set("lease_until", to: SQLLiteral.null)
                .where("id", .equal, SQLBind(id)).where("state", .notEqual, SQLBind(MessageState.sent.rawValue))
                .returning("id").first() != nil else { return false }
            try await also?(sql, before)
            return true
        }
    }

    /// A message that failed, with what its event was about.
    public struct Troubled: Sendable, Equatable {
        public var message: NotificationMessage
        /// The event's topic and aggregate (an order's public id), if the event is still kept.
        public var topic: String?
        public var aggregateID: String?
    }

    /// ``troubled(limit:)`` with each message's event topic and aggregate.
    public func troubledWithEvents(limit: Int = 200) async throws -> [Troubled] {
        let messages = try await troubled(limit: limit)
        let events = try await database.read { sql in try await Outbox.events(messages.map(\.eventID), in: sql) }
        return messages.map { Troubled(message: $0, topic: events[$0.eventID]?.topic, aggregateID: events[$0.eventID]?.aggregateID) }
    }

    /// When the oldest message or event not yet delivered was written, if any.
    func oldestUndelivered() async throws -> Int64? {
        try await database.read { sql in
            let message = try await sql.select().column(SQLFunction("MIN", args: SQLColumn("created_at")), as: "oldest").from("notification_messages")
                .where("state", .equal, SQLBind(MessageState.pending.rawValue)).first()?.decode(column: "oldest", as: Int64?.self)
            let event = try await Outbox.oldestUndispatched(in: sql)
            return [message, event].compactMap { $0 }.min()
        }
    }

    /// Counts of messages per channel and state.
    public func counts() async throws -> [Channel: [MessageState: Int]] {
        try await database.read { sql in
            var counts: [Channel: [MessageState: Int]] = [:]
            for row in try await sql.select().column("channel").column("state").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
                .from("notification_messages").groupBy("channel").groupBy("state").all() {
                guard let channel = Channel(rawValue: try row.decode(column: "channel", as: String.self)),
                      let state = MessageState(rawValue: try row.decode(column: "state", as: String.self)) else { continue }
                counts[channel, default: [:]][state] = try row.decode(column: "n", as: Int.self)
            }
            return counts
        }
    }

    static let columns = "id, event_id, channel, recipient, kind, state, attempts, next_attempt_at, last_error, created_at, sent_at"

    static func message(_ row: any SQLRow) throws -> NotificationMessage {
        NotificationMessage(
            id: try row.decode(column: "id", as: Int64.self), eventID: try row.decode(column: "event_id", as: Int64.self),
            channel: Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .email,
            recipient: try row.decode(column: "recipient", as: String.self), kind: try row.decode(column: "kind", as: String.self),
            state: MessageState(rawValue: try row.decode(column: "state", as: String.self)) ?? .pending,
            attempts: try row.decode(column: "attempts", as: Int.self), nextAttemptAt: try row.decode(column: "next_attempt_at", as: Int64.self),
            lastError: try row.decode(column: "last_error", as: String?.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
            sentAt: try row.decode(column: "sent_at", as: Int64?.self)
        )
    }
}
