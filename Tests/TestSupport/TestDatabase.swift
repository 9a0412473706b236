import Accounts
import Cart
import Catalog
import Foundation
import Logging
import Security
import Storage

/// Databases for tests: real SQL on SQLite, in memory or in a throwaway file.
public enum TestDatabase {
    /// A quiet logger for tests.
    public static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    /// Every module's migrations, in order.
    public static let migrations = CatalogMigrations.all + AccountsMigrations.all + CartMigrations.all

    /// A fresh, migrated, empty in-memory database.
    public static func migrated() async throws -> Database {
        let database = try await Database.open(url: .sqliteMemory, logger: logger)
        try await Migrator(migrations: migrations).migrate(database, logger: logger)
        return database
    }

    /// A fresh, migrated database in a new temporary folder (for tests that need several connections).
    public static func migratedFile() async throws -> (database: Database, directory: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-test-\(UUID().uuidString)")
        let database = try await Database.open(url: .sqliteFile(path: directory.appendingPathComponent("test.sqlite").path), logger: logger)
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
        let database = try await Database.open(url: .sqliteMemory, logger: TestDatabase.logger)
        try await Migrator(migrations: TestDatabase.migrations).migrate(database, logger: TestDatabase.logger)
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
