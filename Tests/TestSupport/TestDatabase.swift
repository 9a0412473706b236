import Catalog
import Foundation
import Logging
import Storage

/// Databases for tests: real SQL on SQLite, in memory or in a throwaway file.
public enum TestDatabase {
    /// A quiet logger for tests.
    public static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    /// A fresh, migrated, empty in-memory database.
    public static func migrated() async throws -> Database {
        let database = try await Database.open(url: .sqliteMemory, logger: logger)
        try await Migrator(migrations: CatalogMigrations.all).migrate(database, logger: logger)
        return database
    }

    /// A fresh, migrated database in a new temporary folder (for tests that need several connections).
    public static func migratedFile() async throws -> (database: Database, directory: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-test-\(UUID().uuidString)")
        let database = try await Database.open(url: .sqliteFile(path: directory.appendingPathComponent("test.sqlite").path), logger: logger)
        try await Migrator(migrations: CatalogMigrations.all).migrate(database, logger: logger)
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
