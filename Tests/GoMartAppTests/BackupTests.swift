import Foundation
import GoMartApp
import Operations
import SQLKit
import Storage
import Telemetry
import Testing
import TestSupport

@Suite struct BackupArchiveTests {
    let key = BackupKey(bytes: Array(repeating: 7, count: 32))

    func roundTrip(_ bytes: [UInt8]) throws -> (sealed: URL, opened: [UInt8]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-archive-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let plain = folder.appendingPathComponent("plain")
        try Data(bytes).write(to: plain)
        let sealed = folder.appendingPathComponent("sealed.gmbackup")
        try BackupArchive.seal(plain, to: sealed, key: key)
        let opened = folder.appendingPathComponent("opened")
        try BackupArchive.open(sealed, to: opened, key: key)
        return (sealed, Array(try Data(contentsOf: opened)))
    }

    /// Empty, under a chunk, exactly two chunks, and a part chunk after two whole ones.
    @Test(arguments: [0, 1_000, 2 << 20, (2 << 20) + 12_345])
    func whatIsSealedOpensToTheSameBytes(size: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<size).map { index in index % 3 == 0 ? UInt8.random(in: 0...255, using: &generator) : UInt8(index % 251) }
        let (sealed, opened) = try roundTrip(bytes)
        #expect(opened == bytes)
        #expect(!String(decoding: try Data(contentsOf: sealed), as: UTF8.self).contains("SQLite format"))
    }

    @Test func aChangedByteACutOrTheWrongKeyIsRefused() throws {
        let text = Array(String(repeating: "SQLite format 3 and some personal data. ", count: 80_000).utf8) // over 3 MiB: 4 chunks
        let (sealed, _) = try roundTrip(text)
        let original = try Data(contentsOf: sealed)
        let opened = sealed.deletingLastPathComponent().appendingPathComponent("again")

        var flipped = original
        flipped[original.count / 2] ^= 0x01
        try flipped.write(to: sealed)
        #expect(throws: BackupArchive.Unreadable.self) { try BackupArchive.open(sealed, to: opened, key: key) }

        // Cut after its first chunk: the rest is missing, and the first is not marked last.
        let firstLength = Int(original[16..<20].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        try original.prefix(16 + 4 + firstLength).write(to: sealed)
        try? FileManager.default.removeItem(at: opened)
        #expect(throws: BackupArchive.Unreadable.self) { try BackupArchive.open(sealed, to: opened, key: key) }

        try original.write(to: sealed)
        try? FileManager.default.removeItem(at: opened)
        #expect(throws: BackupArchive.Unreadable.self) {
            try BackupArchive.open(sealed, to: opened, key: BackupKey(bytes: Array(repeating: 8, count: 32)))
        }
    }
}

@Suite struct SQLiteBackupTests {
    /// A backup taken while another task keeps committing holds exactly the rows committed before
    /// it, passes its check, and restores into an empty folder, which then refuses a second
    /// restore without --force.
    @Test func aBackupTakenWhileWritingRestoresWhatWasCommitted() async throws {
        let (database, directory) = try await TestDatabase.migratedFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await database.transaction { sql in
            try await sql.create(table: "entries").column("n", type: .int, .primaryKey(autoIncrement: false)).run()
        }
        for n in 0..<500 {
            try await database.transaction { sql in try await sql.insert(into: "entries").columns("n").values(SQLBind(n)).run() }
        }
        let backups = SQLiteBackups(databasePath: directory.appendingPathComponent("test.sqlite").path,
                                    key: BackupKey(bytes: Array(repeating: 3, count: 32)), logger: TestDatabase.logger)
        let taken = try await withThrowingTaskGroup(of: SQLiteBackups.Taken?.self) { group in
            group.addTask {
                for n in 500..<1_000 {
                    try await database.transaction { sql in try await sql.insert(into: "entries").columns("n").values(SQLBind(n)).run() }
                }
                return nil
            }
            group.addTask { try await backups.backUp(into: directory.appendingPathComponent("backups")) }
            return try await group.reduce(into: [SQLiteBackups.Taken]()) { if let taken = $1 { $0.append(taken) } }.first!
        }
        let counted = try #require(taken.manifest.rowCounts["entries"])
        #expect((500...1_000).contains(counted))
        #expect(taken.manifest.rowCounts["schema_migrations"] == TestDatabase.migrations.count)
        #expect(taken.manifest.engine == "sqlite")

        let verification = try await backups.verify(taken.archive)
        #expect(verification.isGood)
        #expect(verification.restored.rowCounts == taken.manifest.rowCounts)

        let elsewhere = SQLiteBackups(databasePath: directory.appendingPathComponent("restored/gomart.sqlite").path, key: backups.key,
                                      logger: TestDatabase.logger)
        _ = try await elsewhere.restore(taken.archive, force: false)
        let restored = try await SQLiteFiles.inspect(elsewhere.databasePath, logger: TestDatabase.logger)
        #expect(restored.rowCounts["entries"] == counted)
        // The rows are the first ones committed, with no gap: a snapshot, not a mix.
        let reopened = try await Database.open(url: .sqliteFile(path: elsewhere.databasePath), logger: TestDatabase.logger)
        let highest = try await reopened.read { sql in
            try await sql.raw("SELECT MAX(n) AS n FROM entries").first()?.decode(column: "n", as: Int.self)
        }
        await reopened.close()
        #expect(highest == counted - 1)
        await #expect(throws: BackupArchive.Unreadable.self) { try await elsewhere.restore(taken.archive, force: false) }
        await database.close()
    }

