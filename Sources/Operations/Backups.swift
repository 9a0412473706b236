import Crypto
import Foundation
import Logging
import Storage

/// What a backup holds, written beside it (`NAME.manifest.json`): no personal data, only counts.
public struct BackupManifest: Codable, Sendable, Equatable {
    /// The manifest's own format.
    public var format = 1
    /// When the snapshot was taken (every order committed before it is in the backup).
    public var createdAt: Date
    /// `sqlite` or `postgres`.
    public var engine: String
    /// The newest migration the backed-up database had.
    public var schemaVersion: String?
    /// The GoMart that took it.
    public var gomartVersion: String
    /// Rows per table.
    public var rowCounts: [String: Int]
    /// The backup file's size and SHA-256 (hex).
    public var archiveBytes: Int
    public var archiveSHA256: String
    /// The database's size before compression.
    public var databaseBytes: Int

    /// The manifest beside the backup file at `archive`.
    public static func url(for archive: URL) -> URL {
        archive.deletingPathExtension().appendingPathExtension("manifest.json")
    }

    /// Times to the millisecond (`2026-11-30T23:05:14.123Z`): an order acknowledged a moment
    /// before the backup is told apart from one a moment after.
    static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// The manifest's JSON encoder.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(timeFormat))
        }
        return encoder
    }

    /// Reads the manifest beside `archive`.
    public static func read(for archive: URL) throws -> BackupManifest {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            return try (try? timeFormat.parse(text)) ?? Date.ISO8601FormatStyle().parse(text)
        }
        do {
            return try decoder.decode(BackupManifest.self, from: Data(contentsOf: url(for: archive)))
        } catch {
            throw BackupArchive.Unreadable(description: "no readable manifest beside \(archive.lastPathComponent) (\(url(for: archive).lastPathComponent))")
        }
    }
}

/// The version of GoMart, as backups and `gomart --version` give it.
public enum GoMartVersion {
    public static let current = "0.14.0"
}

/// Backups of either engine, as the `gomart backup` and `gomart restore` commands use them.
public protocol ShopBackups: Sendable {
    /// What is backed up or restored over, for messages.
    var target: String { get }
    /// Takes a consistent backup into `folder` while the shop keeps selling.
    func backUp(into folder: URL) async throws -> SQLiteBackups.Taken
    /// Reads a backup back and compares it with its manifest.
    func verify(_ archive: URL) async throws -> SQLiteBackups.Verification
    /// Restores a backup; refuses a database that holds tables unless `force`.
    func restore(_ archive: URL, force: Bool) async throws -> SQLiteBackups.Verification
}

/// Backups of the embedded SQLite database: taken online, checked by restoring them into a
/// scratch folder, restored into an empty data folder.
public struct SQLiteBackups: ShopBackups {
    /// The live database file.
    public let databasePath: String
    public var target: String { databasePath }
    public let key: BackupKey
    public let logger: Logger
    /// Now (a test clock in tests).
    let now: @Sendable () -> Date

    public init(databasePath: String, key: BackupKey, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.databasePath = databasePath
        self.key = key
        self.logger = logger
        self.now = now
    }

    /// A backup just taken: where it is and what it holds.
    public struct Taken: Sendable {
        public var archive: URL
        public var manifest: BackupManifest
    }

    /// Takes a backup into `folder` (created 0700 if missing): a consistent snapshot, checked,
    /// compressed and encrypted, with its manifest. The shop may keep selling meanwhile.
    public func backUp(into folder: URL) async throws -> Taken {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let scratch = try Self.scratchFolder(near: folder)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let taken = now()
        let snapshot = scratch.appendingPathComponent("snapshot.sqlite")
        try await SQLiteFiles.snapshot(of: databasePath, to: snapshot.path, logger: logger)
        let inspection = try await SQLiteFiles.inspect(snapshot.path, logger: logger)
        guard inspection.integrity == "ok" else { throw BackupArchive.Unreadable(description: "the snapshot failed its integrity check: \(inspection.integrity)") }

        return try Self.seal(snapshot, into: folder, key: key, manifest: BackupManifest(
            createdAt: taken, engine: "sqlite", schemaVersion: inspection.schemaVersion, gomartVersion: GoMartVersion.current,
            rowCounts: inspection.rowCounts, archiveBytes: 0, archiveSHA256: "",
            databaseBytes: (try FileManager.default.attributesOfItem(atPath: snapshot.path)[.size] as? Int) ?? 0
        ))
    }

