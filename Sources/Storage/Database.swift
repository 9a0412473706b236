import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization

/// The shop's database: a read path for queries and a transactional write path, over one engine.
///
/// On SQLite (the embedded default) there is one writer connection, used under a FIFO lock,
/// and several read-only connections that read concurrently thanks to WAL mode. Every
/// connection runs with `foreign_keys=ON`, `synchronous=FULL` and a busy timeout.
public final class Database: Sendable {
    /// The engine behind this database; repositories consult it only through `Storage` helpers.
    public let engine: SQLEngine
    /// Where the database lives (password-free description for logs).
    public let url: DatabaseURL

    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncLock()
    private let nextReader = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)
    private let logger: Logger

    private init(url: DatabaseURL, writer: SQLiteConnection, readers: [SQLiteConnection], logger: Logger) {
        self.engine = url.engine
        self.url = url
        self.writer = writer
        self.readers = readers
        self.logger = logger
    }

    /// Opens the database at `url`, creating the SQLite file and its folder if needed.
    public static func open(url: DatabaseURL, readerCount: Int = 4, logger: Logger) async throws -> Database {
        switch url {
        case .postgres:
            throw StorageError.engineNotSupported(.postgres)
        case .sqliteMemory:
            // An in-memory database is private to its connection, so one connection serves all.
            let connection = try await SQLiteConnection.open(storage: .memory, logger: logger)
            try await configure(connection, readOnly: false)
            return Database(url: url, writer: connection, readers: [], logger: logger)
        case .sqliteFile(let path):
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            try await configure(writer, readOnly: false)
            var readers: [SQLiteConnection] = []
            for _ in 0..<max(readerCount, 1) {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                try await configure(reader, readOnly: true)
                readers.append(reader)
            }
            return Database(url: url, writer: writer, readers: readers, logger: logger)
        }
    }

    private static func configure(_ connection: SQLiteConnection, readOnly: Bool) async throws {
        let sql = connection.sql()
        try await sql.raw("PRAGMA busy_timeout = 5000").run()
        if !readOnly {
            // WAL is a property of the file; memory databases report "memory" and that is fine.
            try await sql.raw("PRAGMA journal_mode = WAL").run()
        }
        try await sql.raw("PRAGMA synchronous = FULL").run()
        try await sql.raw("PRAGMA foreign_keys = ON").run()
        if readOnly {
            try await sql.raw("PRAGMA query_only = ON").run()
        }
    }

    /// Runs read-only queries. Never use this path to change data.
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard !closed.load(ordering: .relaxed) else { throw StorageError.closed }
        if readers.isEmpty {
            return try await writeLock.withLock { try await body(writer.sql()) }
        }
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        return try await body(readers[abs(index % readers.count)].sql())
    }

    /// Runs `body` in one transaction: all of its changes are committed together, or none are.
    ///
    /// The transaction starts with `BEGIN IMMEDIATE` on SQLite so that it holds the write lock
    /// from its first statement and never fails half-way with `SQLITE_BUSY`.
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard !closed.load(ordering: .relaxed) else { throw StorageError.closed }
        return try await writeLock.withLock {
            let sql = writer.sql()
            try await sql.raw("BEGIN IMMEDIATE").run()
            do {
                let result = try await body(sql)
                try await sql.raw("COMMIT").run()
                return result
            } catch {
                do {
                    try await sql.raw("ROLLBACK").run()
                } catch let rollbackError {
                    logger.error("rollback failed", metadata: ["error": "\(rollbackError)"])
                }
                throw error
            }
        }
    }

    /// Checks that the database answers a trivial query.
    public func ping() async throws {
        _ = try await read { sql in try await sql.raw("SELECT 1 AS one").first() != nil }
    }

    /// Closes every connection. Further calls fail with ``StorageError/closed``.
    public func close() async {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        try? await writeLock.withLock {
            for reader in readers { try? await reader.close() }
            try? await writer.close()
        }
    }
}
