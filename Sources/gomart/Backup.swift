import ArgumentParser
import Foundation
import GoMartApp
import Operations
import Storage

/// `gomart backup`: online backups, and checking them.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Take a backup while the shop runs, or check one.",
        subcommands: [Create.self, Verify.self],
        defaultSubcommand: Create.self
    )

    /// `gomart backup [create]`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Take a consistent backup now (the shop may keep selling).",
            discussion: """
                Writes gomart-<time>.gmbackup (compressed, encrypted with the backup key) and its manifest \
                (gomart-<time>.manifest.json: time, schema and GoMart versions, rows per table, SHA-256) into \
                --to, by default GOMART_BACKUP_DIR or the backups folder of the data folder. The backup key is \
                GOMART_BACKUP_KEY (32 bytes, base64), or in development the backup.key file of the data folder, made \
                on first use. Keep that key, \
                and the data key (GOMART_SECRET_KEY or secret.key), somewhere other than the backups.
                """
        )

        @Option(name: .long, help: ArgumentHelp("Folder for the backup (default: backups in the data folder).", valueName: "path"))
        var to: String?

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let place = try BackupPlace.parse(to ?? BackupSetup.defaultFolder(storage), environment: ProcessInfo.processInfo.environment)
            let began = ContinuousClock.now
            let taken = try await BackupSetup.withLocalFolder(for: place) { folder in
                let taken = try await BackupSetup.with(storage, creatingKey: true) { try await $0.backUp(into: folder) }
                try await place.store(taken)
                return taken
            }
            let rows = taken.manifest.rowCounts.values.reduce(0, +)
            say("Backed up \(rows) rows in \(taken.manifest.rowCounts.count) tables (orders: \(taken.manifest.rowCounts["orders"] ?? 0)) "
                + "to \(place.description)/\(taken.archive.lastPathComponent): \(Self.megabytes(taken.manifest.archiveBytes)) from \(Self.megabytes(taken.manifest.databaseBytes)), "
                + "in \(began.duration(to: .now).formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow))).")
        }

        static func megabytes(_ bytes: Int) -> String {
            let tenths = (bytes * 10 + 524_288) / 1_048_576
            return "\(tenths / 10).\(tenths % 10) MB"
        }
    }

    /// `gomart backup verify`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore a backup into a scratch folder, check it and compare it with its manifest.",
            discussion: "Without a file, checks the newest backup in the backups folder. Exits 1 if the backup is not good."
        )

        @Argument(help: ArgumentHelp("The .gmbackup file (default: the newest in the backups folder).", valueName: "file"))
        var file: String?

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let (verification, archive) = try await BackupSetup.withArchive(file, storage: storage) { archive in
                (try await BackupSetup.with(storage, creatingKey: false) { try await $0.verify(archive) }, archive)
            }
            let rows = verification.restored.rowCounts.values.reduce(0, +)
            if verification.isGood {
                say("\(archive.lastPathComponent): good. Integrity ok; \(rows) rows in \(verification.restored.rowCounts.count) tables, "
                    + "as the manifest says; taken \(verification.manifest.createdAt.formatted(.iso8601)), schema \(verification.manifest.schemaVersion ?? "none").")
            } else {
                say("\(archive.lastPathComponent): NOT good. Integrity: \(verification.restored.integrity); tables that differ from the manifest: "
                    + (verification.mismatches.isEmpty ? "none" : verification.mismatches.joined(separator: ", ")) + ".")
                throw ExitCode(1)
            }
        }
    }
}

/// `gomart restore`.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into an empty data folder (or, with --force, over a stopped shop's database).",
        discussion: """
            The backup is checked first (integrity and row counts against its manifest). Stop every GoMart \
            process using the database before restoring over it. The data key the backup was taken with \
            (GOMART_SECRET_KEY or secret.key) is needed to read its personal data.
            """
    )

    @Argument(help: ArgumentHelp("The .gmbackup file.", valueName: "file"))
    var file: String

    @Flag(name: .long, help: "Replace an existing database.")
    var force = false

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let force = force
        let (restored, target, archive) = try await BackupSetup.withArchive(file, storage: storage) { archive in
            try await BackupSetup.with(storage, creatingKey: false) { (try await $0.restore(archive, force: force), $0.target, archive) }
        }
        let counts = restored.restored.rowCounts
        say("Restored \(archive.lastPathComponent) (taken \(restored.manifest.createdAt.formatted(.iso8601))) into \(target): "
            + "\(counts["orders"] ?? 0) orders, \(counts["customers"] ?? 0) customers, \(counts["products"] ?? 0) products; "
            + "\(counts.values.reduce(0, +)) rows in \(counts.count) tables.")
    }
}

/// What the backup commands share: the configuration, the key and the engine's backups.
enum BackupSetup {
    /// Runs `body` with the configured database's backups (on PostgreSQL, with the database open).
    static func with<T: Sendable>(_ storage: StorageOptions, creatingKey: Bool, _ body: (any ShopBackups) async throws -> T) async throws -> T {
        let configuration = try storage.configuration()
        let logger = storage.logger(for: configuration)
        let key = try loadBackupKey(configuration, create: creatingKey)
        switch configuration.persistence.databaseURL {
        case .sqliteFile(let path):
            return try await body(SQLiteBackups(databasePath: path, key: key, logger: logger))
        case .postgres(let url):
            return try await Database.withOpened(url: configuration.persistence.databaseURL, postgresSearchPath: configuration.persistence.databaseSchema,
                                                 postgresMaxConnections: 2, logger: logger) { database in
                try await body(PostgresBackups(database: database, url: url, key: key, logger: logger))
            }
        case .sqliteMemory:
            throw ValidationError("an in-memory database has nothing to back up")
        }
    }

    static func defaultFolder(_ storage: StorageOptions) -> String {
        (try? storage.configuration())?.persistence.backupDirectory ?? "./data/backups"
    }

    /// Runs `body` with a local folder for `place`: the folder itself, or a scratch one that is
    /// removed afterwards (for a bucket).
    static func withLocalFolder<T>(for place: BackupPlace, _ body: (URL) async throws -> T) async throws -> T {
        if case .folder(let url) = place { return try await body(url) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: scratch) }
        return try await body(scratch)
    }

    /// Runs `body` with the backup `file` as a local file (fetched first from an `s3://` address);
    /// without `file`, the newest backup in the default place.
    static func withArchive<T>(_ file: String?, storage: StorageOptions, _ body: (URL) async throws -> T) async throws -> T {
        let environment = ProcessInfo.processInfo.environment
        let place: BackupPlace
        let name: String
        if let file {
            guard file.hasPrefix("s3://") else { return try await body(URL(fileURLWithPath: file)) }
            let url = URL(string: file)
            name = url?.lastPathComponent ?? file
            place = try BackupPlace.parse(String(file.dropLast(name.count)), environment: environment)
        } else {
            place = try BackupPlace.parse(defaultFolder(storage), environment: environment)
            guard let newest = try await place.list().last else {
                throw ValidationError("no backups in \(place.description); name a .gmbackup file")
            }
            name = newest
        }
        return try await withLocalFolder(for: place) { folder in try await body(try await place.fetch(name, into: folder)) }
    }
}
