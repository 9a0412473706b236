import Cart
import Catalog
import Foundation
import Logging
import GoMartModels
import SQLKit
import Storage

/// A named shopping list of a customer's.
public struct ShoppingList: Sendable, Hashable, Identifiable {
    /// One product on the list, with how many (grams for goods sold by weight).
    public struct Item: Sendable, Hashable {
        public var productID: ProductID
        public var quantity: Int

        public init(productID: ProductID, quantity: Int) {
            self.productID = productID
            self.quantity = quantity
        }
    }

    /// The list's public id.
    public var id: String
    public var name: String
    /// Oldest first.
    public var items: [Item]
    public var updatedAt: Date
}

/// Why a change to favourites, lists or alerts was refused; controllers map these to 4xx answers.
public enum ListsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No product on sale has this id.
    case unknownProduct
    /// No list of this customer's has this id.
    case listNotFound
    /// A list's name must be 1 to 60 characters.
    case invalidName
    /// A customer has at most this many lists.
    case tooManyLists(Int)
    /// A list holds at most this many products.
    case tooManyItems(Int)
    /// A quantity outside 1 to 100,000.
    case invalidQuantity
    /// The product is in stock: there is nothing to wait for.
    case inStock(String)

    public var description: String {
        switch self {
        case .unknownProduct: "That product is not available."
        case .listNotFound: "We could not find that list."
        case .invalidName: "Give the list a name of 1 to 60 characters."
        case .tooManyLists(let most): "You can keep at most \(most) lists."
        case .tooManyItems(let most): "A list holds at most \(most) products."
        case .invalidQuantity: "The quantity must be a whole number from 1."
        case .inStock(let name): "\(name) is in stock now: add it to your cart."
        }
    }
}

/// A customer's favourites, shopping lists and back-in-stock alerts.
public struct ListsService: Sendable {
    let database: Database
    let catalog: CatalogService
    let cart: CartService
    let now: @Sendable () -> Date
    /// Each customer's favourites (for the hearts on every page they see), kept exact by the
    /// change feed; nil: read every time.
    let favouriteSets: FeedCache<Set<String>>?

    /// The change feed's topic for favourites; keys are customer ids.
    public static let changeTopic = "favourites"

    /// At most this many lists a customer, and products a list.
    public static let maximumLists = 20
    public static let maximumItems = 100
    /// The outbox topic of a back-in-stock message.
    public static let backInStockTopic = "back_in_stock"

    /// Creates the service.
    public init(database: Database, catalog: CatalogService, cart: CartService, feed: ChangeFeed? = nil, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.catalog = catalog
        self.cart = cart
        self.now = now
        favouriteSets = feed.map { FeedCache(name: "favourites", topic: Self.changeTopic, capacity: 50_000, timeToLive: .seconds(600), feed: $0) }
    }

    // MARK: - Favourites

