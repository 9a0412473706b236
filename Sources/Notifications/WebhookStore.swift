import Foundation
import Security
import SQLKit
import Storage

/// The notifications module's endpoints table, `webhook_endpoints`, and its SQL.
public struct WebhookStore: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public static let migrations: [Migration] = [
        Migration(id: "0081_notifications_webhooks") { sql, _ in
            try await sql.create(table: "webhook_endpoints")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("url", type: .text, .notNull)
                .column("secret_sealed", type: .text, .notNull)
                .column("event_types", type: .text, .notNull)
                .column("enabled", type: .int, .notNull)
                .column("consecutive_failures", type: .int, .notNull, .default(0))
                .column("disabled_reason", type: .text)
                .column("created_at", type: .bigint, .notNull)
                .run()
            // Each endpoint's delivery log reads its messages by recipient.
            try await sql.create(index: "notification_messages_recipient_idx").on("notification_messages").column("recipient").column("id").run()
        },
    ]

    static let columns = "id, url, event_types, enabled, consecutive_failures, disabled_reason, created_at"

    static func endpoint(_ row: any SQLRow) throws -> WebhookEndpoint {
        WebhookEndpoint(
            id: try row.decode(column: "id", as: Int64.self), url: try row.decode(column: "url", as: String.self),
            eventTypes: try row.decode(column: "event_types", as: String.self).split(separator: ",").map(String.init),
            enabled: try row.decode(column: "enabled", as: Int.self) != 0, consecutiveFailures: try row.decode(column: "consecutive_failures", as: Int.self),
            disabledReason: try row.decode(column: "disabled_reason", as: String?.self), createdAt: try row.decode(column: "created_at", as: Int64.self)
        )
    }

    func insert(url: String, eventTypes: [String], secretSealed: String, now: Int64) async throws -> Int64 {
        try await database.transaction { sql in
            try await sql.insert(into: "webhook_endpoints").columns("url", "secret_sealed", "event_types", "enabled", "created_at")
                .values(SQLBind(url), SQLBind(secretSealed), SQLBind(eventTypes.joined(separator: ",")), SQLBind(1), SQLBind(now))
                .returning("id").first()!.decode(column: "id", as: Int64.self)
        }
    }

    public func all() async throws -> [WebhookEndpoint] {
        try await database.read { sql in
            try await sql.select().column(SQLRaw(Self.columns)).from("webhook_endpoints").orderBy("id").all().map(Self.endpoint)
        }
    }

    /// An endpoint with its sealed secret.
    func endpoint(_ id: Int64) async throws -> (endpoint: WebhookEndpoint, secretSealed: String)? {
        try await database.read { sql in
            guard let row = try await sql.select().column(SQLRaw(Self.columns + ", secret_sealed")).from("webhook_endpoints")
                .where("id", .equal, SQLBind(id)).first() else { return nil }
            return (try Self.endpoint(row), try row.decode(column: "secret_sealed", as: String.self))
        }
    }

    /// Turns an endpoint on (with a clean slate) or off, with a reason.
    func setEnabled(_ id: Int64, _ enabled: Bool, reason: String?) async throws -> Bool {
        try await database.transaction { sql in
            try await sql.update("webhook_endpoints").set("enabled", to: SQLBind(enabled ? 1 : 0)).set("consecutive_failures", to: SQLBind(0))
                .set("disabled_reason", to: enabled ? SQLBind(String?.none) : SQLBind(reason))
                .where("id", .equal, SQLBind(id)).returning("id").first() != nil
        }
    }

    /// Counts a delivery's outcome; after `disableAfter` failures in a row the endpoint is turned
    /// off and `onDisabled` runs in the same transaction (the owner's e-mail). True when this
    /// failure turned it off.
    func record(_ id: Int64, succeeded: Bool, disableAfter: Int, now: Int64,
                onDisabled: @escaping @Sendable (any SQLDatabase) async throws -> Void) async throws -> Bool {
        try await database.transaction { sql in
            if succeeded {
                try await sql.update("webhook_endpoints").set("consecutive_failures", to: SQLBind(0)).where("id", .equal, SQLBind(id)).run()
                return false
            }
            guard let row = try await sql.update("webhook_endpoints").set("consecutive_failures", to: SQLRaw("consecutive_failures + 1"))
                .where("id", .equal, SQLBind(id)).returning("consecutive_failures", "enabled").first() else { return false }
            guard try row.decode(column: "enabled", as: Int.self) != 0, try row.decode(column: "consecutive_failures", as: Int.self) >= disableAfter else { return false }
            try await sql.update("webhook_endpoints").set("enabled", to: SQLBind(0))
                .set("disabled_reason", to: SQLBind("turned off after \(disableAfter) failed deliveries in a row"))
                .where("id", .equal, SQLBind(id)).run()
            try await onDisabled(sql)
            return true
        }
    }
}

/// The webhook channel of the notifications worker: endpoints, the sender, and the rule that
/// turns an endpoint off after `disableAfter` failed deliveries in a row (its owners are told).
public struct WebhookChannel: Sendable {
    /// The outbox topic of "an endpoint was turned off", e-mailed to the shop's owners.
    public static let disabledTopic = "webhook_disabled"

    let store: WebhookStore
    let sender: WebhookSender
    let vault: PersonalDataVault
    let disableAfter: Int

    public init(store: WebhookStore, sender: WebhookSender, vault: PersonalDataVault, disableAfter: Int = 15) {
        self.store = store
        self.sender = sender
        self.vault = vault
        self.disableAfter = disableAfter
    }

    /// Posts one delivery. The body is the event's type, time and data (ids, number, status and
    /// amounts: never personal data); `webhook-id` is the message's, the same on every attempt.
    func deliver(_ message: NotificationMessage, event: Outbox.Event, now: Date) async throws {
        guard message.recipient.hasPrefix("endpoint:"), let id = Int64(message.recipient.dropFirst("endpoint:".count)),
              let (endpoint, sealed) = try await store.endpoint(id) else { throw Undeliverable("the endpoint was removed") }
        guard endpoint.enabled else { throw WebhookError("the endpoint is turned off") }
        let timestamp = Int64(now.timeIntervalSince1970)
        do {
            try await sender.post(url: endpoint.url, secret: try vault.open(sealed), id: "msg_\(message.id)", timestamp: timestamp,
                                  body: Self.body(message.kind, event: event))
            _ = try await store.record(id, succeeded: true, disableAfter: disableAfter, now: timestamp) { _ in }
        } catch {
            let (url, limit) = (endpoint.url, disableAfter)
            _ = try await store.record(id, succeeded: false, disableAfter: disableAfter, now: timestamp) { sql in
                try await Outbox.append(topic: Self.disabledTopic, aggregateID: String(id), payload: ["url": url, "failures": String(limit)],
                                        now: timestamp, in: sql)
            }
            throw error
        }
    }

    /// `{"type": "order.paid", "timestamp": "…Z", "data": {…}}`, keys sorted.
    static func body(_ type: String, event: Outbox.Event) throws -> String {
        var data: [String: Any] = [:]
        for key in ["order_id", "number", "status", "reason", "currency"] { if let value = event.payload[key] { data[key] = value } }
        for key in ["total_minor", "refund_minor", "lines"] { if let value = event.payload[key].flatMap(Int64.init) { data[key] = value } }
        let time = Date(timeIntervalSince1970: TimeInterval(event.createdAt)).formatted(.iso8601)
        let object: [String: Any] = ["type": type, "timestamp": time, "data": data]
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }
}
