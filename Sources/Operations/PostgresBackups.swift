import Foundation
import Logging
import SQLKit
import Storage

/// Backups of a PostgreSQL database with `pg_dump` (custom format), encrypted like SQLite's.
///
/// The rows are counted in the very snapshot `pg_dump` reads: a repeatable-read transaction
/// exports its snapshot, counts every table of the shop's schema, and holds the snapshot open
/// while `pg_dump --snapshot` runs. Verifying needs no database: `pg_restore` turns the archive
/// back into SQL, and the rows of each table's `COPY` block are counted against the manifest.
public struct PostgresBackups: ShopBackups {
    let database: Database
    /// The libpq address `pg_dump` and `pg_restore` connect with (the owner's, for restores).
    let url: String
    public let key: BackupKey
    let logger: Logger

    public var target: String { "the PostgreSQL database" }

    public init(database: Database, url: String, key: BackupKey, logger: Logger) {
        self.database = database
        self.url = url
        self.key = key
        self.logger = logger
    }

    /// Takes a backup into `folder`, as ``SQLiteBackups/backUp(into:)`` does.
    public func backUp(into folder: URL) async throws -> SQLiteBackups.Taken {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let scratch = try SQLiteBackups.scratchFolder(near: folder)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let dump = scratch.appendingPathComponent("dump.pgcustom")
        let url = url
        let (taken, schema, counts, version) = try await database.transaction { sql -> (Date, String, [String: Int], String?) in
            try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").run()
            let snapshot = try await sql.raw("SELECT pg_export_snapshot() AS id").first()?.decode(column: "id", as: String.self) ?? ""
            let taken = Date()
            let schema = try await sql.raw("SELECT current_schema() AS name").first()?.decode(column: "name", as: String.self) ?? "public"
            let tables = try await sql.raw("""
                SELECT table_name FROM information_schema.tables WHERE table_schema = \(bind: schema) AND table_type = 'BASE TABLE' ORDER BY table_name
                """).all().map { try $0.decode(column: "table_name", as: String.self) }
            var counts: [String: Int] = [:]
            for table in tables {
                counts[table] = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: schema).\(ident: table)").first()?.decode(column: "n", as: Int.self) ?? 0
            }
            let version = tables.contains("schema_migrations")
                ? try await sql.raw("SELECT MAX(id) AS id FROM \(ident: schema).schema_migrations").first()?.decode(column: "id", as: String?.self) : nil
            try await Self.tool("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--snapshot=\(snapshot)", "--schema=\(schema)",
                                             "--file=\(dump.path)", "--dbname=\(url)"])
            return (taken, schema, counts, version)
        }
        logger.info("pg_dump finished", metadata: ["schema": "\(schema)"])
        return try SQLiteBackups.seal(dump, into: folder, key: key, manifest: BackupManifest(
            createdAt: taken, engine: "postgres", schemaVersion: version, gomartVersion: GoMartVersion.current, rowCounts: counts,
            archiveBytes: 0, archiveSHA256: "", databaseBytes: (try FileManager.default.attributesOfItem(atPath: dump.path)[.size] as? Int) ?? 0
        ))
    }

    /// Decrypts `archive`, has `pg_restore` read all of it back as SQL and counts each table's rows.
    public func verify(_ archive: URL) async throws -> SQLiteBackups.Verification {
        let (scratch, dump) = try decrypted(archive)
        defer { try? FileManager.default.removeItem(at: scratch) }
        return try await check(archive, dump: dump, scratch: scratch)
    }

    /// Compares the decrypted `dump` of `archive` with its manifest.
    func check(_ archive: URL, dump: URL, scratch: URL) async throws -> SQLiteBackups.Verification {
        let manifest = try SQLiteBackups.checkedManifest(archive)
        let script = scratch.appendingPathComponent("restore.sql")
        try await Self.tool("pg_restore", ["--data-only", "--file=\(script.path)", dump.path])
        // Tables without rows have no COPY block: they count as 0 when the manifest has them.
        var restored = manifest.rowCounts.mapValues { _ in 0 }
        restored.merge(try Self.copyRowCounts(script)) { _, counted in counted }
        return SQLiteBackups.Verification(manifest: manifest, restored: SQLiteFiles.Inspection(integrity: "ok", rowCounts: restored,
                                                                                                schemaVersion: manifest.schemaVersion))
    }

    /// Restores `archive` into the database. Refuses when the shop's schema already has tables,
    /// unless `force` (then existing objects are dropped and recreated). The backup is decrypted
    /// once, checked, then restored from the same dump.
    public func restore(_ archive: URL, force: Bool) async throws -> SQLiteBackups.Verification {
        let existing = try await database.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()").first()?
                .decode(column: "n", as: Int.self) ?? 0
        }
        guard existing == 0 || force else {
            throw BackupArchive.Unreadable(description: "the database already holds \(existing) tables; stop the shop and pass --force to replace them")
        }
        let (scratch, dump) = try decrypted(archive)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let verification = try await check(archive, dump: dump, scratch: scratch)
        try verification.requireGood(archive)
        // The schema itself is made here if missing, and left out of the restore: a new
        // database already has `public`, and `CREATE SCHEMA public` would fail.
        let list = scratch.appendingPathComponent("toc.list")
        try await Self.tool("pg_restore", ["--list", "--file=\(list.path)", dump.path])
        var kept: [Substring] = []
        for line in try String(contentsOf: list, encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ")
            if !line.hasPrefix(";"), fields.count >= 6, fields[3] == "SCHEMA", fields[4] == "-" {
                let schema = String(fields[5])
                try await database.transaction { sql in try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run() }
                continue
            }
            kept.append(line)
        }
        try (kept.joined(separator: "\n") + "\n").write(to: list, atomically: true, encoding: .utf8)
        var arguments = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--use-list=\(list.path)", "--dbname=\(url)"]
        if force { arguments += ["--clean", "--if-exists"] }
        try await Self.tool("pg_restore", arguments + [dump.path])
        return verification
    }

    /// The dump inside `archive`, decrypted into a new scratch folder (the caller removes it).
    func decrypted(_ archive: URL) throws -> (scratch: URL, dump: URL) {
        let scratch = try SQLiteBackups.scratchFolder(near: archive.deletingLastPathComponent())
        let dump = scratch.appendingPathComponent("dump.pgcustom")
        do {
            try BackupArchive.open(archive, to: dump, key: key)
        } catch {
            try? FileManager.default.removeItem(at: scratch)
            throw error
        }
        return (scratch, dump)
    }

    /// Rows per table in the `COPY … FROM stdin;` blocks of a SQL script from `pg_restore`.
    static func copyRowCounts(_ script: URL) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        var current: String?
        let text = try String(contentsOf: script, encoding: .utf8)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let table = current {
                if line == "\\." { current = nil } else { counts[table, default: 0] += 1 }
            } else if line.hasPrefix("COPY "), line.hasSuffix("FROM stdin;") {
                let name = line.dropFirst(5).prefix { $0 != " " && $0 != "(" }
                let table = String(name.split(separator: ".").last ?? name).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                current = table
                counts[table] = counts[table] ?? 0
            }
        }
        return counts
    }

    /// Runs a PostgreSQL client tool; its error output becomes the error.
    static func tool(_ name: String, _ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [name] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BackupArchive.Unreadable(description: "\(name) failed (\(process.terminationStatus)): "
                + String(decoding: output.prefix(600), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
