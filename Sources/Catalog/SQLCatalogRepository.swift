import Foundation
import GoMartModels
import SQLKit
import Storage

/// The catalogue repository over SQLKit, one code path for every engine.
public struct SQLCatalogRepository: CatalogRepository {
    let database: Database

    /// Creates a repository reading and writing `database`.
    public init(database: Database) {
        self.database = database
    }

    public func aisles() async throws -> [Aisle] {
        try await database.read { sql in
            let rows = try await sql.raw("""
                SELECT a.slug, a.name, a.description, a.position,
                       (SELECT COUNT(*) FROM products p WHERE p.aisle_id = a.id AND p.on_sale = 1) AS product_count
                FROM aisles a ORDER BY a.position, a.name
                """).all()
            return try rows.map { row in
                Aisle(
                    slug: try row.decode(column: "slug", as: String.self),
                    name: try row.decode(column: "name", as: String.self),
                    description: try row.decode(column: "description", as: String.self),
                    position: try row.decode(column: "position", as: Int.self),
                    productCount: try row.decode(column: "product_count", as: Int.self)
                )
            }
        }
    }

    public func products(matching query: ProductQuery, search understood: UnderstoodSearch?, counting: Bool) async throws -> ProductPage {
        let engine = database.engine
        return try await database.read { sql in
            let terms = understood?.groups
            if query.search != nil, terms == nil {
                // A search with no letters or digits in it matches nothing.
                return ProductPage(products: [], totalCount: 0, query: query)
            }
            var total = 0
            if counting {
                let countRow = try await Self.filtered(sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "total"),
                                                       query: query, terms: terms, engine: engine).first()
                total = try countRow?.decode(column: "total", as: Int.self) ?? 0
            }
            var select = Self.filtered(Self.productColumns(sql.select()), query: query, terms: terms, engine: engine)
            select = Self.ordered(select, by: query.sort, terms: terms, engine: engine)
            let rows = try await select
                .limit(query.pageSize)
                .offset((query.page - 1) * query.pageSize)
                .all()
            let products = try rows.map(Self.product(from:))
            return ProductPage(products: products, totalCount: counting ? total : products.count, query: query)
        }
    }

    public func product(id: ProductID) async throws -> Product? {
        try await database.read { sql in
            try await Self.productColumns(sql.select())
                .from("products")
                .join("aisles", on: SQLColumn("aisle_id", table: "products"), .equal, SQLColumn("id", table: "aisles"))
                .where(SQLColumn("public_id", table: "products"), .equal, SQLBind(id.publicString))
                .where(SQLColumn("on_sale", table: "products"), .equal, SQLLiteral.numeric("1"))
                .first()
                .map(Self.product(from:))
        }
    }

    public func products(ids: [ProductID]) async throws -> [ProductID: Product] {
        guard !ids.isEmpty else { return [:] }
        let keys = Array(Set(ids.map { $0.publicString }))
        // Read fresh on every order validation and checkout: written as one string, so that it is
        // not assembled from a query builder's tree each time.
        return try await database.read { sql in
            let rows = try await sql.raw("""
                SELECT \(unsafeRaw: Self.productColumnList) FROM products JOIN aisles ON products.aisle_id = aisles.id \
                WHERE products.public_id IN (\(binds: keys)) AND products.on_sale = 1
                """).all()
            var found: [ProductID: Product] = [:]
            for row in rows {
                let product = try Self.product(from: row)
                found[product.id] = product
            }
            return found
        }
    }

    public func product(slug: String) async throws -> Product? {
        try await database.read { sql in
            try await Self.productColumns(sql.select())
                .from("products")
                .join("aisles", on: SQLColumn("aisle_id", table: "products"), .equal, SQLColumn("id", table: "aisles"))
                .where(SQLColumn("slug", table: "products"), .equal, SQLBind(slug))
                .where(SQLColumn("on_sale", table: "products"), .equal, SQLLiteral.numeric("1"))
                .first()
                .map(Self.product(from:))
        }
    }

    public func featuredProducts(limit: Int) async throws -> [Product] {
        try await database.read { sql in
            try await Self.productColumns(sql.select())
                .from("products")
                .join("aisles", on: SQLColumn("aisle_id", table: "products"), .equal, SQLColumn("id", table: "aisles"))
                .where(SQLColumn("featured", table: "products"), .equal, SQLLiteral.numeric("1"))
                .where(SQLColumn("on_sale", table: "products"), .equal, SQLLiteral.numeric("1"))
                .where(SQLColumn("stock", table: "products"), .greaterThan, SQLLiteral.numeric("0"))
                .orderBy(SQLColumn("position", table: "aisles"))
                .orderBy(SQLColumn("name", table: "products"))
                .limit(limit)
                .all()
                .map(Self.product(from:))
        }
    }

    public func brands(inAisle slug: String) async throws -> [String] {
        try await database.read { sql in
            try await sql.select()
                .distinct()
                .column(SQLColumn("brand", table: "products"))
                .from("products")
                .join("aisles", on: SQLColumn("aisle_id", table: "products"), .equal, SQLColumn("id", table: "aisles"))
                .where(SQLColumn("slug", table: "aisles"), .equal, SQLBind(slug))
                .where(SQLColumn("on_sale", table: "products"), .equal, SQLLiteral.numeric("1"))
                .orderBy(SQLColumn("brand", table: "products"))
                .all()
                .map { try $0.decode(column: "brand", as: String.self) }
        }
    }

    public func searchTexts() async throws -> [(text: String, weight: Int)] {
        try await database.read { sql in
            let rows = try await sql.select().columns("name", "brand", "keywords", "description", "times_ordered").from("products")
                .where("on_sale", .equal, SQLLiteral.numeric("1")).all()
            var texts: [(text: String, weight: Int)] = []
            texts.reserveCapacity(rows.count * 2)
            for row in rows {
                let ordered = try row.decode(column: "times_ordered", as: Int.self)
                let named = [try row.decode(column: "name", as: String.self), try row.decode(column: "brand", as: String.self),
                             try row.decode(column: "keywords", as: String.self)].joined(separator: " ")
                texts.append((named, 3 + ordered))
                texts.append((try row.decode(column: "description", as: String.self), 1))
            }
            return texts
        }
    }

    public func synonyms() async throws -> [SynonymGroup] {
        try await database.read { sql in
            try await sql.select().columns("id", "words").from("search_synonyms").orderBy("words").all().map {
                SynonymGroup(id: try $0.decode(column: "id", as: Int64.self), words: try $0.decode(column: "words", as: String.self).split(separator: " ").map(String.init))
            }
        }
    }

    public func recordOrders(_ counts: [ProductID: Int], in sql: any SQLDatabase) async throws {
        for (product, count) in counts.sorted(by: { $0.key < $1.key }) where count != 0 {
            try await sql.update("products")
                .set(SQLColumn("times_ordered"), to: SQLBinaryExpression(left: SQLColumn("times_ordered"), op: SQLBinaryOperator.add, right: SQLBind(count)))
                .where("public_id", .equal, SQLBind(product.publicString)).run()
        }
    }

    public func takeStock(_ items: [StockItem], in sql: any SQLDatabase) async throws -> StockTake {
        var shortfalls: [StockShortfall] = []
        var changedShownLevels = false
        var soldOut = 0
        let now = Date().formatted(.iso8601)
        // A fixed order (by id) keeps concurrent orders from locking rows in opposite orders.
        for item in items.sorted(by: { $0.productID < $1.productID }) {
            let key = item.productID.publicString
            let updated = try await sql.update("products")
                .set(SQLColumn("stock"), to: SQLBinaryExpression(left: SQLColumn("stock"), op: SQLBinaryOperator.subtract, right: SQLBind(item.quantity)))
                .set(SQLColumn("times_ordered"), to: SQLBinaryExpression(left: SQLColumn("times_ordered"), op: SQLBinaryOperator.add, right: SQLLiteral.numeric("1")))
                .set("updated_at", to: SQLBind(now))
                .where("public_id", .equal, SQLBind(key))
                .where("on_sale", .equal, SQLLiteral.numeric("1"))
                .where("stock", .greaterThanOrEqual, SQLBind(item.quantity))
                .returning("stock")
                .first()
            if let updated {
                let left = try updated.decode(column: "stock", as: Int.self)
                if !Product.showsSameLevel(left + item.quantity, left) { changedShownLevels = true }
                if left == 0 { soldOut += 1 }
            } else {
                let available = try await sql.select().column("stock").from("products")
                    .where("public_id", .equal, SQLBind(key)).where("on_sale", .equal, SQLLiteral.numeric("1"))
                    .first()?.decode(column: "stock", as: Int.self) ?? 0
                shortfalls.append(StockShortfall(productID: item.productID, requested: item.quantity, available: available))
            }
        }
        if shortfalls.isEmpty && changedShownLevels { try await Self.bumpVersion(sql) }
        return StockTake(shortfalls: shortfalls, changedShownLevels: shortfalls.isEmpty && changedShownLevels, soldOut: shortfalls.isEmpty ? soldOut : 0)
    }

    public func returnStock(_ items: [StockItem], in sql: any SQLDatabase) async throws -> Bool {
        let now = Date().formatted(.iso8601)
        var changedShownLevels = false
        for item in items.sorted(by: { $0.productID < $1.productID }) {
            let updated = try await sql.update("products")
                .set(SQLColumn("stock"), to: SQLBinaryExpression(left: SQLColumn("stock"), op: SQLBinaryOperator.add, right: SQLBind(item.quantity)))
                .set("updated_at", to: SQLBind(now))
                .where("public_id", .equal, SQLBind(item.productID.publicString))
                .returning("stock")
                .first()
            if let left = try updated?.decode(column: "stock", as: Int.self), !Product.showsSameLevel(left - item.quantity, left) {
                changedShownLevels = true
            }
        }
        if changedShownLevels { try await Self.bumpVersion(sql) }
        return changedShownLevels
    }

    public func settleStock(_ items: [StockItem], in sql: any SQLDatabase) async throws -> Bool {
        let now = Date().formatted(.iso8601)
        var changedShownLevels = false
        for item in items.sorted(by: { $0.productID < $1.productID }) {
            // One statement, so that a checkout taking stock at the same moment is not overwritten.
            let row = try await sql.raw("""
                UPDATE products SET stock = CASE WHEN stock >= \(bind: item.quantity) THEN stock - \(bind: item.quantity) ELSE 0 END, \
                updated_at = \(bind: now) WHERE public_id = \(bind: item.productID.publicString) RETURNING stock
                """).first()
            guard let after = try row?.decode(column: "stock", as: Int.self) else { continue }
            let before = after + item.quantity
            if !Product.showsSameLevel(before, after) { changedShownLevels = true }
        }
        if changedShownLevels { try await Self.bumpVersion(sql) }
        return changedShownLevels
    }

    public func catalogVersion() async throws -> Int64 {
        try await database.read { sql in
            try await sql.select().column("version").from("catalog_state").where("id", .equal, SQLBind(1))
                .first()?.decode(column: "version", as: Int64.self) ?? 0
        }
    }

    static func bumpVersion(_ sql: any SQLDatabase) async throws {
        try await sql.update("catalog_state")
            .set(SQLColumn("version"), to: SQLBinaryExpression(left: SQLColumn("version"), op: SQLBinaryOperator.add, right: SQLLiteral.numeric("1")))
            .where("id", .equal, SQLBind(1)).run()
    }

    public func hasImportedCatalogue() async throws -> Bool {
        try await database.read { sql in
            try await sql.select().column("id").from("catalog_imports").limit(1).first() != nil
        }
    }

    public func importRows(_ rows: [CatalogueRow], source: String, progress: @escaping @Sendable (_ written: Int, _ total: Int) -> Void,
                           also: (@Sendable (any SQLDatabase, CatalogueImportSummary) async throws -> Void)?) async throws -> CatalogueImportSummary {
        let now = Date().formatted(.iso8601)
        return try await database.transaction { sql in
            var aisleIDs: [String: Int64] = [:]
            let existingAisles = try await sql.select().columns("id", "slug", "position").from("aisles").all()
            var nextPosition = 0
            for row in existingAisles {
                aisleIDs[try row.decode(column: "slug", as: String.self)] = try row.decode(column: "id", as: Int64.self)
                nextPosition = max(nextPosition, try row.decode(column: "position", as: Int.self) + 1)
            }
            var aislesCreated = 0
            for row in rows where aisleIDs[row.aisleSlug] == nil {
                try await sql.insert(into: "aisles")
                    .columns("slug", "name", "description", "position")
                    .values(SQLBind(row.aisleSlug), SQLBind(row.aisleName), SQLBind(row.aisleDescription), SQLBind(nextPosition))
                    .run()
                let created = try await sql.select().column("id").from("aisles")
                    .where("slug", .equal, SQLBind(row.aisleSlug)).first()
                aisleIDs[row.aisleSlug] = try created?.decode(column: "id", as: Int64.self)
                nextPosition += 1
                aislesCreated += 1
            }
            var existingStock: [String: Int] = [:]
            for row in try await sql.select().columns("sku", "stock").from("products").all() {
                existingStock[try row.decode(column: "sku", as: String.self)] = try row.decode(column: "stock", as: Int.self)
            }
            let existingSKUs = Set(existingStock.keys)
            let timestamp = Int64(Date().timeIntervalSince1970)
            var inserted = 0
            // Upserts in plain SQL (the same in both engines), 100 products a statement: one
            // statement a product, written with the query builder, made the demo catalogue's
            // import most of a shop's first start. Rows that update the same columns go together.
            let batches = Self.importBatches(rows.filter { aisleIDs[$0.aisleSlug] != nil }, size: 100)
            var written = 0
            for (updated, batch) in batches {
                progress(written, rows.count)
                let tuples: [SQLQueryString] = batch.map { row in
                    if !existingSKUs.contains(row.sku) { inserted += 1 }
                    let food = row.food ?? .none
                    let values: [any Encodable & Sendable] = [
                        UUID().publicString, row.sku, row.slug, row.name, row.brand, aisleIDs[row.aisleSlug] ?? 0, row.price.minorUnits,
                        row.price.currency.code, row.packSize.label, row.packSize.unit.rawValue, row.packSize.totalBaseQuantity,
                        row.packSize.unitPrice(for: row.price).minorUnits, row.soldByWeight ? 1 : 0, row.stock, row.description, row.keywords,
                        row.featured ? 1 : 0, 1, now, FoodInformation.stored(food.allergens), FoodInformation.stored(food.dietary),
                        food.ingredients, food.origin, food.nutrition.stored, row.minimumAge ?? 0, row.weighing?.stored ?? "",
                        row.weighing == nil ? 5 : 5_000, row.deposit?.minorUnits ?? 0,
                    ]
                    return "(\(binds: values))"
                }
                let ids = try await sql.raw("""
                    INSERT INTO products (public_id, sku, slug, name, brand, aisle_id, price_minor, currency, pack_size, unit, pack_quantity, \
                    unit_price_minor, sold_by_weight, stock, description, keywords, featured, on_sale, updated_at, allergens, dietary, \
                    ingredients, origin, nutrition, minimum_age, weighing, low_stock_threshold, deposit_minor) VALUES \(tuples.joined(separator: ", ")) \
                    ON CONFLICT (sku) DO UPDATE SET \(unsafeRaw: updated.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")) RETURNING id, sku
                    """).all().reduce(into: [String: Int64]()) { ids, row in
                    ids[try row.decode(column: "sku", as: String.self)] = try row.decode(column: "id", as: Int64.self)
                }
                // The stock history shows what the import set.
                let adjustments: [SQLQueryString] = batch.compactMap { row in
                    let before = existingStock[row.sku] ?? 0
                    guard let productID = ids[row.sku], row.stock != before else { return nil }
                    let reason: StockReason = existingStock[row.sku] == nil ? .initial : .count
                    let values: [any Encodable & Sendable] = [productID, row.stock - before, row.stock, reason.rawValue, "imported from \(source)", "import", timestamp]
                    return "(\(binds: values))"
                }
                if !adjustments.isEmpty {
                    try await sql.raw("""
                        INSERT INTO stock_adjustments (product_id, change, stock_after, reason, note, actor, created_at) \
                        VALUES \(adjustments.joined(separator: ", "))
                        """).run()
                }
                written += batch.count
            }
            progress(rows.count, rows.count)
            try await Self.bumpVersion(sql)
            try await sql.insert(into: "catalog_imports")
                .columns("source", "product_count", "imported_at")
                .values(SQLBind(source), SQLBind(rows.count), SQLBind(now))
                .run()
            let summary = CatalogueImportSummary(productsInserted: inserted, productsUpdated: rows.count - inserted, aislesCreated: aislesCreated)
            try await also?(sql, summary)
            return summary
        }
    }

    /// The columns an import's upsert of `row` sets on an existing product: a file without food
    /// columns (or without `minimum_age` or `deposit`) leaves those as they are.
    static func importUpdatedColumns(_ row: CatalogueRow) -> [String] {
        var updated = ["slug", "name", "brand", "aisle_id", "price_minor", "currency", "pack_size", "unit", "pack_quantity",
                       "unit_price_minor", "sold_by_weight", "stock", "description", "keywords", "featured", "on_sale", "updated_at", "weighing"]
        if row.food != nil { updated += ["allergens", "dietary", "ingredients", "origin", "nutrition"] }
        if row.minimumAge != nil { updated.append("minimum_age") }
        if row.deposit != nil { updated.append("deposit_minor") }
        return updated
    }

    /// `rows` in order, cut into batches of at most `size` whose rows set the same columns, each
    /// with those columns.
    static func importBatches(_ rows: [CatalogueRow], size: Int) -> [(updated: [String], rows: [CatalogueRow])] {
        var batches: [(updated: [String], rows: [CatalogueRow])] = []
        for row in rows {
            let updated = importUpdatedColumns(row)
            if let last = batches.last, last.rows.count < size, last.updated == updated {
                batches[batches.count - 1].rows.append(row)
            } else {
                batches.append((updated, [row]))
            }
        }
        return batches
    }

    // MARK: - Query building

    /// The columns ``product(from:)`` reads, as SQL text: one list for the builder and fixed queries.
    static let productColumnList = """
        products.public_id, products.sku, products.slug, products.name, products.brand, aisles.slug AS aisle_slug, \
        aisles.name AS aisle_name, products.price_minor, products.currency, products.pack_size, products.unit, \
        products.unit_price_minor, products.sold_by_weight, products.stock, products.description, products.featured, products.image, \
        products.allergens, products.dietary, products.ingredients, products.origin, products.nutrition, products.minimum_age, \
        products.weighing, products.deposit_minor
        """

    static func productColumns(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
        select.column(SQLRaw(productColumnList))
    }

    static func filtered(_ select: SQLSelectBuilder, query: ProductQuery, terms: [[FullTextIndex.Term]]?, engine: SQLEngine) -> SQLSelectBuilder {
        var select = select
            .from("products")
            .join("aisles", on: SQLColumn("aisle_id", table: "products"), .equal, SQLColumn("id", table: "aisles"))
            .where(SQLColumn("on_sale", table: "products"), .equal, SQLLiteral.numeric("1"))
        if let terms {
            select = CatalogMigrations.productSearchIndex.restrict(select, to: terms, engine: engine)
        }
        if let aisle = query.aisleSlug {
            select = select.where(SQLColumn("slug", table: "aisles"), .equal, SQLBind(aisle))
        }
        if !query.brands.isEmpty {
            select = select.where(SQLColumn("brand", table: "products"), .in, SQLBind.group(query.brands))
        }
        if query.inStockOnly {
            select = select.where(SQLColumn("stock", table: "products"), .greaterThan, SQLLiteral.numeric("0"))
        }
        if !query.freeFrom.isEmpty {
            // Declared food only: goods with no label are not "free from" anything.
            select = select.where(SQLRaw("(products.allergens <> '' OR products.dietary <> '' OR products.ingredients <> '' OR products.nutrition <> '')"))
            for allergen in query.freeFrom {
                select = select.where(SQLColumn("allergens", table: "products"), .notLike, SQLBind("%,\(allergen.rawValue),%"))
            }
        }
        for diet in query.diets {
            select = select.where(SQLColumn("dietary", table: "products"), .like, SQLBind("%,\(diet.rawValue),%"))
        }
        return select
    }

    static func ordered(_ select: SQLSelectBuilder, by sort: ProductSort, terms: [[FullTextIndex.Term]]?, engine: SQLEngine) -> SQLSelectBuilder {
        let name = SQLColumn("name", table: "products")
        let id = SQLColumn("id", table: "products")
        switch sort {
        case .relevance:
            if let terms {
                // The best match first; between equals, what is ordered most often.
                return select.orderBy(CatalogMigrations.productSearchIndex.rankOrdering(engine: engine, groups: terms))
                    .orderBy(SQLOrderBy(expression: SQLColumn("times_ordered", table: "products"), direction: SQLDirection.descending)).orderBy(name).orderBy(id)
            }
            return select.orderBy(name).orderBy(id)
        case .name:
            return select.orderBy(name).orderBy(id)
        case .priceAscending:
            return select.orderBy(SQLOrderBy(expression: SQLColumn("price_minor", table: "products"), direction: SQLDirection.ascending)).orderBy(name).orderBy(id)
        case .priceDescending:
            return select.orderBy(SQLOrderBy(expression: SQLColumn("price_minor", table: "products"), direction: SQLDirection.descending)).orderBy(name).orderBy(id)
        case .unitPriceAscending:
            return select.orderBy(SQLColumn("unit", table: "products"))
                .orderBy(SQLColumn("unit_price_minor", table: "products")).orderBy(name).orderBy(id)
        }
    }

    static func product(from row: any SQLRow) throws -> Product {
        let currencyCode = try row.decode(column: "currency", as: String.self)
        let unitText = try row.decode(column: "unit", as: String.self)
        let publicID = try row.decode(column: "public_id", as: String.self)
        guard let currency = Currency(code: currencyCode), let unit = MeasureUnit(rawValue: unitText),
              let id = ProductID(publicString: publicID)
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Malformed product row \(publicID)"))
        }
        return Product(
            id: id,
            sku: try row.decode(column: "sku", as: String.self),
            slug: try row.decode(column: "slug", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            brand: try row.decode(column: "brand", as: String.self),
            aisleSlug: try row.decode(column: "aisle_slug", as: String.self),
            aisleName: try row.decode(column: "aisle_name", as: String.self),
            price: Money(minorUnits: try row.decode(column: "price_minor", as: Int64.self), currency: currency),
            packSize: try row.decode(column: "pack_size", as: String.self),
            unit: unit,
            unitPrice: Money(minorUnits: try row.decode(column: "unit_price_minor", as: Int64.self), currency: currency),
            soldByWeight: try row.decode(column: "sold_by_weight", as: Int.self) != 0,
            stock: try row.decode(column: "stock", as: Int.self),
            description: try row.decode(column: "description", as: String.self),
            featured: try row.decode(column: "featured", as: Int.self) != 0,
            image: try row.decode(column: "image", as: String?.self),
            food: FoodInformation(
                allergens: FoodInformation.codes(try row.decode(column: "allergens", as: String.self), as: Allergen.self),
                dietary: FoodInformation.codes(try row.decode(column: "dietary", as: String.self), as: DietaryLabel.self),
                ingredients: try row.decode(column: "ingredients", as: String.self),
                origin: try row.decode(column: "origin", as: String.self),
                nutrition: Nutrition(stored: try row.decode(column: "nutrition", as: String.self))
            ),
            minimumAge: try row.decode(column: "minimum_age", as: Int.self),
            weighing: Weighing(stored: try row.decode(column: "weighing", as: String.self)),
            deposit: Money(minorUnits: try row.decode(column: "deposit_minor", as: Int64.self), currency: currency)
        )
    }
}
