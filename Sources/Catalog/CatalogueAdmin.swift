import Foundation
import GoMartModels
import SQLKit
import Storage

/// What one change to the catalogue did, for the back office's audit line.
public struct CatalogueChange: Sendable, Hashable {
    /// What was changed, e.g. `product 3f2a…` or `aisle bakery`.
    public var subject: String
    public var before: [String: String]
    public var after: [String: String]
}

/// Work that must commit or roll back with a catalogue change: the audit line.
public typealias CatalogueAudit = @Sendable (any SQLDatabase, CatalogueChange) async throws -> Void

/// A product as the back office sees it: on sale or withdrawn, with its search words and its
/// low-stock threshold.
public struct ManagedProduct: Sendable, Hashable {
    public var product: Product
    public var onSale: Bool
    /// Search words besides the name, brand and description.
    public var keywords: String
    /// At or below this many units the product is on the low-stock list.
    public var lowStockThreshold: Int

    /// True when on sale and at or below its threshold.
    public var isLow: Bool { onSale && product.stock <= lowStockThreshold }
}

/// Why stock changed.
public enum StockReason: String, Sendable, CaseIterable, Codable {
    /// Goods arrived.
    case delivery
    /// A count of the shelf set the level.
    case count
    /// Thrown away: out of date, damaged.
    case waste
    /// Putting a mistake right.
    case correction
    /// The level the product was created or imported with.
    case initial

    /// The reason in words.
    public var label: String {
        switch self {
        case .delivery: "Delivery received"
        case .count: "Stock count"
        case .waste: "Waste or damage"
        case .correction: "Correction"
        case .initial: "Initial stock"
        }
    }
}

/// One line of a product's stock history.
public struct StockAdjustment: Sendable, Hashable {
    public var at: Date
    /// Units added (negative: removed).
    public var change: Int
    /// The level after the change.
    public var stockAfter: Int
    public var reason: StockReason
    public var note: String
    /// Who: `staff:<id>`, or `command line`.
    public var actor: String
}

/// Why a catalogue change was refused; controllers map these to 4xx answers.
public enum CatalogueAdminError: Error, Equatable, CustomStringConvertible {
    /// No such product.
    case productNotFound
    /// No such aisle.
    case aisleNotFound
    /// Fields that are not acceptable, by field name.
    case invalidFields([String: String])
    /// The change would take stock below zero.
    case stockWouldGoNegative(available: Int)
    /// The product was changed by someone else since it was read.
    case changedMeanwhile

    public var description: String {
        switch self {
        case .productNotFound: "We could not find that product."
        case .aisleNotFound: "We could not find that aisle."
        case .invalidFields(let fields): fields.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        case .stockWouldGoNegative(let available): "Only \(available) in stock: stock cannot go below zero."
        case .changedMeanwhile: "Someone else changed this meanwhile; reload and try again."
        }
    }
}

/// The catalogue as the back office edits it: products (created, edited, withdrawn and
/// reinstated), aisles, stock adjustments with their history, the low-stock list, and CSV
/// import with a preview and export. Every write bumps the catalogue version, so every
/// instance's caches drop the old values within a second. Roles are checked by the back office
/// before it calls; `audit` runs in each change's transaction.
public struct CatalogueAdmin: Sendable {
    let database: Database
    let catalog: CatalogService
    let now: @Sendable () -> Date

    /// Creates the service.
    /// The products (on sale or not) with these SKUs, by SKU (upper case); unknown SKUs are left out.
    public func productIDs(skus: [String]) async throws -> [String: ProductID] {
        let wanted = Array(Set(skus.map { $0.uppercased() })).sorted()
        guard !wanted.isEmpty else { return [:] }
        return try await database.read { sql in
            var found: [String: ProductID] = [:]
            for row in try await sql.select().columns("sku", "public_id").from("products").where("sku", .in, SQLBind.group(wanted)).all() {
                if let id = ProductID(publicString: try row.decode(column: "public_id", as: String.self)) {
                    found[try row.decode(column: "sku", as: String.self).uppercased()] = id
                }
            }
            return found
        }
    }

    public init(database: Database, catalog: CatalogService, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.catalog = catalog
        self.now = now
    }

