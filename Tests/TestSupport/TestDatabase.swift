import Accounts
import Cart
import Catalog
import Checkout
import GoMartApp
import GoMartModels
import Payments
import Promotions
import SQLKit
import Foundation
import Logging
import Security
import Slots
import Storage
import Web

/// Databases for tests: real SQL on SQLite, in memory or in a throwaway file.
public enum TestDatabase {
    /// A quiet logger for tests.
    public static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    /// The PostgreSQL server to test against (`GOMART_TEST_DATABASE_URL`); SQLite when unset.
    public static let postgresURL: String? = ProcessInfo.processInfo.environment["GOMART_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// True when the suite runs on PostgreSQL.
    public static var onPostgres: Bool { postgresURL != nil }

    /// A new, empty schema on the test server, so that every test has a database of its own.
    public static func makeSchema() async throws -> String {
        guard let postgresURL else { throw StorageError.invalidDatabaseURL("GOMART_TEST_DATABASE_URL is not set") }
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await Database.withOpened(url: .postgres(url: postgresURL), postgresMaxConnections: 1, logger: logger) { admin in
            try await admin.transaction { sql in try await sql.raw("CREATE SCHEMA \(unsafeRaw: schema)").run() }
        }
        return schema
    }

    /// A fresh database without any table: in memory on SQLite, or a new schema on PostgreSQL.
    public static func empty() async throws -> Database {
        if let postgresURL {
            return running(try await Database.open(url: .postgres(url: postgresURL), postgresSearchPath: try await makeSchema(),
                                                   postgresMaxConnections: 4, logger: logger))
        }
        return running(try await Database.open(url: .sqliteMemory, logger: logger))
    }

    /// Starts the database's background work (connection pool or group commits): a test has no
    /// service group to run it in. Closing the database ends it.
    public static func running(_ database: Database) -> Database {
        Task { await database.run() }
        return database
    }

    /// Every migration the application runs, in its order.
    public static let migrations = allMigrations

    /// A fresh, migrated, empty database (in memory on SQLite, a new schema on PostgreSQL).
    public static func migrated() async throws -> Database {
        let database = try await empty()
        try await Migrator(migrations: migrations).migrate(database, logger: logger)
        return database
    }

    /// A fresh, migrated database in a new temporary folder (for tests that need several connections).
    public static func migratedFile() async throws -> (database: Database, directory: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-test-\(UUID().uuidString)")
        let database = running(try await Database.open(url: .sqliteFile(path: directory.appendingPathComponent("test.sqlite").path), logger: logger))
        try await Migrator(migrations: migrations).migrate(database, logger: logger)
        return (database, directory)
    }

    /// A fresh in-memory database holding the demo catalogue, with a catalogue service over it.
    public static func seededCatalog(cacheTTL: Duration = .zero) async throws -> (database: Database, catalog: CatalogService) {
        let database = try await migrated()
        let catalog = CatalogService(repository: SQLCatalogRepository(database: database), cache: CatalogCache(timeToLive: cacheTTL))
        try await catalog.seedDemoCatalogueIfFirstRun(logger: logger)
        return (database, catalog)
    }
}

/// Accounts services for tests, on a fresh in-memory database with a controllable clock.
public enum TestAccounts {
    /// A clock tests can move forward.
    public final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var current = Date(timeIntervalSince1970: 1_800_000_000)

        /// Creates a clock at a fixed instant.
        public init() {}

        /// The clock's time.
        public var now: Date { lock.withLock { current } }

        /// Moves the clock forward.
        public func advance(by seconds: TimeInterval) {
            lock.withLock { current += seconds }
        }
    }

    /// An accounts service (bcrypt cost 4, for speed) over a fresh database, with its vault and clock.
    public static func make(policy: SessionPolicy = SessionPolicy()) async throws -> (service: AccountsService, database: Database, vault: PersonalDataVault, clock: Clock) {
        let database = try await TestDatabase.migrated()
        let keys = try SecretKeys.resolve(configuredBase64: nil, source: "test", keyFilePath: nil)
        let vault = PersonalDataVault(keys: keys)
        let clock = Clock()
        let service = AccountsService(
            repository: AccountsRepository(database: database), vault: vault, hasher: PasswordHasher(cost: 4),
            passwordPolicy: try PasswordPolicy.load(), sessionPolicy: policy, now: { clock.now }
        )
        return (service, database, vault, clock)
    }
}

