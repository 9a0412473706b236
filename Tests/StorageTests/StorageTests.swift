import Foundation
import SQLKit
import Storage
import TestSupport
import Testing

@Suite struct DatabaseURLTests {
    @Test func parsesEveryForm() throws {
        #expect(try DatabaseURL(parsing: "sqlite:///var/lib/gomart/gomart.sqlite") == .sqliteFile(path: "/var/lib/gomart/gomart.sqlite"))
        #expect(try DatabaseURL(parsing: "sqlite::memory:") == .sqliteMemory)
        #expect(try DatabaseURL(parsing: "postgres://shop:secret@db:5432/gomart").engine == .postgres)
    }

    @Test func hidesPasswordsWhenDescribed() throws {
        let url = try DatabaseURL(parsing: "postgres://shop:secret@db:5432/gomart")
        #expect(!url.description.contains("secret"))
    }

    @Test(arguments: ["mysql://x", "", "sqlite://", "gomart.sqlite"])
    func rejectsUnknownSchemes(text: String) {
        #expect(throws: StorageError.self) { try DatabaseURL(parsing: text) }
    }
}

@Suite struct MigratorTests {
    static let migrations = [
        Migration(id: "0002_second") { sql, _ in
            try await sql.create(table: "second").column("id", type: .bigint, .primaryKey(autoIncrement: true)).run()
        },
        Migration(id: "0001_first") { sql, _ in
            try await sql.create(table: "first").column("id", type: .bigint, .primaryKey(autoIncrement: true)).run()
        },
    ]

    @Test func appliesInOrderOnceAndRecordsThem() async throws {
        let database = try await TestDatabase.empty()
        let migrator = Migrator(migrations: Self.migrations)
        #expect(try await migrator.pending(database) == ["0001_first", "0002_second"])

        let applied = try await migrator.migrate(database, logger: TestDatabase.logger)
        let again = try await migrator.migrate(database, logger: TestDatabase.logger)

        #expect(applied == ["0001_first", "0002_second"])
        #expect(again.isEmpty)
        #expect(try await migrator.pending(database).isEmpty)
        let recorded = try await database.read { sql in
            try await sql.select().column("id").from("schema_migrations").orderBy("id").all().map { try $0.decode(column: "id", as: String.self) }
        }
        #expect(recorded == ["0001_first", "0002_second"])
        await database.close()
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        let database = try await TestDatabase.empty()
        let broken = Migration(id: "0003_broken") { sql, _ in
            try await sql.create(table: "third").column("id", type: .bigint, .primaryKey(autoIncrement: true)).run()
            try await sql.raw("THIS IS NOT SQL").run()
        }
        let migrator = Migrator(migrations: Self.migrations + [broken])

        await #expect(throws: (any Error).self) { try await migrator.migrate(database, logger: TestDatabase.logger) }

        #expect(try await migrator.pending(database) == ["0003_broken"])
        await #expect(throws: (any Error).self) { try await database.read { sql in try await sql.raw("SELECT * FROM third").run() } }
        await database.close()
    }
}

@Suite struct DatabaseTests {
    @Test func transactionsRollBackOnError() async throws {
        let database = try await TestDatabase.migrated()
        try await database.transaction { sql in
            try await sql.create(table: "notes").column("text", type: .text, .notNull).run()
        }
        struct Boom: Error {}

        await #expect(throws: Boom.self) {
            try await database.transaction { sql in
                try await sql.insert(into: "notes").columns("text").values(SQLBind("half-written")).run()
                throw Boom()
            }
        }

