import ArgumentParser
import GoMartApp
import Storage

/// `gomart migrate`: applies database migrations.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or upgrade the database schema.",
        discussion: "Safe to run at any time: migrations already applied are skipped. `gomart serve` runs this too."
    )

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let configuration = try storage.configuration()
        let logger = storage.logger(for: configuration)
        let applied = try await Database.withOpened(
            url: configuration.persistence.databaseURL, postgresSearchPath: configuration.persistence.databaseSchema, logger: logger
        ) { database in
            try await Migrator(migrations: allMigrations).migrate(database, logger: logger)
        }
        say(applied.isEmpty ? "The database is up to date." : "Applied \(applied.count) migration(s): \(applied.joined(separator: ", "))")
    }
}
