import Foundation
import SQLKit
import Storage

/// A stored cart line, before pricing.
struct StoredCartLine: Sendable {
    var productID: String
    var quantity: Int
    var priceWhenAddedMinor: Int64
}

/// The cart module's SQL. Every change runs in one transaction that reads and writes the cart.
struct CartRepository: Sendable {
    let database: Database

    func lines(ownerKey: String) async throws -> [StoredCartLine] {
        try await database.read { sql in
            try await Self.lines(ownerKey: ownerKey, sql: sql)
        }
    }

    /// Runs `change` on the owner's lines in one transaction; `change` returns the lines to keep.
    /// The change is noted in the change feed in the same transaction; returns its feed id.
    func update(ownerKey: String, now: Int64, _ change: @escaping @Sendable ([StoredCartLine]) throws -> [StoredCartLine]) async throws -> Int64 {
        try await database.transaction { sql in
            try await Self.lockCart(ownerKey: ownerKey, now: now, sql: sql)
            let before = try await Self.lines(ownerKey: ownerKey, sql: sql)
            let after = try change(before)
            try await Self.replace(ownerKey: ownerKey, before: before, after: after, now: now, sql: sql)
            return try await ChangeFeed.record(CartService.changeTopic, key: ownerKey, in: sql)
        }
    }

    /// Moves every line of `fromKey` into `toKey` through `merge`, and deletes the `fromKey` cart,
    /// atomically; returns the change's feed id, or nil when there was nothing to move.
    func merge(from fromKey: String, into toKey: String, now: Int64,
               _ merge: @escaping @Sendable (_ source: [StoredCartLine], _ target: [StoredCartLine]) -> [StoredCartLine]) async throws -> Int64? {
        try await database.transaction { sql in
            // Locked in a fixed order, so two merges can never wait on each other.
            for key in [fromKey, toKey].sorted() { try await Self.lockCart(ownerKey: key, now: now, sql: sql) }
            let source = try await Self.lines(ownerKey: fromKey, sql: sql)
            guard !source.isEmpty else { return nil }
            let target = try await Self.lines(ownerKey: toKey, sql: sql)
            try await Self.replace(ownerKey: toKey, before: target, after: merge(source, target), now: now, sql: sql)
            try await sql.delete(from: "carts").where("owner_key", .equal, SQLBind(fromKey)).run()
            return try await ChangeFeed.record(CartService.changeTopic, keys: [fromKey, toKey], in: sql)
        }
    }

    /// Creates the owner's cart row if needed and locks it for the rest of the transaction, so
    /// that concurrent changes to one cart run one after another on every engine.
    static func lockCart(ownerKey: String, now: Int64, sql: any SQLDatabase) async throws {
        try await sql.insert(into: "carts").columns("owner_key", "updated_at").values(SQLBind(ownerKey), SQLBind(now))
            .onConflict(with: ["owner_key"]) { $0.set("updated_at", to: SQLBind(now)) }
            .run()
    }

    static func lines(ownerKey: String, sql: any SQLDatabase) async throws -> [StoredCartLine] {
        // Read for every page a returning shopper sees (when not cached): written as one string, so
        // that it is not assembled from a query builder's tree each time (that cost more than running it).
        try await sql.raw("""
            SELECT cart_lines.product_id, cart_lines.quantity, cart_lines.price_when_added_minor FROM cart_lines \
            JOIN carts ON cart_lines.cart_id = carts.id WHERE carts.owner_key = \(bind: ownerKey) ORDER BY cart_lines.sequence
            """).all().map { row in
                StoredCartLine(
                    productID: try row.decode(column: "product_id", as: String.self),
                    quantity: try row.decode(column: "quantity", as: Int.self),
                    priceWhenAddedMinor: try row.decode(column: "price_when_added_minor", as: Int64.self)
                )
            }
    }

    /// Writes the difference between `before` and `after`; lines that stay keep their place, new ones go last.
    static func replace(ownerKey: String, before: [StoredCartLine], after: [StoredCartLine], now: Int64, sql: any SQLDatabase) async throws {
        guard let cartID = try await sql.select().column("id").from("carts")
            .where("owner_key", .equal, SQLBind(ownerKey)).first()?.decode(column: "id", as: Int64.self) else { return }
        let kept = Set(after.map(\.productID))
        for line in before where !kept.contains(line.productID) {
            try await sql.delete(from: "cart_lines")
                .where("cart_id", .equal, SQLBind(cartID)).where("product_id", .equal, SQLBind(line.productID)).run()
        }
        let previous = Dictionary(uniqueKeysWithValues: before.map { ($0.productID, $0) })
        var nextSequence = try await sql.select().column(SQLFunction("MAX", args: SQLColumn("sequence")), as: "last").from("cart_lines")
            .where("cart_id", .equal, SQLBind(cartID)).first()?.decode(column: "last", as: Int64?.self) ?? 0
        for line in after {
            if let old = previous[line.productID] {
                guard old.quantity != line.quantity || old.priceWhenAddedMinor != line.priceWhenAddedMinor else { continue }
                try await sql.update("cart_lines")
                    .set("quantity", to: SQLBind(line.quantity))
                    .set("price_when_added_minor", to: SQLBind(line.priceWhenAddedMinor))
                    .where("cart_id", .equal, SQLBind(cartID)).where("product_id", .equal, SQLBind(line.productID)).run()
            } else {
                nextSequence += 1
                try await sql.insert(into: "cart_lines")
                    .columns("cart_id", "product_id", "quantity", "price_when_added_minor", "added_at", "sequence")
                    .values(SQLBind(cartID), SQLBind(line.productID), SQLBind(line.quantity), SQLBind(line.priceWhenAddedMinor),
                            SQLBind(now), SQLBind(nextSequence))
                    .run()
            }
        }
    }
}