    @Test func aBackupThatDoesNotMatchItsManifestFailsItsCheck() async throws {
        let (database, directory) = try await TestDatabase.migratedFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        let backups = SQLiteBackups(databasePath: directory.appendingPathComponent("test.sqlite").path,
                                    key: BackupKey(bytes: Array(repeating: 3, count: 32)), logger: TestDatabase.logger)
        let taken = try await backups.backUp(into: directory.appendingPathComponent("backups"))
        var manifest = taken.manifest
        manifest.rowCounts["schema_migrations"] = (manifest.rowCounts["schema_migrations"] ?? 0) + 1
        try BackupManifest.encoder().encode(manifest).write(to: BackupManifest.url(for: taken.archive))

        let verification = try await backups.verify(taken.archive)
        #expect(!verification.isGood)
        #expect(verification.mismatches == ["schema_migrations"])
        await database.close()
    }
}

@Suite struct ScheduledBackupTests {
    @Test func retentionKeepsTheNewestAndADailyAndWeeklyOne() {
        let now = Date(timeIntervalSince1970: 1_796_083_200) // Tuesday 2026-12-01 00:00 UTC
        let hours: [Double] = [1, 7, 13, 19, 25, 31, 49, 24 * 10, 24 * 10 + 6, 24 * 20, 24 * 40]
        let times = hours.map { now.addingTimeInterval(-$0 * 3_600) }
        let expired = BackupRetention(keep: 2).expired(times, now: now)
        // Kept: the two newest (Nov 30 23:00 and 17:00); the newest of each of the last 7 days
        // (Nov 30 23:00, Nov 29 23:00, Nov 28 23:00); the newest of each of the last four ISO
        // weeks (49: Nov 30 23:00, 48: Nov 29 23:00, 47: Nov 21, 46: Nov 11). Oct 22 is too old.
        #expect(expired == Set([2, 3, 5, 8, 10]))
    }

    /// A bucket's backups are pruned by the times in their names.
    @Test func aBackupsNameGivesTheTimeItWasTaken() {
        let expected = Date(timeIntervalSince1970: 1_796_079_912) // 2026-11-30T23:05:12Z
        #expect(SQLiteBackups.date(fromName: "gomart-20261130T230512Z.gmbackup") == expected)
        #expect(SQLiteBackups.date(fromName: "gomart-20261130T230512Z-3f2a.gmbackup") == expected)
        #expect(SQLiteBackups.date(fromName: "gomart-2026113XT230512Z.gmbackup") == nil)
        #expect(SQLiteBackups.date(fromName: "notes.txt") == nil)
    }

    @Test(arguments: [("6h", 360), ("90m", 90), ("1d", 1_440), ("OFF", nil)] as [(String, Int?)])
    func theIntervalIsReadInHoursMinutesOrDays(text: String, minutes: Int?) throws {
        let configuration = try GoMartConfiguration.resolve(overrides: .init(), environment: ["GOMART_BACKUP_INTERVAL": text])
        #expect(configuration.persistence.backupIntervalMinutes == minutes)
    }

    @Test(arguments: ["6", "1m", "8d", "soon"])
    func aBadIntervalIsRefused(text: String) {
        #expect(throws: GoMartConfiguration.Invalid.self) { try GoMartConfiguration.resolve(overrides: .init(), environment: ["GOMART_BACKUP_INTERVAL": text]) }
    }