/// A seeded shop with carts and checkout over one database, for checkout tests.
public struct TestShop: Sendable {
    public let database: Database
    public let directory: URL?
    public let catalog: CatalogService
    public let cart: CartService
    public let checkout: CheckoutService
    /// Everything after "paid", over the same checkout.
    public let fulfilment: FulfilmentService
    /// The payment gateway checkout charges.
    public let payments: any PaymentProvider
    public let clock: TestAccounts.Clock
    /// Offers and vouchers (none until a test creates them), on the shop's clock.
    public let promotions: PromotionsService

    /// Builds the shop. `onFile` uses an SQLite file (several connections, as in production)
    /// instead of a private in-memory database.
    /// `payments` makes the gateway over the shop's database; the default is the sandbox.
    /// `catalogueCacheTTL` turns the catalogue cache on (off by default).
    public static func make(payments: (@Sendable (Database, TestAccounts.Clock) -> any PaymentProvider)? = nil, onFile: Bool = false,
                            policy: CartPolicy = CartPolicy(minimumOrder: Money(minorUnits: 1, currency: .gbp)),
                            catalogueCacheTTL: Duration = .zero, slotRequirement: SlotRequirement = .required) async throws -> TestShop {
        var directory: URL?
        let database: Database
        if onFile && !TestDatabase.onPostgres {
            let made = try await TestDatabase.migratedFile()
            database = made.database
            directory = made.directory
        } else {
            database = try await TestDatabase.migrated()
        }
        let catalog = CatalogService(repository: SQLCatalogRepository(database: database), cache: CatalogCache(timeToLive: catalogueCacheTTL))
        try await catalog.seedDemoCatalogueIfFirstRun(logger: TestDatabase.logger)
        let clock = TestAccounts.Clock()
        let promotions = PromotionsService(database: database, currency: .gbp, checkInterval: .zero, now: { clock.now })
        let cart = CartService(database: database, catalog: catalog, policy: policy, promotions: promotions, now: { clock.now })
        let vault = PersonalDataVault(keys: try SecretKeys.resolve(configuredBase64: nil, source: "test", keyFilePath: nil))
        let gateway = payments?(database, clock) ?? SandboxPaymentProvider(database: database, now: { clock.now })
        let slots = SlotService(database: database, currency: .gbp, requirement: slotRequirement, logger: TestDatabase.logger, now: { clock.now })
        let checkout = CheckoutService(database: database, catalog: catalog, cart: cart, payments: gateway, slots: slots, vault: vault,
                                       pendingTimeout: 900, logger: TestDatabase.logger, now: { clock.now })
        return TestShop(database: database, directory: directory, catalog: catalog, cart: cart, checkout: checkout,
                        fulfilment: FulfilmentService(checkout: checkout), payments: gateway, clock: clock, promotions: promotions)
    }

    /// Inserts `count` customers (with placeholder sealed data) and returns their internal ids.
    public func makeCustomers(_ count: Int) async throws -> [CustomerID] {
        try await database.transaction { sql in
            var ids: [CustomerID] = []
            for index in 0..<count {
                let row = try await sql.insert(into: "customers")
                    .columns("public_id", "email_index", "email_sealed", "name_sealed", "password_hash", "created_at")
                    .values(SQLBind(UUID().publicString), SQLBind("index-\(index)-\(UUID().uuidString)"), SQLBind("v1.x"),
                            SQLBind("v1.x"), SQLBind("x"), SQLBind(0))
                    .returning("id").first()
                ids.append(CustomerID(try row!.decode(column: "id", as: Int64.self)))
            }
            return ids
        }
    }

    /// An in-stock product with at least `minimumStock` units.
    public func product(in aisle: String = "pantry", minimumStock: Int = 20, skip: Int = 0) async throws -> Product {
        let products = try await catalog.products(matching: ProductQuery(aisleSlug: aisle, inStockOnly: true, pageSize: 100)).products
        guard let product = products.filter({ $0.stock >= minimumStock }).dropFirst(skip).first else { throw CatalogError.aisleNotFound(aisle) }
        return product
    }

