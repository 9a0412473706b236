import Foundation
import GoMartModels
import SQLKit
import Storage

extension CatalogueAdmin {
    /// Adds an aisle at the end of the list.
    @discardableResult
    public func createAisle(name: String, description: String, audit: CatalogueAudit? = nil) async throws -> Aisle {
        let (name, description) = try Self.checkAisle(name: name, description: description)
        let slug = Slug.make(name)
        try await database.transaction { sql in
            guard try await sql.select().column("id").from("aisles").where("slug", .equal, SQLBind(slug)).first() == nil else {
                throw CatalogueAdminError.invalidFields(["name": "an aisle with that name exists"])
            }
            let last = try await sql.select().column(SQLFunction("MAX", args: SQLColumn("position")), as: "last").from("aisles").first()?
                .decode(column: "last", as: Int?.self) ?? -1
            try await sql.insert(into: "aisles").columns("slug", "name", "description", "position")
                .values(SQLBind(slug), SQLBind(name), SQLBind(description), SQLBind(last + 1)).run()
            try await SQLCatalogRepository.bumpVersion(sql)
            try await audit?(sql, CatalogueChange(subject: "aisle \(slug)", before: [:], after: ["name": name, "description": description]))
        }
        catalog.catalogueDidChange()
        return try await aisle(slug)
    }

    /// Renames an aisle (its address stays, so links keep working).
    @discardableResult
    public func renameAisle(_ slug: String, name: String, description: String, audit: CatalogueAudit? = nil) async throws -> Aisle {
        let (name, description) = try Self.checkAisle(name: name, description: description)
        let before = try await aisle(slug)
        try await database.transaction { sql in
            try await sql.update("aisles").set("name", to: SQLBind(name)).set("description", to: SQLBind(description))
                .where("slug", .equal, SQLBind(slug)).run()
            try await SQLCatalogRepository.bumpVersion(sql)
            try await audit?(sql, CatalogueChange(subject: "aisle \(slug)", before: ["name": before.name, "description": before.description],
                                                  after: ["name": name, "description": description]))
        }
        catalog.catalogueDidChange()
        return try await aisle(slug)
    }

    /// Moves an aisle one place up (`by` -1) or down (+1) in the shop's order.
    public func moveAisle(_ slug: String, by step: Int, audit: CatalogueAudit? = nil) async throws {
        guard step == -1 || step == 1 else { throw CatalogueAdminError.invalidFields(["direction": "must be up or down"]) }
        try await database.transaction { sql in
            let rows = try await sql.select().columns("slug", "position").from("aisles").orderBy("position").orderBy("id").all()
            let slugs = try rows.map { try $0.decode(column: "slug", as: String.self) }
            guard let index = slugs.firstIndex(of: slug) else { throw CatalogueAdminError.aisleNotFound }
            let other = index + step
            guard slugs.indices.contains(other) else { return } // already first or last
            var order = slugs
            order.swapAt(index, other)
            // Positions are rewritten 0, 1, 2, … so that ties from older data disappear.
            for (position, aisle) in order.enumerated() {
                try await sql.update("aisles").set("position", to: SQLBind(position)).where("slug", .equal, SQLBind(aisle)).run()
            }
            try await SQLCatalogRepository.bumpVersion(sql)
            try await audit?(sql, CatalogueChange(subject: "aisle \(slug)", before: ["position": String(index + 1)], after: ["position": String(other + 1)]))
        }
        catalog.catalogueDidChange()
    }

    /// Every aisle in the shop's order, with its count of products on sale.
    public func aisles() async throws -> [Aisle] {
        try await catalog.aisles()
    }

    func aisle(_ slug: String) async throws -> Aisle {
        guard let aisle = try await catalog.aisles().first(where: { $0.slug == slug }) else { throw CatalogueAdminError.aisleNotFound }
        return aisle
    }

    static func checkAisle(name: String, description: String) throws -> (String, String) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let description = description.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [String: String] = [:]
        if name.isEmpty || name.count > 60 || Slug.make(name).isEmpty { problems["name"] = "must be 1 to 60 characters, with a letter or digit" }
        if description.count > 300 { problems["description"] = "must be at most 300 characters" }
        guard problems.isEmpty else { throw CatalogueAdminError.invalidFields(problems) }
        return (name, description.isEmpty ? "Everything in \(name), at everyday prices." : description)
    }
}

/// What a catalogue file would change, shown before it is applied.
public struct ImportPreview: Sendable {
    /// One product in the file.
    public struct Line: Sendable, Hashable {
        public enum Kind: String, Sendable {
            case new
            case changed
            case unchanged
        }

