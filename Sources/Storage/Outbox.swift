import Foundation
import SQLKit

/// The transactional outbox: what happened, written in the same transaction as the change
/// itself, and delivered afterwards by the notifications worker.
///
/// Modules append events (`order_paid`, `password_reset` …) with ``append(topic:aggregateID:payload:now:in:)``
/// inside the transaction that makes the change, so an event exists exactly when its change
/// committed. The notifications module reads undispatched events, turns each into messages in
/// its own table and marks the event dispatched, in one transaction.
public enum Outbox {
    /// The outbox table, owned by the storage module (every module appends to it).
    public static let migrations: [Migration] = [
        Migration(id: "0032_checkout_outbox") { sql, _ in
            try await sql.create(table: "outbox")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("topic", type: .text, .notNull)
                .column("aggregate_id", type: .text, .notNull)
                .column("payload", type: .text, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .column("delivered_at", type: .bigint)
                .run()
            try await sql.create(index: "outbox_undelivered_idx").on("outbox").column("delivered_at").column("id").run()
        },
    ]

    /// An event as stored.
    public struct Event: Sendable, Equatable {
        public var id: Int64
        public var topic: String
        /// The id of what it is about, e.g. an order's public id.
        public var aggregateID: String
        public var payload: [String: String]
        public var createdAt: Int64
    }

    /// Appends an event inside the caller's transaction `sql`.
    public static func append(topic: String, aggregateID: String, payload: [String: String], now: Int64, in sql: any SQLDatabase) async throws {
        let data = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])
        try await sql.insert(into: "outbox").columns("topic", "aggregate_id", "payload", "created_at")
            .values(SQLBind(topic), SQLBind(aggregateID), SQLBind(String(decoding: data, as: UTF8.self)), SQLBind(now))
            .run()
    }

    /// Up to `limit` undispatched events, oldest first.
    public static func undispatched(limit: Int, in sql: any SQLDatabase) async throws -> [Event] {
        try await sql.select().columns("id", "topic", "aggregate_id", "payload", "created_at").from("outbox")
            .where("delivered_at", .is, SQLLiteral.null).orderBy("id").limit(limit).all().map(event)
    }

    /// Marks events dispatched, inside the caller's transaction.
    public static func markDispatched(_ ids: [Int64], now: Int64, in sql: any SQLDatabase) async throws {
        guard !ids.isEmpty else { return }
        try await sql.update("outbox").set("delivered_at", to: SQLBind(now)).where("id", .in, SQLBind.group(ids))
            .where("delivered_at", .is, SQLLiteral.null).run()
    }

    /// When the oldest undispatched event was written, if there is one.
    public static func oldestUndispatched(in sql: any SQLDatabase) async throws -> Int64? {
        try await sql.select().column(SQLFunction("MIN", args: SQLColumn("created_at")), as: "oldest").from("outbox")
            .where("delivered_at", .is, SQLLiteral.null).first()?.decode(column: "oldest", as: Int64?.self)
    }
}

extension Outbox {
    /// The events with these ids (those still kept), by id.
    public static func events(_ ids: [Int64], in sql: any SQLDatabase) async throws -> [Int64: Event] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await sql.select().columns("id", "topic", "aggregate_id", "payload", "created_at").from("outbox")
            .where("id", .in, SQLBind.group(ids)).all()
        var events: [Int64: Event] = [:]
        for row in rows {
            let event = try Self.event(row)
            events[event.id] = event
        }
        return events
    }

    static func event(_ row: any SQLRow) throws -> Event {
        let text = try row.decode(column: "payload", as: String.self)
        let payload = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: String] ?? [:]
        return Event(id: try row.decode(column: "id", as: Int64.self), topic: try row.decode(column: "topic", as: String.self),
                     aggregateID: try row.decode(column: "aggregate_id", as: String.self), payload: payload,
                     createdAt: try row.decode(column: "created_at", as: Int64.self))
    }
}
