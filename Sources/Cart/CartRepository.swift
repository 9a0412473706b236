import Foundation
import SQLKit
import Storage

/// A stored cart line, before pricing.
struct StoredCartLine: Sendable {
    var productID: String
    /// Items, or grams when ``unit`` is `g` (a product sold by weight).
    var quantity: Int
    var priceWhenAddedMinor: Int64
    /// `each` or `g`.
    var unit: String = "each"
    /// `none`, `any` or a product's public id (``SubstitutionChoice``).
    var substitute: String = "any"

    /// The items the line counts for in the header's count: a weighed line counts once.
    var items: Int { unit == "g" ? 1 : quantity }
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
            let cartID = try await Self.lockCart(ownerKey: ownerKey, now: now, sql: sql)
            let before = try await Self.lines(ownerKey: ownerKey, sql: sql)
            let after = try change(before)
            try await Self.replace(cartID: cartID, before: before, after: after, now: now, sql: sql)
            return try await ChangeFeed.record(CartService.changeTopic, key: ownerKey, in: sql)
        }
    }

    /// The voucher code on the owner's cart, if any.
    func voucherCode(ownerKey: String) async throws -> String? {
        try await database.read { sql in
            try await sql.raw("SELECT voucher_code FROM carts WHERE owner_key = \(bind: ownerKey)").first()?.decode(column: "voucher_code", as: String?.self)
        }
    }

    /// Puts a voucher code on the owner's cart (nil takes it off), noted in the change feed.
    func setVoucherCode(_ code: String?, ownerKey: String, now: Int64) async throws -> Int64 {
        try await database.transaction { sql in
            let cartID = try await Self.lockCart(ownerKey: ownerKey, now: now, sql: sql)
            try await sql.update("carts").set("voucher_code", to: code.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null)
                .where("id", .equal, SQLBind(cartID)).run()
            return try await ChangeFeed.record(CartService.changeTopic, key: ownerKey, in: sql)
        }
    }

    /// Deletes every line of the owner's cart, and its voucher, in `sql`, noted in the change
    /// feed; returns its feed id.
    static func clear(ownerKey: String, sql: any SQLDatabase) async throws -> Int64 {
        try await sql.raw("DELETE FROM cart_lines WHERE cart_id IN (SELECT id FROM carts WHERE owner_key = \(bind: ownerKey))").run()
        try await sql.raw("UPDATE carts SET voucher_code = NULL WHERE owner_key = \(bind: ownerKey) AND voucher_code IS NOT NULL").run()
        return try await ChangeFeed.record(CartService.changeTopic, key: ownerKey, in: sql)
    }

    /// Moves every line of `fromKey` into `toKey` through `merge`, and deletes the `fromKey` cart,
    /// atomically; returns the change's feed id, or nil when there was nothing to move.
    func merge(from fromKey: String, into toKey: String, now: Int64,
               _ merge: @escaping @Sendable (_ source: [StoredCartLine], _ target: [StoredCartLine]) -> [StoredCartLine]) async throws -> Int64? {
        try await database.transaction { sql in
            // Locked in a fixed order, so two merges can never wait on each other.
            var cartIDs: [String: Int64] = [:]
            for key in [fromKey, toKey].sorted() { cartIDs[key] = try await Self.lockCart(ownerKey: key, now: now, sql: sql) }
            let source = try await Self.lines(ownerKey: fromKey, sql: sql)
            guard !source.isEmpty, let targetID = cartIDs[toKey] else { return nil }
            let target = try await Self.lines(ownerKey: toKey, sql: sql)
            try await Self.replace(cartID: targetID, before: target, after: merge(source, target), now: now, sql: sql)
            // The visitor's voucher comes along when the customer's cart has none.
            try await sql.raw("""
                UPDATE carts SET voucher_code = (SELECT voucher_code FROM carts WHERE owner_key = \(bind: fromKey)) \
                WHERE owner_key = \(bind: toKey) AND voucher_code IS NULL
                """).run()
            try await sql.raw("DELETE FROM carts WHERE owner_key = \(bind: fromKey)").run()
            return try await ChangeFeed.record(CartService.changeTopic, keys: [fromKey, toKey], in: sql)
        }
    }

    /// Creates the owner's cart row if needed and locks it for the rest of the transaction, so
    /// that concurrent changes to one cart run one after another on every engine.
    /// Returns the cart's id. Every statement of a cart change is a fixed string: they run in the
    /// database's one writer, where assembling them with the query builder cost as much as running them.
    static func lockCart(ownerKey: String, now: Int64, sql: any SQLDatabase) async throws -> Int64 {
        let row = try await sql.raw("""
            INSERT INTO carts (owner_key, updated_at) VALUES (\(bind: ownerKey), \(bind: now)) \
            ON CONFLICT (owner_key) DO UPDATE SET updated_at = \(bind: now) RETURNING id
            """).first()
        guard let id = try row?.decode(column: "id", as: Int64.self) else { throw CartStorageError() }
        return id
    }

    static func lines(ownerKey: String, sql: any SQLDatabase) async throws -> [StoredCartLine] {
        // Read for every page a returning shopper sees (when not cached): written as one string, so
        // that it is not assembled from a query builder's tree each time (that cost more than running it).
        try await sql.raw("""
            SELECT cart_lines.product_id, cart_lines.quantity, cart_lines.price_when_added_minor, cart_lines.unit, \
            cart_lines.substitute FROM cart_lines \
            JOIN carts ON cart_lines.cart_id = carts.id WHERE carts.owner_key = \(bind: ownerKey) ORDER BY cart_lines.sequence
            """).all().map { row in
                StoredCartLine(
                    productID: try row.decode(column: "product_id", as: String.self),
                    quantity: try row.decode(column: "quantity", as: Int.self),
                    priceWhenAddedMinor: try row.decode(column: "price_when_added_minor", as: Int64.self),
                    unit: try row.decode(column: "unit", as: String.self),
                    substitute: try row.decode(column: "substitute", as: String.self)
                )
            }
    }

    /// Writes the difference between `before` and `after` to cart `cartID`; lines that stay keep
    /// their place, new ones go last.
    static func replace(cartID: Int64, before: [StoredCartLine], after: [StoredCartLine], now: Int64, sql: any SQLDatabase) async throws {
        let kept = Set(after.map(\.productID))
        for line in before where !kept.contains(line.productID) {
            try await sql.raw("DELETE FROM cart_lines WHERE cart_id = \(bind: cartID) AND product_id = \(bind: line.productID)").run()
        }
        let previous = Dictionary(uniqueKeysWithValues: before.map { ($0.productID, $0) })
        var nextSequence: Int64?
        for line in after {
            if let old = previous[line.productID] {
                guard old.quantity != line.quantity || old.priceWhenAddedMinor != line.priceWhenAddedMinor || old.unit != line.unit
                        || old.substitute != line.substitute else { continue }
                try await sql.raw("""
                    UPDATE cart_lines SET quantity = \(bind: line.quantity), price_when_added_minor = \(bind: line.priceWhenAddedMinor), \
                    unit = \(bind: line.unit), substitute = \(bind: line.substitute) \
                    WHERE cart_id = \(bind: cartID) AND product_id = \(bind: line.productID)
                    """).run()
            } else {
                if nextSequence == nil {
                    nextSequence = try await sql.raw("SELECT MAX(sequence) AS last FROM cart_lines WHERE cart_id = \(bind: cartID)")
                        .first()?.decode(column: "last", as: Int64?.self) ?? 0
                }
                nextSequence! += 1
                try await sql.raw("""
                    INSERT INTO cart_lines (cart_id, product_id, quantity, price_when_added_minor, added_at, sequence, unit, substitute) \
                    VALUES (\(bind: cartID), \(bind: line.productID), \(bind: line.quantity), \(bind: line.priceWhenAddedMinor), \(bind: now), \(bind: nextSequence!), \
                    \(bind: line.unit), \(bind: line.substitute))
                    """).run()
            }
        }
    }
}

/// The cart row could not be created or found (the database answered nothing).
struct CartStorageError: Error {}
