import SQLKit
import Storage

/// The catalogue's tables: aisles, products (with a full-text index) and the import log.
public enum CatalogMigrations {
    /// The full-text index used by product search: name counts most, then brand, keywords, description.
    static let productSearchIndex = FullTextIndex(
        table: "products",
        columns: [("name", 10), ("brand", 5), ("keywords", 3), ("description", 1)]
    )

    /// The catalogue's migrations, in order.
    public static let all: [Migration] = [
        Migration(id: "0001_catalog_aisles") { sql, _ in
            try await sql.create(table: "aisles")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("slug", type: .text, .notNull, .unique)
                .column("name", type: .text, .notNull)
                .column("description", type: .text, .notNull)
                .column("position", type: .int, .notNull)
                .run()
        },
        Migration(id: "0002_catalog_products") { sql, _ in
            try await sql.create(table: "products")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("public_id", type: .text, .notNull, .unique)
                .column("sku", type: .text, .notNull, .unique)
                .column("slug", type: .text, .notNull, .unique)
                .column("name", type: .text, .notNull)
                .column("brand", type: .text, .notNull)
                .column("aisle_id", type: .bigint, .notNull, .references("aisles", "id"))
                .column("price_minor", type: .bigint, .notNull, .check(SQLRaw("price_minor > 0")))
                .column("currency", type: .text, .notNull)
                .column("pack_size", type: .text, .notNull)
                .column("unit", type: .text, .notNull)
                .column("pack_quantity", type: .bigint, .notNull)
                .column("unit_price_minor", type: .bigint, .notNull)
                .column("sold_by_weight", type: .int, .notNull)
                .column("stock", type: .int, .notNull, .check(SQLRaw("stock >= 0")))
                .column("description", type: .text, .notNull)
                .column("keywords", type: .text, .notNull)
                .column("featured", type: .int, .notNull)
                .column("on_sale", type: .int, .notNull, .default(1))
                .column("updated_at", type: .text, .notNull)
                .run()
            try await sql.create(index: "products_aisle_name_idx").on("products").column("aisle_id").column("name").run()
            try await sql.create(index: "products_price_idx").on("products").column("price_minor").run()
            try await sql.create(index: "products_brand_idx").on("products").column("brand").run()
        },
        Migration(id: "0003_catalog_product_search") { sql, engine in
            for statement in productSearchIndex.createStatements(engine: engine) {
                try await sql.raw(SQLQueryString(statement)).run()
            }
        },
        Migration(id: "0004_catalog_imports") { sql, _ in
            try await sql.create(table: "catalog_imports")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("source", type: .text, .notNull)
                .column("product_count", type: .int, .notNull)
                .column("imported_at", type: .text, .notNull)
                .run()
        },
        Migration(id: "0005_catalog_version") { sql, _ in
            // One counter that every catalogue write bumps, so that each instance can tell in
            // one cheap read whether its cache is stale.
            try await sql.create(table: "catalog_state")
                .column("id", type: .int, .primaryKey(autoIncrement: false))
                .column("version", type: .bigint, .notNull)
                .run()
            try await sql.insert(into: "catalog_state").columns("id", "version").values(SQLBind(1), SQLBind(Int64(0))).run()
        },
            Migration(id: "0006_catalog_stock_history") { sql, _ in
            try await sql.alter(table: "products").column("low_stock_threshold", type: .int, .notNull, .default(5)).run()
            try await sql.create(table: "stock_adjustments")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("product_id", type: .bigint, .notNull, .references("products", "id"))
                .column("change", type: .int, .notNull)
                .column("stock_after", type: .int, .notNull)
                .column("reason", type: .text, .notNull)
                .column("note", type: .text, .notNull)
                .column("actor", type: .text, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
            try await sql.create(index: "stock_adjustments_product_idx").on("stock_adjustments").column("product_id").column("id").run()
        },
            Migration(id: "0007_catalog_product_images") { sql, _ in
            try await sql.alter(table: "products").column("image", type: .text).run()
        },
        // Food information (allergens and dietary labels as ",code,code," for filters) and the
        // minimum age to buy; one column per statement, as SQLite alters tables.
        Migration(id: "0008_catalog_food_information") { sql, _ in
            for column in ["allergens", "dietary", "ingredients", "origin", "nutrition"] {
                try await sql.alter(table: "products").column(column, type: .text, .notNull, .default("")).run()
            }
            try await sql.alter(table: "products").column("minimum_age", type: .int, .notNull, .default(0)).run()
        },
            // Loose goods: how they are bought and weighed ("weight:step:min:max:tolerance" or
        // "count:average:tolerance"), and their stock in grams rather than kilograms.
        Migration(id: "0009_catalog_weighing") { sql, _ in
            try await sql.alter(table: "products").column("weighing", type: .text, .notNull, .default("")).run()
            try await sql.update("products").set("weighing", to: SQLBind(Weighing.byWeight.stored))
                .set(SQLColumn("stock"), to: SQLRaw("stock * 1000")).set(SQLColumn("low_stock_threshold"), to: SQLRaw("low_stock_threshold * 1000"))
                .where("sold_by_weight", .equal, SQLBind(1)).run()
        },
            // The returnable deposit on one pack's containers (bottles and cans), in minor units.
        Migration(id: "0010_catalog_deposits") { sql, _ in
            try await sql.alter(table: "products").column("deposit_minor", type: .bigint, .notNull, .default(0)).run()
        },
        // Search: how many orders took each product (popularity breaks ties between equally good
        // matches and weighs spelling corrections), and the shop's synonyms, one group of words
        // meaning the same per row ("courgette zucchini"), starting with the defaults.
        Migration(id: "0011_catalog_search") { sql, _ in
            try await sql.alter(table: "products").column("times_ordered", type: .bigint, .notNull, .default(0)).run()
            try await sql.create(table: "search_synonyms")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("words", type: .text, .notNull, .unique)
                .run()
            for group in SearchVocabulary.defaultSynonyms {
                try await sql.insert(into: "search_synonyms").columns("words").values(SQLBind(group.joined(separator: " "))).run()
            }
        },
    ]
}
