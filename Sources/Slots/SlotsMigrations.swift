import SQLKit
import Storage

/// The slots module's tables: places (delivery areas and collection points), weekly templates,
/// the slots generated from them, and bookings.
public enum SlotsMigrations {
    /// The slot migrations, in order.
    public static let all: [Migration] = [
        Migration(id: "0090_slots") { sql, _ in
            try await sql.create(table: "slot_places")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("code", type: .text, .notNull, .unique)
                .column("method", type: .text, .notNull)
                .column("name", type: .text, .notNull)
                .column("postcode_prefixes", type: .text, .notNull)
                .column("address", type: .text, .notNull)
                .column("active", type: .int, .notNull)
                .run()
            try await sql.create(table: "slot_templates")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("place_id", type: .bigint, .notNull, .references("slot_places", "id"))
                .column("weekday", type: .int, .notNull)
                .column("start_minute", type: .int, .notNull)
                .column("end_minute", type: .int, .notNull)
                .column("capacity", type: .int, .notNull)
                .column("price_minor", type: .bigint, .notNull)
                .column("free_from_minor", type: .bigint)
                .column("cutoff_minutes", type: .int, .notNull)
                .run()
            try await sql.create(table: "slots")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("public_id", type: .text, .notNull, .unique)
                .column("place_id", type: .bigint, .notNull, .references("slot_places", "id"))
                .column("template_id", type: .bigint)
                .column("starts_at", type: .bigint, .notNull)
                .column("ends_at", type: .bigint, .notNull)
                .column("capacity", type: .int, .notNull)
                // Places taken: held or confirmed bookings. Taking one is a conditional update
                // (`booked < capacity`), which is what keeps a slot from being overbooked.
                .column("booked", type: .int, .notNull, .default(0), .check(SQLRaw("booked >= 0")))
                .column("price_minor", type: .bigint, .notNull)
                .column("free_from_minor", type: .bigint)
                .column("cutoff_at", type: .bigint, .notNull)
                .unique("place_id", "starts_at")
                .run()
            try await sql.create(index: "slots_starts_idx").on("slots").column("starts_at").run()
            try await sql.create(table: "slot_bookings")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("public_id", type: .text, .notNull, .unique)
                .column("slot_id", type: .bigint, .notNull, .references("slots", "id"))
                .column("customer_id", type: .bigint, .notNull)
                .column("state", type: .text, .notNull)
                .column("held_until", type: .bigint, .notNull)
                .column("order_id", type: .text)
                .column("created_at", type: .bigint, .notNull)
                .column("updated_at", type: .bigint, .notNull)
                .run()
            try await sql.create(index: "slot_bookings_customer_idx").on("slot_bookings").column("customer_id").column("state").run()
            try await sql.create(index: "slot_bookings_hold_idx").on("slot_bookings").column("state").column("held_until").run()
            try await sql.create(index: "slot_bookings_order_idx").on("slot_bookings").column("order_id").run()
        },
    ]
}
