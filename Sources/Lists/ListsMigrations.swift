import SQLKit
import Storage

/// The lists module's tables: each customer's favourites, named shopping lists and their items,
/// and the back-in-stock alerts they asked for.
public enum ListsMigrations {
    /// The lists migrations, in order.
    public static let all: [Migration] = [
        Migration(id: "0110_lists") { sql, _ in
            try await sql.create(table: "favourites")
                .column("customer_id", type: .bigint, .notNull)
                .column("product_id", type: .text, .notNull)
                // The order they were saved in (newest last).
                .column("position", type: .bigint, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .primaryKey("customer_id", "product_id")
                .run()
            try await sql.create(table: "shopping_lists")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("public_id", type: .text, .notNull, .unique)
                .column("customer_id", type: .bigint, .notNull)
                .column("name", type: .text, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .column("updated_at", type: .bigint, .notNull)
                .run()
            try await sql.create(index: "shopping_lists_customer").on("shopping_lists").column("customer_id").run()
            try await sql.create(table: "shopping_list_items")
                .column("list_id", type: .bigint, .notNull, .references("shopping_lists", "id", onDelete: .cascade))
                .column("product_id", type: .text, .notNull)
                .column("quantity", type: .int, .notNull, .check(SQLRaw("quantity > 0")))
                // The order products were put on the list.
                .column("position", type: .int, .notNull)
                .column("added_at", type: .bigint, .notNull)
                .primaryKey("list_id", "product_id")
                .run()
            // A shopper's request to hear when a product is back; `notified_at` is set (once) by
            // the worker that tells them, in the transaction that queues the message.
            try await sql.create(table: "stock_alerts")
                .column("customer_id", type: .bigint, .notNull)
                .column("product_id", type: .text, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .column("notified_at", type: .bigint)
                .primaryKey("customer_id", "product_id")
                .run()
            try await sql.create(index: "stock_alerts_pending").on("stock_alerts").column("notified_at").column("product_id").run()
        },
    ]
}