    /// Encrypts `file` into `folder` as `gomart-<time>.gmbackup` beside its manifest (the
    /// archive's size and checksum filled in). Both engines' backups end here.
    static func seal(_ file: URL, into folder: URL, key: BackupKey, manifest: BackupManifest) throws -> Taken {
        var name = "gomart-" + stamp(manifest.createdAt)
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent(name + ".gmbackup").path) {
            name += "-" + UUID().uuidString.prefix(4).lowercased() // two in one second
        }
        let archive = folder.appendingPathComponent(name + ".gmbackup")
        let partial = folder.appendingPathComponent(name + ".gmbackup.partial")
        var manifest = manifest
        manifest.archiveBytes = try BackupArchive.seal(file, to: partial, key: key)
        manifest.archiveSHA256 = try sha256(of: partial)
        // The manifest first and the backup's final name last: a backup file with its name is complete.
        try BackupManifest.encoder().encode(manifest).write(to: BackupManifest.url(for: archive), options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: BackupManifest.url(for: archive).path)
        try FileManager.default.moveItem(at: partial, to: archive)
        return Taken(archive: archive, manifest: manifest)
    }

    /// The manifest beside `archive`, once the archive's checksum matches it.
    static func checkedManifest(_ archive: URL) throws -> BackupManifest {
        let manifest = try BackupManifest.read(for: archive)
        guard try sha256(of: archive) == manifest.archiveSHA256 else {
            throw BackupArchive.Unreadable(description: "\(archive.lastPathComponent) does not match its manifest's checksum: damaged or replaced")
        }
        return manifest
    }

    /// What checking a backup found.
    public struct Verification: Sendable {
        public var manifest: BackupManifest
        public var restored: SQLiteFiles.Inspection
        /// Tables whose rows differ from the manifest's counts (none when all is well).
        public var mismatches: [String] {
            Set(manifest.rowCounts.keys).union(restored.rowCounts.keys).sorted().filter { manifest.rowCounts[$0] != restored.rowCounts[$0] }
        }
        public var isGood: Bool { restored.integrity == "ok" && mismatches.isEmpty }

        public init(manifest: BackupManifest, restored: SQLiteFiles.Inspection) {
            self.manifest = manifest
            self.restored = restored
        }

        /// Throws unless the backup is good: nothing is restored from a bad one.
        func requireGood(_ archive: URL) throws {
            guard !isGood else { return }
            throw BackupArchive.Unreadable(description: "\(archive.lastPathComponent) failed its check: integrity \(restored.integrity), "
                + "mismatched tables: \(mismatches.joined(separator: ", "))")
        }
    }

    /// Restores `archive` into a scratch folder, checks it and compares it with its manifest.
    public func verify(_ archive: URL) async throws -> Verification {
        let scratch = try Self.scratchFolder(near: archive.deletingLastPathComponent())
        defer { try? FileManager.default.removeItem(at: scratch) }
        return try await check(archive, openedTo: scratch.appendingPathComponent("restored.sqlite"))
    }

    /// Decrypts `archive` into the new file `file`, checks it and compares it with its manifest.
    func check(_ archive: URL, openedTo file: URL) async throws -> Verification {
        let manifest = try Self.checkedManifest(archive)
        guard manifest.engine == "sqlite" else {
            throw BackupArchive.Unreadable(description: "\(archive.lastPathComponent) is a backup of a \(manifest.engine) database")
        }
        try BackupArchive.open(archive, to: file, key: key)
        return Verification(manifest: manifest, restored: try await SQLiteFiles.inspect(file.path, logger: logger))
    }

    /// Restores `archive` as the database file. Refuses when a database with tables is there,
    /// unless `force` (the shop must be stopped first: a running one would keep its old file open).
    /// The backup is decrypted once, beside the database, checked there, then moved in.
    public func restore(_ archive: URL, force: Bool) async throws -> Verification {
        if FileManager.default.fileExists(atPath: databasePath), !force {
            let existing = try await SQLiteFiles.inspect(databasePath, logger: logger)
            guard existing.rowCounts.isEmpty else {
                throw BackupArchive.Unreadable(description: "\(databasePath) already holds a database (\(existing.rowCounts.count) tables); "
                    + "stop the shop and pass --force to replace it")
            }
        }
        let target = URL(fileURLWithPath: databasePath)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let incoming = target.deletingLastPathComponent().appendingPathComponent(".restoring-" + target.lastPathComponent)
        try? FileManager.default.removeItem(at: incoming)
        let verification: Verification
        do {
            verification = try await check(archive, openedTo: incoming)
            try verification.requireGood(archive)
        } catch {
            try? FileManager.default.removeItem(at: incoming)
            throw error
        }
        // The old file's write-ahead log belongs to the old file: it must not be replayed onto the new one.
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: databasePath + suffix) }
        if FileManager.default.fileExists(atPath: databasePath) {
            _ = try FileManager.default.replaceItemAt(target, withItemAt: incoming)
        } else {
            try FileManager.default.moveItem(at: incoming, to: target)
        }
        return verification
    }

    /// The backups in `folder`, oldest first.
    public static func list(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasPrefix("gomart-") && $0.hasSuffix(".gmbackup") }.sorted().map { folder.appendingPathComponent($0) }
    }

    static func scratchFolder(near folder: URL) throws -> URL {
        let scratch = folder.appendingPathComponent(".scratch-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return scratch
    }

    /// `20261130T230512Z`: sorts by time, and is safe in any file system.
    static func stamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func padded(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return padded(c.year, 4) + padded(c.month, 2) + padded(c.day, 2) + "T" + padded(c.hour, 2) + padded(c.minute, 2) + padded(c.second, 2) + "Z"
    }

    /// When the backup named `gomart-20261130T230512Z….gmbackup` was taken (to the second).
    public static func date(fromName name: String) -> Date? {
        let digits = name.dropFirst("gomart-".count).prefix(16)
        guard name.hasPrefix("gomart-"), digits.count == 16, digits.last == "Z" else { return nil }
        let parts = [digits.prefix(4), digits.dropFirst(4).prefix(2), digits.dropFirst(6).prefix(2),
                     digits.dropFirst(9).prefix(2), digits.dropFirst(11).prefix(2), digits.dropFirst(13).prefix(2)].compactMap { Int($0) }
        guard parts.count == 6 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4], second: parts[5]))
    }

    static func sha256(of file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var hash = SHA256()
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty { hash.update(data: block) }
        return hash.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
