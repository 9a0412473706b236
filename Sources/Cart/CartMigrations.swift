import SQLKit
import Storage

/// The cart module's tables: one cart per owner, lines keyed by product.
public enum CartMigrations {
    /// The cart migrations, in order.
    public static let all: [Migration] = [
        Migration(id: "0020_cart_carts") { sql, _ in
            try await sql.create(table: "carts")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("owner_key", type: .text, .notNull, .unique)
                .column("updated_at", type: .bigint, .notNull)
                .run()
            try await sql.create(table: "cart_lines")
                .column("cart_id", type: .bigint, .notNull, .references("carts", "id", onDelete: .cascade))
                .column("product_id", type: .text, .notNull)
                .column("quantity", type: .int, .notNull, .check(SQLRaw("quantity > 0")))
                .column("price_when_added_minor", type: .bigint, .notNull)
                .column("added_at", type: .bigint, .notNull)
                .column("sequence", type: .bigint, .notNull)
                .primaryKey("cart_id", "product_id")
                .run()
        },
        // A line of a product sold by weight counts grams (`g`); every other line counts items.
        Migration(id: "0021_cart_line_units") { sql, _ in
            try await sql.alter(table: "cart_lines").column("unit", type: .text, .notNull, .default("each")).run()
        },
        // What the shopper wants when the product is not on the shelf: `none`, `any` (any similar
        // product) or a product's public id.
        Migration(id: "0022_cart_line_substitutes") { sql, _ in
            try await sql.alter(table: "cart_lines").column("substitute", type: .text, .notNull, .default("any")).run()
        },
        // The voucher code the shopper entered (checked again whenever the cart is priced).
        Migration(id: "0023_cart_vouchers") { sql, _ in
            try await sql.alter(table: "carts").column("voucher_code", type: .text).run()
        },
    ]
}