        public var sku: String
        public var name: String
        public var kind: Kind
        /// What changes, e.g. `price: £1.20 → £1.35`.
        public var changes: [String]
    }

    /// Every problem, by line; when there are any, nothing can be applied.
    public var problems: [CatalogueProblem]
    public var lines: [Line]

    public var newCount: Int { lines.filter { $0.kind == .new }.count }
    public var changedCount: Int { lines.filter { $0.kind == .changed }.count }
}

extension CatalogueAdmin {
    /// Reads a catalogue file and says what it would change, or lists every problem by line.
    /// Nothing is written.
    public func previewImport(_ text: String) async throws -> ImportPreview {
        let rows: [CatalogueRow]
        do {
            rows = try CatalogueParser(currency: catalog.currency).parse(text)
        } catch let error as CatalogueImportError {
            return ImportPreview(problems: error.problems, lines: [])
        }
        let existing = Dictionary(try await everyProduct(showing: .all).map { ($0.product.sku, $0) }, uniquingKeysWith: { first, _ in first })
        return ImportPreview(problems: [], lines: rows.map { row in
            guard let current = existing[row.sku] else {
                return ImportPreview.Line(sku: row.sku, name: row.name, kind: .new, changes: ["price \(row.price.formatted)", "stock \(row.stock)"])
            }
            let before = Self.fields(current).merging(["stock": String(current.product.stock), "on_sale": current.onSale ? "yes" : "no"]) { a, _ in a }
            let after = Self.fields(row, threshold: current.lowStockThreshold).merging(["stock": String(row.stock), "on_sale": "yes"]) { a, _ in a }
            let changes = after.keys.sorted().filter { before[$0] != after[$0] }.map { "\($0): \(before[$0] ?? "–") → \(after[$0] ?? "–")" }
            return ImportPreview.Line(sku: row.sku, name: row.name, kind: changes.isEmpty ? .unchanged : .changed, changes: changes)
        })
    }

    /// Applies a catalogue file in one transaction (nothing when any line has a problem).
    public func applyImport(_ text: String, source: String, audit: CatalogueAudit? = nil) async throws -> CatalogueImportSummary {
        var also: (@Sendable (any SQLDatabase, CatalogueImportSummary) async throws -> Void)?
        if let audit {
            also = { sql, summary in
                let after: [String: String] = [
                    "source": source, "new": String(summary.productsInserted), "updated": String(summary.productsUpdated),
                    "aisles_created": String(summary.aislesCreated),
                ]
                try await audit(sql, CatalogueChange(subject: "catalogue import", before: [:], after: after))
            }
        }
        return try await catalog.importCatalogue(csv: text, source: source, also: also)
    }

    /// Every product on sale in the catalogue file's format: what `gomart seed --file` and the
    /// import read back.
    public func exportProducts() async throws -> String {
        let products = try await everyProduct(showing: .onSale)
        let foodColumns = CatalogueParser.foodColumns + ["minimum_age"]
        return CSVWriter.render(
            header: ["sku", "name", "brand", "aisle", "price", "pack_size", "stock", "sold_by_weight", "description", "featured", "keywords"] + foodColumns + Weighing.columns + ["deposit"],
            rows: products.map { managed in
                let product = managed.product
                let food = FoodInformation.columns(product.food, minimumAge: product.minimumAge)
                return [product.sku, product.name, product.brand, product.aisleName, product.price.decimalString, product.packSize,
                        String(product.stock), product.soldByWeight ? "yes" : "no", product.description, product.featured ? "yes" : "no", managed.keywords]
                    + foodColumns.map { food[$0] ?? "" } + Weighing.columns.map { Weighing.columns(product.weighing)[$0] ?? "" }
                    + [product.deposit.minorUnits == 0 ? "" : product.deposit.decimalString]
            }
        )
    }

    /// Every product's stock: level, threshold, whether it is low and whether it is on sale.
    public func exportStock() async throws -> String {
        let products = try await everyProduct(showing: .all)
        return CSVWriter.render(
            header: ["sku", "name", "aisle", "stock", "low_stock_threshold", "low", "on_sale"],
            rows: products.map { managed in
                [managed.product.sku, managed.product.name, managed.product.aisleName, String(managed.product.stock), String(managed.lowStockThreshold),
                 managed.isLow ? "yes" : "no", managed.onSale ? "yes" : "no"]
            }
        )
    }

    func everyProduct(showing: Showing) async throws -> [ManagedProduct] {
        var all: [ManagedProduct] = []
        while true {
            let page = try await products(showing: showing, offset: all.count, limit: 500)
            all += page.products
            if page.products.isEmpty || all.count >= page.total { return all }
        }
    }
}