    /// The customer's favourites, newest first (products no longer on sale too: pages leave them out).
    public func favourites(customerID: CustomerID) async throws -> [ProductID] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT product_id FROM favourites WHERE customer_id = \(bind: customerID.rawValue) ORDER BY position DESC
                """).all().compactMap { ProductID(publicString: try $0.decode(column: "product_id", as: String.self)) }
        }
    }

    /// The customer's favourites' ids, from this process's cache when it may serve them: read
    /// for every page a signed-in shopper sees.
    public func favouriteIDs(customerID: CustomerID) async throws -> Set<String> {
        let load = { @Sendable () async throws -> Set<String> in
            try await database.read { sql in
                Set(try await sql.raw("SELECT product_id FROM favourites WHERE customer_id = \(bind: customerID.rawValue)").all()
                    .map { try $0.decode(column: "product_id", as: String.self) })
            }
        }
        guard let favouriteSets else { return try await load() }
        return try await favouriteSets.value(for: String(customerID.rawValue), load: load)
    }

    /// Marks a product on sale as a favourite, or (`false`) no longer; either twice changes nothing.
    public func setFavourite(_ productID: ProductID, _ favourite: Bool, customerID: CustomerID) async throws {
        if favourite { _ = try await product(productID) }
        let timestamp = Int64(now().timeIntervalSince1970)
        let change = try await database.transaction { sql in
            if favourite {
                let position = try await sql.raw("SELECT COALESCE(MAX(position), 0) + 1 AS next FROM favourites WHERE customer_id = \(bind: customerID.rawValue)")
                    .first(decodingColumn: "next", as: Int64.self) ?? 1
                try await sql.insert(into: "favourites").columns("customer_id", "product_id", "position", "created_at")
                    .values(SQLBind(customerID.rawValue), SQLBind(productID.publicString), SQLBind(position), SQLBind(timestamp))
                    .ignoringConflicts(with: ["customer_id", "product_id"]).run()
            } else {
                try await sql.delete(from: "favourites").where("customer_id", .equal, SQLBind(customerID.rawValue))
                    .where("product_id", .equal, SQLBind(productID.publicString)).run()
            }
            return try await ChangeFeed.record(Self.changeTopic, key: String(customerID.rawValue), in: sql)
        }
        favouriteSets?.remove(String(customerID.rawValue))
        ChangeFeed.committed(change)
    }

    // MARK: - Shopping lists

    /// The customer's lists, most recently changed first.
    public func lists(customerID: CustomerID) async throws -> [ShoppingList] {
        try await database.read { sql in
            let rows = try await sql.raw("""
                SELECT id, public_id, name, updated_at FROM shopping_lists WHERE customer_id = \(bind: customerID.rawValue) \
                ORDER BY updated_at DESC, id DESC
                """).all()
            var lists: [ShoppingList] = []
            for row in rows { lists.append(try await Self.list(row, sql: sql)) }
            return lists
        }
    }

    /// One of the customer's lists; another customer's is ``ListsError/listNotFound``.
    public func list(id: String, customerID: CustomerID) async throws -> ShoppingList {
        try await database.read { sql in
            guard let row = try await Self.row(id: id, customerID: customerID, sql: sql) else { throw ListsError.listNotFound }
            return try await Self.list(row, sql: sql)
        }
    }

    /// Creates an empty list named `name` (1 to 60 characters, trimmed).
    public func createList(named name: String, customerID: CustomerID) async throws -> ShoppingList {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...60).contains(name.count) else { throw ListsError.invalidName }
        let id = UUID().publicString
        let timestamp = Int64(now().timeIntervalSince1970)
        try await database.transaction { sql in
            let count = try await sql.raw("SELECT COUNT(*) AS n FROM shopping_lists WHERE customer_id = \(bind: customerID.rawValue)")
                .first(decodingColumn: "n", as: Int.self) ?? 0
            guard count < Self.maximumLists else { throw ListsError.tooManyLists(Self.maximumLists) }
            try await sql.insert(into: "shopping_lists").columns("public_id", "customer_id", "name", "created_at", "updated_at")
                .values(SQLBind(id), SQLBind(customerID.rawValue), SQLBind(name), SQLBind(timestamp), SQLBind(timestamp)).run()
        }
        return ShoppingList(id: id, name: name, items: [], updatedAt: Date(timeIntervalSince1970: TimeInterval(timestamp)))
    }

    /// Deletes one of the customer's lists.
    public func deleteList(id: String, customerID: CustomerID) async throws {
        try await database.transaction { sql in
            guard let row = try await Self.row(id: id, customerID: customerID, sql: sql) else { throw ListsError.listNotFound }
            try await sql.delete(from: "shopping_lists").where("id", .equal, SQLBind(try row.decode(column: "id", as: Int64.self))).run()
        }
    }

    /// Puts `quantity` of a product on sale on the list (replacing what was there); 0 takes it off.
    public func setItem(_ productID: ProductID, quantity: Int, onList id: String, customerID: CustomerID) async throws -> ShoppingList {
        guard (0...100_000).contains(quantity) else { throw ListsError.invalidQuantity }
        if quantity > 0 { _ = try await product(productID) }
        let timestamp = Int64(now().timeIntervalSince1970)
        try await database.transaction { sql in
            guard let row = try await Self.row(id: id, customerID: customerID, sql: sql) else { throw ListsError.listNotFound }
            let listID = try row.decode(column: "id", as: Int64.self)
            if quantity == 0 {
                try await sql.delete(from: "shopping_list_items").where("list_id", .equal, SQLBind(listID))
                    .where("product_id", .equal, SQLBind(productID.publicString)).run()
            } else {
                let count = try await sql.raw("SELECT COUNT(*) AS n FROM shopping_list_items WHERE list_id = \(bind: listID) AND product_id <> \(bind: productID.publicString)")
                    .first(decodingColumn: "n", as: Int.self) ?? 0
                guard count < Self.maximumItems else { throw ListsError.tooManyItems(Self.maximumItems) }
                let position = try await sql.raw("SELECT COALESCE(MAX(position), 0) + 1 AS next FROM shopping_list_items WHERE list_id = \(bind: listID)")
                    .first(decodingColumn: "next", as: Int.self) ?? 1
                try await sql.insert(into: "shopping_list_items").columns("list_id", "product_id", "quantity", "position", "added_at")
                    .values(SQLBind(listID), SQLBind(productID.publicString), SQLBind(quantity), SQLBind(position), SQLBind(timestamp))
                    .onConflict(with: ["list_id", "product_id"]) { $0.set(excludedValueOf: "quantity") }.run()
            }
            try await sql.update("shopping_lists").set("updated_at", to: SQLBind(timestamp)).where("id", .equal, SQLBind(listID)).run()
        }
        return try await list(id: id, customerID: customerID)
    }

    /// Puts every product of the list that can be bought now into the customer's cart: the
    /// list, and why each product that could not go in did not.
    public func addToCart(list id: String, customerID: CustomerID) async throws -> (list: ShoppingList, notAdded: [NotAdded]) {
        let list = try await list(id: id, customerID: customerID)
        return (list, try await cart.addAll(list.items.map { ($0.productID, $0.quantity) }, to: .customer(id: customerID)))
    }

    // MARK: - Back-in-stock alerts

    /// The products the customer waits for (not yet told), oldest request first.
    public func alerts(customerID: CustomerID) async throws -> [ProductID] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT product_id FROM stock_alerts WHERE customer_id = \(bind: customerID.rawValue) AND notified_at IS NULL ORDER BY created_at, product_id
                """).all().compactMap { ProductID(publicString: try $0.decode(column: "product_id", as: String.self)) }
        }
    }

    /// Asks to be told (once) when an out-of-stock product is back; a product in stock is
    /// ``ListsError/inStock(_:)``. Asking again after being told asks again.
    public func requestAlert(for productID: ProductID, customerID: CustomerID) async throws {
        let product = try await product(productID)
        guard !product.inStock else { throw ListsError.inStock(product.name) }
        let timestamp = Int64(now().timeIntervalSince1970)
        try await database.transaction { sql in
            try await sql.insert(into: "stock_alerts").columns("customer_id", "product_id", "created_at", "notified_at")
                .values(SQLBind(customerID.rawValue), SQLBind(productID.publicString), SQLBind(timestamp), SQLLiteral.null)
                .onConflict(with: ["customer_id", "product_id"]) { $0.set(excludedValueOf: "created_at").set(excludedValueOf: "notified_at") }.run()
        }
    }

    /// No longer waits for the product.
    public func cancelAlert(for productID: ProductID, customerID: CustomerID) async throws {
        try await database.transaction { sql in
            try await sql.delete(from: "stock_alerts").where("customer_id", .equal, SQLBind(customerID.rawValue))
                .where("product_id", .equal, SQLBind(productID.publicString)).run()
        }
    }

    /// Tells everyone waiting for a product that is back in stock, once: each alert is claimed
    /// (its `notified_at` set) in the transaction that queues its message, so two workers never
    /// tell anyone twice. Returns how many were told.
    @discardableResult
    public func notifyBackInStock(limit: Int = 500) async throws -> Int {
        let waiting = try await database.read { sql in
            try await sql.raw("SELECT DISTINCT product_id FROM stock_alerts WHERE notified_at IS NULL ORDER BY product_id LIMIT \(bind: limit)")
                .all().compactMap { ProductID(publicString: try $0.decode(column: "product_id", as: String.self)) }
        }
        guard !waiting.isEmpty else { return 0 }
        let back = try await catalog.currentProducts(ids: waiting).values.filter(\.inStock)
        var told = 0
        for product in back.sorted(by: { $0.id < $1.id }) {
            let timestamp = Int64(now().timeIntervalSince1970)
            told += try await database.transaction { sql in
                let claimed = try await sql.raw("""
                    UPDATE stock_alerts SET notified_at = \(bind: timestamp) WHERE product_id = \(bind: product.id.publicString) AND notified_at IS NULL \
                    RETURNING customer_id
                    """).all().map { try $0.decode(column: "customer_id", as: Int64.self) }
                for customer in claimed {
                    try await Outbox.append(topic: Self.backInStockTopic, aggregateID: product.id.publicString, payload: [
                        "customer_id": String(customer), "product_name": product.name, "pack_size": product.packSize, "product_slug": product.slug,
                    ], now: timestamp, in: sql)
                }
                return claimed.count
            }
        }
        return told
    }

    /// The job that tells shoppers, for the worker's group: every `interval`, one worker at a time.
    public func job(interval: Duration = .seconds(60), logger: Logger) -> LeasedJob {
        LeasedJob(lease: "back-in-stock", metric: "back-in-stock", database: database, interval: interval, logger: logger) {
            try await notifyBackInStock()
        }
    }

    // MARK: - Reading

    private func product(_ id: ProductID) async throws -> Product {
        guard let product = try await catalog.currentProducts(ids: [id])[id] else { throw ListsError.unknownProduct }
        return product
    }

    private static func row(id: String, customerID: CustomerID, sql: any SQLDatabase) async throws -> (any SQLRow)? {
        try await sql.raw("""
            SELECT id, public_id, name, updated_at FROM shopping_lists WHERE public_id = \(bind: id) AND customer_id = \(bind: customerID.rawValue)
            """).first()
    }

    private static func list(_ row: any SQLRow, sql: any SQLDatabase) async throws -> ShoppingList {
        let items = try await sql.raw("""
            SELECT product_id, quantity FROM shopping_list_items WHERE list_id = \(bind: try row.decode(column: "id", as: Int64.self)) \
            ORDER BY position
            """).all().compactMap { item -> ShoppingList.Item? in
                guard let id = ProductID(publicString: try item.decode(column: "product_id", as: String.self)) else { return nil }
                return ShoppingList.Item(productID: id, quantity: try item.decode(column: "quantity", as: Int.self))
            }
        return ShoppingList(id: try row.decode(column: "public_id", as: String.self), name: try row.decode(column: "name", as: String.self),
                            items: items, updatedAt: Date(timeIntervalSince1970: TimeInterval(try row.decode(column: "updated_at", as: Int64.self))))
    }
}