    /// How products are chosen for the back office's list.
    public enum Showing: String, Sendable, CaseIterable {
        case onSale = "on_sale"
        case withdrawn
        case lowStock = "low_stock"
        case outOfStock = "out_of_stock"
        case all
    }

    // MARK: - Reading

    /// Up to `limit` products whose name, brand or SKU contains `text`, in `aisleSlug`, ordered
    /// by aisle and name, with the number that match.
    public func products(containing text: String = "", aisleSlug: String? = nil, showing: Showing = .all, offset: Int = 0,
                         limit: Int = 100) async throws -> (products: [ManagedProduct], total: Int) {
        let text = text.trimmingCharacters(in: .whitespaces)
        return try await database.read { sql in
            func filtered(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
                var select = select.from("products")
                    .join("aisles", on: SQLColumn("aisle_id", table: "products"), .equal, SQLColumn("id", table: "aisles"))
                if !text.isEmpty {
                    let pattern = "%" + text.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
                    select = select.where(group: { group in
                        group.where(SQLFunction("LOWER", args: SQLColumn("name", table: "products")), .like, SQLBind(pattern))
                            .orWhere(SQLFunction("LOWER", args: SQLColumn("brand", table: "products")), .like, SQLBind(pattern))
                            .orWhere(SQLFunction("LOWER", args: SQLColumn("sku", table: "products")), .like, SQLBind(pattern))
                    })
                }
                if let aisleSlug { select = select.where(SQLColumn("slug", table: "aisles"), .equal, SQLBind(aisleSlug)) }
                switch showing {
                case .onSale: select = select.where(SQLColumn("on_sale", table: "products"), .equal, SQLLiteral.numeric("1"))
                case .withdrawn: select = select.where(SQLColumn("on_sale", table: "products"), .equal, SQLLiteral.numeric("0"))
                case .lowStock:
                    select = select.where(SQLColumn("on_sale", table: "products"), .equal, SQLLiteral.numeric("1"))
                        .where(SQLColumn("stock", table: "products"), .lessThanOrEqual, SQLColumn("low_stock_threshold", table: "products"))
                case .outOfStock:
                    select = select.where(SQLColumn("on_sale", table: "products"), .equal, SQLLiteral.numeric("1"))
                        .where(SQLColumn("stock", table: "products"), .equal, SQLLiteral.numeric("0"))
                case .all: break
                }
                return select
            }
            let total = try await filtered(sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "total")).first()?
                .decode(column: "total", as: Int.self) ?? 0
            let rows = try await filtered(Self.managedColumns(sql.select()))
                .orderBy(SQLColumn("position", table: "aisles")).orderBy(SQLColumn("name", table: "products")).orderBy(SQLColumn("sku", table: "products"))
                .offset(max(offset, 0)).limit(min(max(limit, 1), 500)).all()
            return (try rows.map(Self.managed), total)
        }
    }

    /// One product, on sale or not.
    public func product(id: ProductID) async throws -> ManagedProduct {
        guard let found = try await database.read({ sql in
            try await Self.managedColumns(sql.select()).from("products")
                .join("aisles", on: SQLColumn("aisle_id", table: "products"), .equal, SQLColumn("id", table: "aisles"))
                .where(SQLColumn("public_id", table: "products"), .equal, SQLBind(id.publicString)).first().map(Self.managed)
        }) else { throw CatalogueAdminError.productNotFound }
        return found
    }

    /// The product's stock changes, newest first.
    public func stockHistory(of id: ProductID, limit: Int = 100) async throws -> [StockAdjustment] {
        try await database.read { sql in
            try await sql.select().columns("change", "stock_after", "reason", "note", "actor")
                .column(SQLColumn("created_at", table: "stock_adjustments"))
                .from("stock_adjustments")
                .join("products", on: SQLColumn("product_id", table: "stock_adjustments"), .equal, SQLColumn("id", table: "products"))
                .where(SQLColumn("public_id", table: "products"), .equal, SQLBind(id.publicString))
                .orderBy(SQLColumn("id", table: "stock_adjustments"), SQLDirection.descending).limit(limit).all()
                .map { row in
                    StockAdjustment(at: Date(timeIntervalSince1970: TimeInterval(try row.decode(column: "created_at", as: Int64.self))),
                                    change: try row.decode(column: "change", as: Int.self), stockAfter: try row.decode(column: "stock_after", as: Int.self),
                                    reason: StockReason(rawValue: try row.decode(column: "reason", as: String.self)) ?? .correction,
                                    note: try row.decode(column: "note", as: String.self), actor: try row.decode(column: "actor", as: String.self))
                }
        }
    }

    // MARK: - Products

    /// Creates a product from the catalogue file's columns (`sku`, `name`, `brand`, `aisle`,
    /// `price`, `pack_size`, `stock`, `sold_by_weight`, `description`, `keywords`, `featured`);
    /// the aisle is created when new.
    @discardableResult
    public func create(_ values: [String: String], lowStockThreshold: Int, by actor: String, audit: CatalogueAudit? = nil) async throws -> ManagedProduct {
        let row = try validated(values)
        let food = row.food ?? .none
        try Self.check(threshold: lowStockThreshold)
        let publicID = ProductID.random()
        let timestamp = Int64(now().timeIntervalSince1970)
        try await database.transaction { sql in
            guard try await sql.select().column("id").from("products").where("sku", .equal, SQLBind(row.sku)).first() == nil else {
                throw CatalogueAdminError.invalidFields(["sku": "another product has SKU \(row.sku)"])
            }
            let aisleID = try await Self.aisleID(for: row, sql: sql)
            let inserted = try await sql.insert(into: "products")
                .columns("public_id", "sku", "slug", "name", "brand", "aisle_id", "price_minor", "currency", "pack_size", "unit", "pack_quantity",
                         "unit_price_minor", "sold_by_weight", "stock", "description", "keywords", "featured", "on_sale", "updated_at", "low_stock_threshold",
                         "allergens", "dietary", "ingredients", "origin", "nutrition", "minimum_age", "weighing", "deposit_minor")
                .values(SQLBind(publicID.publicString), SQLBind(row.sku), SQLBind(row.slug), SQLBind(row.name), SQLBind(row.brand), SQLBind(aisleID),
                        SQLBind(row.price.minorUnits), SQLBind(row.price.currency.code), SQLBind(row.packSize.label), SQLBind(row.packSize.unit.rawValue),
                        SQLBind(row.packSize.totalBaseQuantity), SQLBind(row.packSize.unitPrice(for: row.price).minorUnits),
                        SQLBind(row.soldByWeight ? 1 : 0), SQLBind(row.stock), SQLBind(row.description), SQLBind(row.keywords),
                        SQLBind(row.featured ? 1 : 0), SQLBind(1), SQLBind(now().formatted(.iso8601)), SQLBind(lowStockThreshold),
                        SQLBind(FoodInformation.stored(food.allergens)), SQLBind(FoodInformation.stored(food.dietary)),
                        SQLBind(food.ingredients), SQLBind(food.origin), SQLBind(food.nutrition.stored), SQLBind(row.minimumAge ?? 0),
                        SQLBind(row.weighing?.stored ?? ""), SQLBind(row.deposit?.minorUnits ?? 0))
                .returning("id").first()
            guard let internalID = try inserted?.decode(column: "id", as: Int64.self) else { throw StorageError.closed }
            if row.stock > 0 {
                try await Self.recordAdjustment(productID: internalID, change: row.stock, stockAfter: row.stock, reason: .initial, note: "",
                                                actor: actor, now: timestamp, sql: sql)
            }
            try await SQLCatalogRepository.bumpVersion(sql)
            try await audit?(sql, CatalogueChange(subject: Self.subject(publicID), before: [:], after: Self.fields(row, threshold: lowStockThreshold)))
        }
        catalog.catalogueDidChange()
        return try await product(id: publicID)
    }

    /// Changes a product's details from the catalogue file's columns. The SKU and the stock are
    /// not changed here: stock moves only by ``adjustStock(of:by:reason:note:actor:audit:)``.
    /// Food and weighing columns not given at all keep their values (a client that knows nothing of them
    /// does not wipe them); given empty, they are cleared.
    @discardableResult
    public func update(_ id: ProductID, _ values: [String: String], lowStockThreshold: Int, audit: CatalogueAudit? = nil) async throws -> ManagedProduct {
        let current = try await product(id: id)
        var values = values
        for (column, value) in FoodInformation.columns(current.product.food, minimumAge: current.product.minimumAge)
            .merging(Weighing.columns(current.product.weighing), uniquingKeysWith: { $1 }) where values[column] == nil {
            values[column] = value
        }
        values["sku"] = current.product.sku
        values["stock"] = String(current.product.stock)
        if values["deposit"] == nil { values["deposit"] = current.product.deposit.decimalString }
        let row = try validated(values)
        let food = row.food ?? current.product.food
        try Self.check(threshold: lowStockThreshold)
        let before = Self.fields(current)
        try await database.transaction { sql in
            let aisleID = try await Self.aisleID(for: row, sql: sql)
            let updated = try await sql.update("products")
                .set("slug", to: SQLBind(row.slug)).set("name", to: SQLBind(row.name)).set("brand", to: SQLBind(row.brand))
                .set("aisle_id", to: SQLBind(aisleID)).set("price_minor", to: SQLBind(row.price.minorUnits))
                .set("pack_size", to: SQLBind(row.packSize.label)).set("unit", to: SQLBind(row.packSize.unit.rawValue))
                .set("pack_quantity", to: SQLBind(row.packSize.totalBaseQuantity))
                .set("unit_price_minor", to: SQLBind(row.packSize.unitPrice(for: row.price).minorUnits))
                .set("sold_by_weight", to: SQLBind(row.soldByWeight ? 1 : 0)).set("description", to: SQLBind(row.description))
                .set("keywords", to: SQLBind(row.keywords)).set("featured", to: SQLBind(row.featured ? 1 : 0))
                .set("low_stock_threshold", to: SQLBind(lowStockThreshold)).set("updated_at", to: SQLBind(now().formatted(.iso8601)))
                .set("allergens", to: SQLBind(FoodInformation.stored(food.allergens))).set("dietary", to: SQLBind(FoodInformation.stored(food.dietary)))
                .set("ingredients", to: SQLBind(food.ingredients)).set("origin", to: SQLBind(food.origin))
                .set("nutrition", to: SQLBind(food.nutrition.stored)).set("minimum_age", to: SQLBind(row.minimumAge ?? current.product.minimumAge))
                .set("weighing", to: SQLBind(row.weighing?.stored ?? "")).set("deposit_minor", to: SQLBind(row.deposit?.minorUnits ?? current.product.deposit.minorUnits))
                .where("public_id", .equal, SQLBind(id.publicString)).returning("id").first()
            guard updated != nil else { throw CatalogueAdminError.productNotFound }
            try await SQLCatalogRepository.bumpVersion(sql)
            let after = Self.fields(row, threshold: lowStockThreshold)
            let changedKeys = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }
            try await audit?(sql, CatalogueChange(subject: Self.subject(id), before: before.filter { changedKeys.contains($0.key) },
                                                  after: after.filter { changedKeys.contains($0.key) }))
        }
        catalog.catalogueDidChange()
        return try await product(id: id)
    }

    /// Takes a product off sale (`onSale` false: it leaves the shop's pages, carts and
    /// checkout) or puts it back.
    @discardableResult
    public func setOnSale(_ id: ProductID, _ onSale: Bool, audit: CatalogueAudit? = nil) async throws -> ManagedProduct {
        try await database.transaction { sql in
            let changed = try await sql.update("products").set("on_sale", to: SQLBind(onSale ? 1 : 0))
                .set("updated_at", to: SQLBind(now().formatted(.iso8601)))
                .where("public_id", .equal, SQLBind(id.publicString)).where("on_sale", .equal, SQLBind(onSale ? 0 : 1))
                .returning("id").first()
            if changed == nil {
                guard try await sql.select().column("id").from("products").where("public_id", .equal, SQLBind(id.publicString)).first() != nil else {
                    throw CatalogueAdminError.productNotFound
                }
                return // already so: nothing to do
            }
            try await SQLCatalogRepository.bumpVersion(sql)
            try await audit?(sql, CatalogueChange(subject: Self.subject(id), before: ["on_sale": onSale ? "no" : "yes"], after: ["on_sale": onSale ? "yes" : "no"]))
        }
        catalog.catalogueDidChange()
        return try await product(id: id)
    }

    // MARK: - Stock

    /// What a stock adjustment does.
    public enum StockChange: Sendable, Hashable {
        /// Add (or, negative, remove) units.
        case by(Int)
        /// A count: the shelf holds exactly this many.
        case to(Int)
    }

    /// Changes a product's stock with a reason, and records it in the product's history. Added
    /// and removed units are one conditional update, so adjustments racing checkouts never lose a
    /// sale or take stock below zero; a count sets the level it found.
    @discardableResult
    public func adjustStock(of id: ProductID, _ change: StockChange, reason: StockReason, note: String, actor: String,
                            audit: CatalogueAudit? = nil) async throws -> ManagedProduct {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.count <= 200 else { throw CatalogueAdminError.invalidFields(["note": "must be at most 200 characters"]) }
        switch change {
        case .by(let units) where units == 0 || abs(units) > 1_000_000:
            throw CatalogueAdminError.invalidFields(["quantity": "must be a whole number of units other than 0"])
        case .to(let level) where !(0...1_000_000).contains(level):
            throw CatalogueAdminError.invalidFields(["quantity": "must be a whole number from 0 to 1000000"])
        default: break
        }
        let timestamp = Int64(now().timeIntervalSince1970)
        let shownChanged = try await database.transaction { sql -> Bool in
            guard let row = try await sql.select().columns("id", "stock").from("products").where("public_id", .equal, SQLBind(id.publicString)).first() else {
                throw CatalogueAdminError.productNotFound
            }
            let internalID = try row.decode(column: "id", as: Int64.self)
            let read = try row.decode(column: "stock", as: Int.self)
            let update = sql.update("products").set("updated_at", to: SQLBind(now().formatted(.iso8601))).where("id", .equal, SQLBind(internalID))
            let updated: (any SQLRow)?
            switch change {
            case .by(let units):
                updated = try await update
                    .set(SQLColumn("stock"), to: SQLBinaryExpression(SQLColumn("stock"), .add, SQLBind(units)))
                    .where(SQLBinaryExpression(SQLBinaryExpression(SQLColumn("stock"), .add, SQLBind(units)), .greaterThanOrEqual, SQLLiteral.numeric("0")))
                    .returning("stock").first()
                guard updated != nil else {
                    let available = try await sql.select().column("stock").from("products").where("id", .equal, SQLBind(internalID)).first()?
                        .decode(column: "stock", as: Int.self) ?? read
                    throw CatalogueAdminError.stockWouldGoNegative(available: available)
                }
            case .to(let level):
                // Sales since the count was read would be lost: the level must still be the one read.
                updated = try await update.set("stock", to: SQLBind(level)).where("stock", .equal, SQLBind(read)).returning("stock").first()
                guard updated != nil else { throw CatalogueAdminError.changedMeanwhile }
            }
            let after = try updated!.decode(column: "stock", as: Int.self)
            let before: Int
            switch change {
            case .by(let units): before = after - units
            case .to: before = read
            }
            try await Self.recordAdjustment(productID: internalID, change: after - before, stockAfter: after, reason: reason, note: note, actor: actor,
                                            now: timestamp, sql: sql)
            let shown = !Product.showsSameLevel(before, after)
            if shown { try await SQLCatalogRepository.bumpVersion(sql) }
            try await audit?(sql, CatalogueChange(subject: Self.subject(id), before: ["stock": String(before)],
                                                  after: ["stock": String(after), "reason": reason.rawValue] .merging(note.isEmpty ? [:] : ["note": note]) { a, _ in a }))
            return shown
        }
        if shownChanged { catalog.stockDidChange() }
        return try await product(id: id)
    }

    // MARK: - Helpers

    func validated(_ values: [String: String]) throws -> CatalogueRow {
        do {
            return try CatalogueParser(currency: catalog.currency).row(from: values)
        } catch let error as CatalogueImportError {
            throw CatalogueAdminError.invalidFields(Dictionary(error.problems.map { ($0.column ?? "form", $0.message) }, uniquingKeysWith: { first, _ in first }))
        }
    }

    static func check(threshold: Int) throws {
        guard (0...100_000).contains(threshold) else {
            throw CatalogueAdminError.invalidFields(["low_stock_threshold": "must be a whole number from 0 to 100000"])
        }
    }

    /// The aisle a row names, created at the end of the list when new.
    static func aisleID(for row: CatalogueRow, sql: any SQLDatabase) async throws -> Int64 {
        if let existing = try await sql.select().column("id").from("aisles").where("slug", .equal, SQLBind(row.aisleSlug)).first() {
            return try existing.decode(column: "id", as: Int64.self)
        }
        let last = try await sql.select().column(SQLFunction("MAX", args: SQLColumn("position")), as: "last").from("aisles").first()?
            .decode(column: "last", as: Int?.self) ?? -1
        let created = try await sql.insert(into: "aisles").columns("slug", "name", "description", "position")
            .values(SQLBind(row.aisleSlug), SQLBind(row.aisleName), SQLBind(row.aisleDescription), SQLBind(last + 1))
            .returning("id").first()
        guard let id = try created?.decode(column: "id", as: Int64.self) else { throw StorageError.closed }
        return id
    }

    static func recordAdjustment(productID: Int64, change: Int, stockAfter: Int, reason: StockReason, note: String, actor: String, now: Int64,
                                 sql: any SQLDatabase) async throws {
        try await sql.insert(into: "stock_adjustments").columns("product_id", "change", "stock_after", "reason", "note", "actor", "created_at")
            .values(SQLBind(productID), SQLBind(change), SQLBind(stockAfter), SQLBind(reason.rawValue), SQLBind(note), SQLBind(actor), SQLBind(now))
            .run()
    }

    static func managedColumns(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
        SQLCatalogRepository.productColumns(select)
            .column(SQLColumn("on_sale", table: "products")).column(SQLColumn("keywords", table: "products"))
            .column(SQLColumn("low_stock_threshold", table: "products"))
    }

    static func managed(_ row: any SQLRow) throws -> ManagedProduct {
        ManagedProduct(product: try SQLCatalogRepository.product(from: row), onSale: try row.decode(column: "on_sale", as: Int.self) != 0,
                       keywords: try row.decode(column: "keywords", as: String.self),
                       lowStockThreshold: try row.decode(column: "low_stock_threshold", as: Int.self))
    }

    static func subject(_ id: ProductID) -> String {
        "product \(id.publicString)"
    }

    /// The fields the audit log compares.
    static func fields(_ row: CatalogueRow, threshold: Int) -> [String: String] {
        ["name": row.name, "brand": row.brand, "aisle": row.aisleName, "price": row.price.formatted, "pack_size": row.packSize.label,
         "sold_by_weight": row.soldByWeight ? "yes" : "no", "description": row.description, "featured": row.featured ? "yes" : "no",
         "low_stock_threshold": String(threshold), "deposit": row.deposit?.decimalString ?? ""].merging(Self.foodFields(row)) { $1 }
            .merging(Weighing.columns(row.weighing)) { $1 }.filter { $0.key != "deposit" || row.deposit != nil }
    }

    /// The food columns a row sets: none when its file had none.
    static func foodFields(_ row: CatalogueRow) -> [String: String] {
        var columns = row.food.map { FoodInformation.columns($0, minimumAge: 0) } ?? [:]
        columns["minimum_age"] = row.minimumAge.map { $0 == 0 ? "" : String($0) }
        return columns
    }

    static func fields(_ managed: ManagedProduct) -> [String: String] {
        let product = managed.product
        return ["name": product.name, "brand": product.brand, "aisle": product.aisleName, "price": product.price.formatted,
                "pack_size": product.packSize, "sold_by_weight": product.soldByWeight ? "yes" : "no", "description": product.description,
                "featured": product.featured ? "yes" : "no", "low_stock_threshold": String(managed.lowStockThreshold), "deposit": product.deposit.decimalString]
            .merging(FoodInformation.columns(product.food, minimumAge: product.minimumAge)) { $1 }.merging(Weighing.columns(product.weighing)) { $1 }
    }
}
