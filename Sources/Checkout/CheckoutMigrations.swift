import SQLKit
import Security
import Storage

/// The checkout module's tables: orders and their lines, idempotency keys (the outbox they write to is `Storage.Outbox`).
public enum CheckoutMigrations {
    /// The columns holding sealed personal data, for key rotation.
    public static let sealedColumns = [SealedColumn(table: "orders", column: "delivery_sealed"), SealedColumn(table: "order_notes", column: "text_sealed")]

    /// The checkout migrations, in order.
    public static let all: [Migration] = [
        Migration(id: "0030_checkout_orders") { sql, _ in
            try await sql.create(table: "orders")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("public_id", type: .text, .notNull, .unique)
                .column("number", type: .text, .notNull, .unique)
                .column("customer_id", type: .bigint, .notNull, .references("customers", "id"))
                .column("status", type: .text, .notNull)
                .column("subtotal_minor", type: .bigint, .notNull)
                .column("delivery_minor", type: .bigint, .notNull)
                .column("total_minor", type: .bigint, .notNull)
                .column("currency", type: .text, .notNull)
                .column("delivery_sealed", type: .text, .notNull)
                .column("payment_provider", type: .text)
                .column("payment_reference", type: .text)
                .column("card_brand", type: .text)
                .column("card_last4", type: .text)
                .column("failure_reason", type: .text)
                .column("created_at", type: .bigint, .notNull)
                .column("updated_at", type: .bigint, .notNull)
                .column("paid_at", type: .bigint)
                .run()
            try await sql.create(index: "orders_customer_idx").on("orders").column("customer_id").column("created_at").run()
            try await sql.create(index: "orders_status_idx").on("orders").column("status").column("created_at").run()
            try await sql.create(table: "order_lines")
                .column("order_id", type: .bigint, .notNull, .references("orders", "id", onDelete: .cascade))
                .column("line_number", type: .int, .notNull)
                .column("product_id", type: .text, .notNull)
                .column("sku", type: .text, .notNull)
                .column("name", type: .text, .notNull)
                .column("pack_size", type: .text, .notNull)
                .column("unit_price_minor", type: .bigint, .notNull)
                .column("quantity", type: .int, .notNull, .check(SQLRaw("quantity > 0")))
                .column("line_total_minor", type: .bigint, .notNull)
                .primaryKey("order_id", "line_number")
                .run()
        },
        Migration(id: "0031_checkout_idempotency_keys") { sql, _ in
            try await sql.create(table: "idempotency_keys")
                .column("customer_id", type: .bigint, .notNull)
                .column("idempotency_key", type: .text, .notNull)
                .column("fingerprint", type: .text, .notNull)
                .column("order_id", type: .bigint, .references("orders", "id"))
                .column("created_at", type: .bigint, .notNull)
                .primaryKey("customer_id", "idempotency_key")
                .run()
        },
            Migration(id: "0033_checkout_fulfilment") { sql, _ in
            // One column per statement: SQLite adds columns one at a time.
            try await sql.alter(table: "orders").column("refunded_minor", type: .bigint, .notNull, .default(0)).run()
            try await sql.alter(table: "order_lines").column("picked_quantity", type: .int).run()
            try await sql.alter(table: "order_lines").column("refunded_quantity", type: .int, .notNull, .default(0)).run()
            try await sql.create(index: "orders_paid_idx").on("orders").column("paid_at").run()
            try await sql.create(table: "order_events")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("order_id", type: .bigint, .notNull, .references("orders", "id", onDelete: .cascade))
                .column("status", type: .text, .notNull)
                .column("note", type: .text)
                .column("actor", type: .text, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
            try await sql.create(index: "order_events_order_idx").on("order_events").column("order_id").column("id").run()
            try await sql.create(table: "order_refunds")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("order_id", type: .bigint, .notNull, .references("orders", "id", onDelete: .cascade))
                .column("idempotency_key", type: .text, .notNull, .unique)
                .column("amount_minor", type: .bigint, .notNull, .check(SQLRaw("amount_minor > 0")))
                .column("reason", type: .text, .notNull)
                .column("state", type: .text, .notNull)
                .column("provider_reference", type: .text)
                .column("actor", type: .text, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .column("completed_at", type: .bigint)
                .run()
            try await sql.create(index: "order_refunds_order_idx").on("order_refunds").column("order_id").column("id").run()
            try await sql.create(index: "order_refunds_pending_idx").on("order_refunds").column("state").column("id").run()
        },
            Migration(id: "0034_checkout_sales_indexes") { sql, _ in
            // The dashboard's aggregates read only these columns: covering indexes spare a table
            // lookup per order and per line (on 100,000 orders, 190 ms became 100 ms).
            try await sql.drop(index: "orders_paid_idx").run()
            try await sql.create(index: "orders_paid_sales_idx").on("orders")
                .column("paid_at").column("status").column("total_minor").column("refunded_minor").run()
            try await sql.create(index: "order_lines_sales_idx").on("order_lines")
                .column("order_id").column("product_id").column("quantity").column("refunded_quantity").column("line_total_minor").run()
        },
            Migration(id: "0035_checkout_order_notes") { sql, _ in
            // Notes staff keep on an order (never shown to the shopper); sealed, as they may
            // mention the customer.
            try await sql.create(table: "order_notes")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("order_id", type: .bigint, .notNull, .references("orders", "id", onDelete: .cascade))
                .column("author", type: .text, .notNull)
                .column("text_sealed", type: .text, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
            try await sql.create(index: "order_notes_order_idx").on("order_notes").column("order_id").column("id").run()
        },
            Migration(id: "0036_checkout_order_slots") { sql, _ in
            // The booked slot as it was when the order was placed (the slots module keeps the
            // booking; these copies let the order's pages, messages and picking lists stand alone).
            try await sql.alter(table: "orders").column("fulfilment_method", type: .text).run()
            try await sql.alter(table: "orders").column("slot_id", type: .text).run()
            try await sql.alter(table: "orders").column("slot_place", type: .text).run()
            try await sql.alter(table: "orders").column("slot_starts_at", type: .bigint).run()
            try await sql.alter(table: "orders").column("slot_ends_at", type: .bigint).run()
            try await sql.create(index: "orders_slot_idx").on("orders").column("slot_starts_at").run()
        },
            Migration(id: "0037_checkout_authorise_then_capture") { sql, _ in
            // Payment is authorised at checkout and captured after picking, for what was picked.
            // Orders from before keep `payment_kind` empty: they were charged in full at checkout.
            try await sql.alter(table: "orders").column("payment_kind", type: .text).run()
            try await sql.alter(table: "orders").column("authorised_minor", type: .bigint, .notNull, .default(0)).run()
            try await sql.alter(table: "orders").column("authorisation_expires_at", type: .bigint).run()
            try await sql.alter(table: "orders").column("payment_method", type: .text).run()
            // pending (decided at packing, not yet confirmed by the provider), captured, failed or voided.
            try await sql.alter(table: "orders").column("capture_state", type: .text).run()
            try await sql.alter(table: "orders").column("capture_minor", type: .bigint).run()
            try await sql.alter(table: "orders").column("captured_minor", type: .bigint, .notNull, .default(0)).run()
            try await sql.alter(table: "orders").column("capture_reference", type: .text).run()
            try await sql.create(index: "orders_capture_idx").on("orders").column("capture_state").column("updated_at").run()
        },
            Migration(id: "0038_checkout_id_checks") { sql, _ in
            // Age-restricted goods: the age each line needs, and the order's ID check at the door.
            try await sql.alter(table: "order_lines").column("minimum_age", type: .int, .notNull, .default(0)).run()
            try await sql.alter(table: "orders").column("id_check_age", type: .int, .notNull, .default(0)).run()
        },
            Migration(id: "0039_checkout_order_charges") { sql, _ in
            // The shop's charges on an order besides delivery (carrier bags, a small-basket
            // charge), as priced when it was placed.
            try await sql.create(table: "order_charges")
                .column("order_id", type: .bigint, .notNull, .references("orders", "id", onDelete: .cascade))
                .column("position", type: .int, .notNull)
                .column("kind", type: .text, .notNull)
                .column("label", type: .text, .notNull)
                .column("amount_minor", type: .bigint, .notNull)
                .primaryKey("order_id", "position")
                .run()
        },
                Migration(id: "0040_checkout_weighed_lines") { sql, _ in
            // Goods sold loose: how the line was bought (`weight`: quantity in grams, `count`:
            // items), the weight it was estimated at, the weight picked, the tolerance, and the
            // estimate it was placed at (line_total_minor becomes the price of what was picked).
            try await sql.alter(table: "order_lines").column("weighing", type: .text, .notNull, .default("")).run()
            try await sql.alter(table: "order_lines").column("ordered_grams", type: .int, .notNull, .default(0)).run()
            try await sql.alter(table: "order_lines").column("picked_grams", type: .int).run()
            try await sql.alter(table: "order_lines").column("tolerance_percent", type: .int, .notNull, .default(0)).run()
            try await sql.alter(table: "order_lines").column("estimated_minor", type: .bigint, .notNull, .default(0)).run()
        },
                Migration(id: "0041_checkout_substitutes") { sql, _ in
            // What the shopper wanted if a line was not on the shelf (`none`, `any` or a product's
            // public id); for a line the picker put in instead, the line it stands in for and
            // whether the shopper accepted or rejected it (`proposed`, `accepted`, `rejected`).
            try await sql.alter(table: "order_lines").column("substitution", type: .text, .notNull, .default("none")).run()
            try await sql.alter(table: "order_lines").column("substitute_for", type: .int).run()
            try await sql.alter(table: "order_lines").column("substitute_state", type: .text).run()
        },
                Migration(id: "0042_checkout_line_deposits") { sql, _ in
            // The returnable deposit on one unit's containers, as charged when the order was placed.
            try await sql.alter(table: "order_lines").column("deposit_minor", type: .bigint, .notNull, .default(0)).run()
        },
                Migration(id: "0043_checkout_amendments") { sql, _ in
            // Orders the shopper changes until their slot's cut-off: how many times they have
            // (a change names the version it was made from), and the cut-off as booked (orders
            // placed before this keep until their slot starts).
            try await sql.alter(table: "orders").column("version", type: .int, .notNull, .default(0)).run()
            try await sql.alter(table: "orders").column("slot_cutoff_at", type: .bigint).run()
        },
        // What offers took off each line (a refunded unit gives back its price less its share),
        // and the voucher an order used. Savings are kept with the charges (kind `discount`).
        Migration(id: "0044_checkout_savings") { sql, _ in
            try await sql.alter(table: "order_lines").column("saving_minor", type: .bigint, .notNull, .default(0)).run()
            try await sql.alter(table: "orders").column("voucher_code", type: .text).run()
        },
    ]
}
