import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit

/// Whole SQLite database files, for backups: a consistent copy taken while the shop writes, and
/// what a copy holds.
public enum SQLiteFiles {
    /// What a database file holds: SQLite's integrity verdict, the rows of every table and the
    /// newest migration applied.
    public struct Inspection: Sendable, Equatable {
        /// `ok`, or SQLite's first complaint.
        public var integrity: String
        /// Rows per table.
        public var rowCounts: [String: Int]
        /// The newest migration applied (nil for a file without the migrations table).
        public var schemaVersion: String?

        public init(integrity: String, rowCounts: [String: Int], schemaVersion: String?) {
            self.integrity = integrity
            self.rowCounts = rowCounts
            self.schemaVersion = schemaVersion
        }
    }

    /// Writes one consistent snapshot of the database at `source` to the new file `destination`
    /// (`VACUUM INTO`: a read transaction, so the shop keeps selling and committing meanwhile; the
    /// copy holds exactly what was committed when it began).
    public static func snapshot(of source: String, to destination: String, logger: Logger) async throws {
        guard FileManager.default.fileExists(atPath: source) else { throw StorageError.invalidDatabaseURL("no database at \(source)") }
        try await withConnection(source, logger: logger) { sql in
            try await sql.raw("VACUUM INTO \(bind: destination)").run()
        }
    }

    /// Checks the file at `path` and counts what it holds.
    public static func inspect(_ path: String, logger: Logger) async throws -> Inspection {
        guard FileManager.default.fileExists(atPath: path) else { throw StorageError.invalidDatabaseURL("no database at \(path)") }
        return try await withConnection(path, logger: logger) { sql in
            let verdicts = try await sql.raw("PRAGMA integrity_check").all().map { try $0.decode(column: "integrity_check", as: String.self) }
            let tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
                .all().map { try $0.decode(column: "name", as: String.self) }
            var counts: [String: Int] = [:]
            for table in tables {
                counts[table] = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? 0
            }
            var version: String?
            if tables.contains("schema_migrations") {
                version = try await sql.raw("SELECT MAX(id) AS id FROM schema_migrations").first()?.decode(column: "id", as: String?.self)
            }
            return Inspection(integrity: verdicts == ["ok"] ? "ok" : verdicts.prefix(3).joined(separator: "; "), rowCounts: counts, schemaVersion: version)
        }
    }

    /// Runs `body` on a connection of its own to the file at `path`, closed afterwards.
    private static func withConnection<T: Sendable>(_ path: String, logger: Logger, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let threads = NIOThreadPool(numberOfThreads: 1)
        threads.start()
        do {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threads, logger: logger,
                                                             on: MultiThreadedEventLoopGroup.singleton.next()).get()
            let result: T
            do {
                try await connection.sql().raw("PRAGMA busy_timeout = 5000").run()
                result = try await body(connection.sql())
            } catch {
                try? await connection.close().get()
                throw error
            }
            try await connection.close().get()
            try await threads.shutdownGracefully()
            return result
        } catch {
            try? await threads.shutdownGracefully()
            throw error
        }
    }
}
