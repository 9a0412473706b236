import SQLKit
import Storage

/// The promotions module's tables: offers (with the products and aisles each takes), vouchers,
/// their redemptions, and a version other instances watch to reread offers.
public enum PromotionsMigrations {
    /// The promotions migrations, in order.
    public static let all: [Migration] = [
        Migration(id: "0100_promotions") { sql, _ in
            try await sql.create(table: "offers")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("public_id", type: .text, .notNull, .unique)
                .column("label", type: .text, .notNull)
                // multi_buy (buy, pay), bundle (buy = count, amount = price), percent_off
                // (percent), amount_off (amount), meal_deal (amount = price).
                .column("kind", type: .text, .notNull)
                .column("buy", type: .int, .notNull, .default(0))
                .column("pay", type: .int, .notNull, .default(0))
                .column("percent", type: .int, .notNull, .default(0))
                .column("amount_minor", type: .bigint, .notNull, .default(0))
                .column("starts_at", type: .bigint, .notNull)
                .column("ends_at", type: .bigint, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .column("created_by", type: .text, .notNull)
                .run()
            try await sql.create(index: "offers_ends_at").on("offers").column("ends_at").run()
            // What an offer takes: a product (by public id) or a whole aisle (by slug), in a group
            // (a meal deal's course; 0 for every other kind).
            try await sql.create(table: "offer_targets")
                .column("offer_id", type: .bigint, .notNull, .references("offers", "id", onDelete: .cascade))
                .column("group_index", type: .int, .notNull)
                .column("product_id", type: .text)
                .column("aisle_slug", type: .text)
                .run()
            try await sql.create(index: "offer_targets_offer").on("offer_targets").column("offer_id").run()
            try await sql.create(table: "vouchers")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("code", type: .text, .notNull, .unique)
                .column("label", type: .text, .notNull)
                .column("kind", type: .text, .notNull)
                .column("percent", type: .int, .notNull, .default(0))
                .column("amount_minor", type: .bigint, .notNull, .default(0))
                .column("minimum_spend_minor", type: .bigint, .notNull)
                .column("starts_at", type: .bigint, .notNull)
                .column("ends_at", type: .bigint, .notNull)
                // NULL: no limit. `used` only grows through a conditional update
                // (`maximum_uses IS NULL OR used < maximum_uses`): that is what holds the limit.
                .column("maximum_uses", type: .int)
                .column("uses_per_customer", type: .int)
                .column("used", type: .int, .notNull, .default(0), .check(SQLRaw("used >= 0")))
                .column("created_at", type: .bigint, .notNull)
                .column("created_by", type: .text, .notNull)
                .run()
            try await sql.create(table: "voucher_redemptions")
                .column("voucher_id", type: .bigint, .notNull, .references("vouchers", "id"))
                .column("customer_id", type: .bigint, .notNull)
                .column("order_id", type: .text, .notNull, .unique)
                .column("redeemed_at", type: .bigint, .notNull)
                .run()
            try await sql.create(index: "voucher_redemptions_customer").on("voucher_redemptions").column("voucher_id").column("customer_id").run()
            try await sql.create(table: "promotions_version")
                .column("id", type: .int, .primaryKey(autoIncrement: false))
                .column("version", type: .bigint, .notNull)
                .run()
            try await sql.insert(into: "promotions_version").columns("id", "version").values(SQLLiteral.numeric("1"), SQLLiteral.numeric("1")).run()
        },
    ]
}