        let count = try await database.read { sql in try await sql.select().column("text").from("notes").all().count }
        #expect(count == 0)
        await database.close()
    }

    @Test func fileDatabasesUseWALAndFullSync() async throws {
        let (database, directory) = try await TestDatabase.migratedFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (mode, synchronous, foreignKeys) = try await database.read { sql in
            (
                try await sql.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self),
                try await sql.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self),
                try await sql.raw("PRAGMA foreign_keys").first()?.decode(column: "foreign_keys", as: Int.self)
            )
        }
        #expect(mode == "wal")
        #expect(synchronous == 2) // FULL
        #expect(foreignKeys == 1)
        await database.close()
    }

    @Test func readConnectionsCannotWrite() async throws {
        let (database, directory) = try await TestDatabase.migratedFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        await #expect(throws: (any Error).self) {
            try await database.read { sql in try await sql.raw("CREATE TABLE sneaky (x INTEGER)").run() }
        }
        await database.close()
    }

    /// SQLite's single writer: read-modify-write transactions never interleave, never fail busy.
    @Test func concurrentSQLiteWritersAreSerialisedWithoutBusyErrors() async throws {
        let (database, directory) = try await TestDatabase.migratedFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await database.transaction { sql in
            try await sql.create(table: "counter").column("n", type: .int, .notNull).run()
            try await sql.insert(into: "counter").columns("n").values(SQLBind(0)).run()
        }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await database.transaction { sql in
                        let n = try await sql.select().column("n").from("counter").first()!.decode(column: "n", as: Int.self)
                        try await sql.update("counter").set("n", to: SQLBind(n + 1)).run()
                    }
                }
            }
            try await group.waitForAll()
        }

        let n = try await database.read { sql in try await sql.select().column("n").from("counter").first()!.decode(column: "n", as: Int.self) }
        #expect(n == 50)
        await database.close()
    }

    /// Group commit: concurrent transactions share commits, and one that fails takes only its
    /// own changes with it.
    @Test func concurrentTransactionsShareCommitsAndFailAlone() async throws {
        let (database, directory) = try await TestDatabase.migratedFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await database.transaction { sql in
            try await sql.create(table: "entries").column("n", type: .int, .primaryKey(autoIncrement: false)).run()
        }
        struct Refused: Error {}
        let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for n in 0..<60 {
                group.addTask {
                    do {
                        try await database.transaction { sql in
                            try await sql.insert(into: "entries").columns("n").values(SQLBind(n)).run()
                            if n % 3 == 0 { throw Refused() }
                        }
                        return (n, true)
                    } catch is Refused {
                        return (n, false)
                    }
                }
            }
            return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        let stored = try await database.read { sql in
            try await sql.select().column("n").from("entries").all().map { try $0.decode(column: "n", as: Int.self) }
        }
        #expect(Set(stored) == Set((0..<60).filter { $0 % 3 != 0 }))
        #expect(outcomes.filter(\.value).count == 40)
        // A transaction that reads what an earlier one in the same commit wrote sees it.
        let seen = try await database.transaction { sql in
            try await sql.select().column("n").from("entries").all().count
        }
        #expect(seen == 40)
        await database.close()
    }

    @Test func closedDatabasesRefuseWork() async throws {
        let database = try await TestDatabase.empty()
        await database.close()
        await #expect(throws: StorageError.closed) { try await database.ping() }
    }
}

@Suite struct ConcurrentMigrationTests {
    @Test func severalInstancesMigratingAtOnceApplyEachMigrationOnce() async throws {
        let database = try await TestDatabase.empty()
        let migrator = Migrator(migrations: TestDatabase.migrations)
        let applied = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { try await migrator.migrate(database, logger: TestDatabase.logger) } }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(applied.sorted() == TestDatabase.migrations.map(\.id).sorted())
        #expect(try await migrator.pending(database).isEmpty)
        await database.close()
    }
}

@Suite struct FullTextIndexTests {
    @Test func keepsOnlyWordsSoInputCannotInjectSyntax() {
        #expect(FullTextIndex.prefixTerms("Organic  MILK!") == ["organic", "milk"])
        #expect(FullTextIndex.prefixTerms("\"milk\" OR * NEAR(") == ["milk", "or", "near"])
        #expect(FullTextIndex.prefixTerms("crème fraîche") == ["creme", "fraiche"])
        #expect(FullTextIndex.prefixTerms("*** ---") == nil)
    }
}

@Suite struct JobLeaseTests {
    @Test func oneHolderAtATimeUntilTheLeaseExpiresOrIsReleased() async throws {
        let database = try await TestDatabase.empty()
        try await Migrator(migrations: JobLease.migrations).migrate(database, logger: TestDatabase.logger)
        let first = JobLease(name: "reaper", holder: "instance-a", ttlSeconds: 60, database: database)
        let second = JobLease(name: "reaper", holder: "instance-b", ttlSeconds: 60, database: database)
        let start = Date(timeIntervalSince1970: 1_800_000_000)

        #expect(try await first.acquire(now: start))
        #expect(try await !second.acquire(now: start.addingTimeInterval(30)))
        #expect(try await first.acquire(now: start.addingTimeInterval(30))) // the holder renews
        #expect(try await !second.acquire(now: start.addingTimeInterval(89)))
        #expect(try await second.acquire(now: start.addingTimeInterval(91))) // expired: taken over
        try await second.release()
        #expect(try await first.acquire(now: start.addingTimeInterval(92)))
        await database.close()
    }

    @Test func concurrentClaimsGiveTheLeaseToExactlyOne() async throws {
        let database = try await TestDatabase.empty()
        try await Migrator(migrations: JobLease.migrations).migrate(database, logger: TestDatabase.logger)
        let now = Date()
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                group.addTask { try await JobLease(name: "job", holder: "h\(index)", ttlSeconds: 60, database: database).acquire(now: now) }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(winners == 1)
        await database.close()
    }
}

@Suite struct DataDirectoryPermissionTests {
    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test(.enabled(if: !TestDatabase.onPostgres, "SQLite's files only"))
    func theDataDirectoryAndTheDatabaseFilesAreTheShopsUsersAlone() async throws {
        let (database, directory) = try await TestDatabase.migratedFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("test.sqlite").path
        #expect(try mode(directory.path) == 0o700)
        #expect(try mode(file) == 0o600)
        #expect(try mode(file + "-wal") == 0o600)
        await database.close()

        // A database an older version left readable by others is tightened when opened.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        let reopened = TestDatabase.running(try await Database.open(url: .sqliteFile(path: file), logger: TestDatabase.logger))
        #expect(try mode(file) == 0o600)
        await reopened.close()
    }
}