    /// Each round backs up under the lease and prunes: with `keep: 1`, two rounds on one day
    /// leave the newer backup (the daily and weekly ones are that same backup).
    @Test func aRoundTakesABackupAndPrunesTheOlderOnes() async throws {
        _ = MetricsRegistry.registry // job runs are counted where /metrics reads them
        let (database, directory) = try await TestDatabase.migratedFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = directory.appendingPathComponent("backups")
        let service = ScheduledBackups(
            backups: SQLiteBackups(databasePath: directory.appendingPathComponent("test.sqlite").path,
                                   key: BackupKey(bytes: Array(repeating: 5, count: 32)), logger: TestDatabase.logger),
            folder: folder, interval: .seconds(3_600), retention: BackupRetention(keep: 1), database: database, logger: TestDatabase.logger
        )
        #expect(try await service.takeOne())
        let first = SQLiteBackups.list(in: folder)
        #expect(first.count == 1)
        #expect(try await service.takeOne())
        let second = SQLiteBackups.list(in: folder)
        #expect(second.count == 1)
        #expect(second != first)
        #expect(FileManager.default.fileExists(atPath: BackupManifest.url(for: second[0]).path))
        #expect(!FileManager.default.fileExists(atPath: BackupManifest.url(for: first[0]).path))
        let metrics = String(decoding: MetricsRegistry.exposition(), as: UTF8.self)
        #expect(metrics.contains(#"gomart_job_runs_total{job="backup",outcome="succeeded"}"#))
        #expect(metrics.contains(#"gomart_job_last_success_timestamp_seconds{job="backup"}"#))
        await database.close()
    }
}

@Suite struct PostgresBackupTests {
    /// The worker's schedule takes pg_dump backups too, and prunes them like SQLite's.
    @Test(.enabled(if: TestDatabase.onPostgres, "PostgreSQL only"))
    func aScheduledRoundDumpsAndPrunes() async throws {
        let database = try await TestDatabase.migrated()
        let url = try #require(TestDatabase.postgresURL)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-pg-schedule-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let service = ScheduledBackups(
            backups: PostgresBackups(database: database, url: url, key: BackupKey(bytes: Array(repeating: 6, count: 32)), logger: TestDatabase.logger),
            folder: folder, interval: .seconds(3_600), retention: BackupRetention(keep: 1), database: database, logger: TestDatabase.logger
        )
        #expect(try await service.takeOne())
        let first = SQLiteBackups.list(in: folder)
        #expect(try await service.takeOne())
        let second = SQLiteBackups.list(in: folder)
        #expect((first.count, second.count) == (1, 1))
        #expect(second != first)
        #expect(try BackupManifest.read(for: second[0]).engine == "postgres")
        await database.close()
    }

    /// pg_dump in the snapshot the rows were counted in; verified by counting the archive's COPY
    /// rows; restored into the emptied schema with every row back, and refused over a full one.
    @Test(.enabled(if: TestDatabase.onPostgres, "PostgreSQL only"))
    func aDumpIsCountedVerifiedAndRestored() async throws {
        let database = try await TestDatabase.migrated()
        let url = try #require(TestDatabase.postgresURL)
        try await database.transaction { sql in
            try await sql.create(table: "entries").column("n", type: .int, .primaryKey(autoIncrement: false)).column("note", type: .text).run()
            for n in 0..<250 {
                try await sql.insert(into: "entries").columns("n", "note").values(SQLBind(n), SQLBind("line \(n)\nwith a break")).run()
            }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-pg-backup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let backups = PostgresBackups(database: database, url: url, key: BackupKey(bytes: Array(repeating: 9, count: 32)), logger: TestDatabase.logger)

        let taken = try await backups.backUp(into: folder)
        #expect(taken.manifest.engine == "postgres")
        #expect(taken.manifest.rowCounts["entries"] == 250)
        #expect(taken.manifest.rowCounts["schema_migrations"] == TestDatabase.migrations.count)
        let verification = try await backups.verify(taken.archive)
        #expect(verification.isGood)
        #expect(verification.restored.rowCounts == taken.manifest.rowCounts)

        await #expect(throws: BackupArchive.Unreadable.self) { try await backups.restore(taken.archive, force: false) }
        let schema = try await database.read { sql in try await sql.raw("SELECT current_schema() AS s").first()?.decode(column: "s", as: String.self) }
        try await database.transaction { sql in
            try await sql.raw("DROP SCHEMA \(ident: schema ?? "") CASCADE").run()
            try await sql.raw("CREATE SCHEMA \(ident: schema ?? "")").run()
        }
        _ = try await backups.restore(taken.archive, force: false)
        let restored = try await database.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n, MAX(note) AS note FROM entries").first()
        }
        #expect(try restored?.decode(column: "n", as: Int.self) == 250)
        #expect(try restored?.decode(column: "note", as: String.self) == "line 99\nwith a break")
        await database.close()
    }
}