    /// Sets a product's stock, as a catalogue import would.
    public func setStock(_ product: Product, to stock: Int) async throws {
        let csv = """
            sku,name,brand,aisle,price,pack_size,stock
            \(product.sku),"\(product.name)","\(product.brand)","\(product.aisleName)",\(product.price.decimalString),\(product.packSize.replacingOccurrences(of: "×", with: "x")),\(stock)
            """
        _ = try await catalog.importCatalogue(csv: csv, source: "test")
    }

    /// The product's stock as the database has it now.
    public func stock(of product: Product) async throws -> Int {
        try await catalog.currentProducts(ids: [product.id])[product.id]?.stock ?? -1
    }

    /// Closes the database and removes its folder.
    public func close() async {
        await database.close()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }
}

extension GoMartConfiguration {
    /// A configuration for tests on `databaseURL`: bcrypt cost 4 keeps sign-ups fast (production
    /// is held to 12 or more when the configuration is resolved); no rate limits, since tests
    /// sign in far more often than people do (the tests of the limits turn them on); no
    /// operations listener, which would need a port; slots optional, so that tests of other
    /// things check out by standard delivery (the slot tests require them).
    public static func forTests(databaseURL: DatabaseURL = .sqliteMemory) -> GoMartConfiguration {
        var configuration = GoMartConfiguration(databaseURL: databaseURL)
        configuration.orders.slotRequirement = .optional
        configuration.accounts.passwordHashCost = 4
        configuration.protection.rateLimits = .off
        configuration.server.adminPort = nil
        // Tests set up the offers they need: the demo's would change every total.
        configuration.persistence.seedDemoOffers = false
        return configuration
    }
}

/// What the sandbox gateway's ledger holds: money charged and refunded, in minor units.
public struct SandboxLedger: Sendable, Equatable, CustomStringConvertible {
    public var charged: Int64
    public var refunded: Int64
    /// Reserved on cards by authorisations not yet captured or voided.
    public var authorised: Int64

    public init(charged: Int64, refunded: Int64, authorised: Int64 = 0) {
        self.charged = charged
        self.refunded = refunded
        self.authorised = authorised
    }

    public var description: String { "charged \(charged), refunded \(refunded), authorised \(authorised)" }
}

extension TestShop {
    /// The sandbox's successful charges and the refunds against them, summed.
    public func sandboxLedger() async throws -> SandboxLedger {
        try await database.read { sql in
            // PostgreSQL's SUM of a bigint is a numeric: cast it back.
            // Money taken: charges, and authorisations as far as they were captured.
            let row = try await sql.raw("""
                SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) AS charged, CAST(COALESCE(SUM(refunded_minor), 0) AS BIGINT) AS refunded
                FROM sandbox_charges WHERE outcome = 'succeeded'
                """).first()
            let captured = try await sql.raw("""
                SELECT CAST(COALESCE(SUM(captured_minor), 0) AS BIGINT) AS charged, CAST(COALESCE(SUM(refunded_minor), 0) AS BIGINT) AS refunded,
                CAST(COALESCE(SUM(CASE WHEN state = 'authorised' THEN amount_minor ELSE 0 END), 0) AS BIGINT) AS held
                FROM sandbox_authorisations WHERE outcome = 'succeeded'
                """).first()
            return SandboxLedger(
                charged: (try row?.decode(column: "charged", as: Int64.self) ?? 0) + (try captured?.decode(column: "charged", as: Int64.self) ?? 0),
                refunded: (try row?.decode(column: "refunded", as: Int64.self) ?? 0) + (try captured?.decode(column: "refunded", as: Int64.self) ?? 0),
                authorised: try captured?.decode(column: "held", as: Int64.self) ?? 0
            )
        }
    }
}

/// Change feed readers for tests.
public enum TestFeed {
    /// A reader over `database` whose clock stands still, so that however slowly a test runs its
    /// last poll never counts as stale; tests poll it by hand.
    public static func make(_ database: Database) -> ChangeFeed {
        let instant = ContinuousClock.now
        return ChangeFeed(database: database, now: { instant })
    }
}
