import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization

/// SQLite behind ``Database``: one writer under a FIFO lock, several read-only readers.
final class SQLiteBackend: Sendable {
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writeLock: AsyncLock
    private let nextReader = Atomic<Int>(0)
    /// SQLite's calls block, so they run on threads of their own: one per connection, so that
    /// every reader and the writer can work at once (the shared default pool has one per core).
    private let threads: NIOThreadPool
    private let groupCommit: GroupCommit
    /// Turns with other processes writing the same file.
    private let fileLock: WriterFileLock?

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], threads: NIOThreadPool, fileLock: WriterFileLock? = nil, logger: Logger) {
        self.writer = writer
        self.readers = readers
        self.threads = threads
        self.fileLock = fileLock
        let lock = AsyncLock()
        self.writeLock = lock
        self.groupCommit = GroupCommit(lock: lock, fileLock: fileLock, logger: logger) { writer.sql() }
    }

    private static func connect(_ storage: SQLiteConnection.Storage, threads: NIOThreadPool, logger: Logger) async throws -> SQLiteConnection {
        try await SQLiteConnection.open(storage: storage, threadPool: threads, logger: logger, on: MultiThreadedEventLoopGroup.singleton.next()).get()
    }

    static func open(url: DatabaseURL, readerCount: Int, logger: Logger) async throws -> SQLiteBackend {
        switch url {
        case .sqliteFile(let path):
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            if !FileManager.default.fileExists(atPath: directory.path) {
                // The data directory holds personal data (sealed) and keys: the shop's user only.
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            // Created private, and tightened if an older version left them readable by others;
            // SQLite gives its -wal and -shm files the database file's mode.
            if !FileManager.default.fileExists(atPath: path) {
                FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
            }
            let threads = NIOThreadPool(numberOfThreads: max(readerCount, 1) + 1)
            threads.start()
            do {
                let writer = try await connect(.file(path: path), threads: threads, logger: logger)
                try await configure(writer, readOnly: false)
                var readers: [SQLiteConnection] = []
                for _ in 0..<max(readerCount, 1) {
                    let reader = try await connect(.file(path: path), threads: threads, logger: logger)
                    try await configure(reader, readOnly: true)
                    readers.append(reader)
                }
                return SQLiteBackend(writer: writer, readers: readers, threads: threads, fileLock: try WriterFileLock(databasePath: path), logger: logger)
            } catch {
                try? await threads.shutdownGracefully()
                throw error
            }
        default:
            // An in-memory database is private to its connection, so one connection serves all.
            let threads = NIOThreadPool(numberOfThreads: 1)
            threads.start()
            let connection = try await connect(.memory, threads: threads, logger: logger)
            try await configure(connection, readOnly: false)
            return SQLiteBackend(writer: connection, readers: [], threads: threads, logger: logger)
        }
    }

    private static func configure(_ connection: SQLiteConnection, readOnly: Bool) async throws {
        let sql = connection.sql()
        // The shop's own processes take turns at writing through ``WriterFileLock`` and never wait
        // here; other programs on the file (the sqlite3 shell, a replicator) may hold it a while.
        try await sql.raw("PRAGMA busy_timeout = 30000").run()
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

    func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        if readers.isEmpty {
            return try await writeLock.withLock { try await body(writer.sql()) }
        }
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        return try await body(readers[abs(index % readers.count)].sql())
    }

    /// `BEGIN IMMEDIATE` takes SQLite's write lock at the first statement, so a transaction
    /// never fails half-way with `SQLITE_BUSY`.
    ///
    /// Transactions share commits (``GroupCommit``): one disk sync makes a whole batch durable.
    func transaction<T: Sendable>(logger: Logger, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await groupCommit.transaction(body)
    }

    /// Commits transactions (``GroupCommit``) until ``stopCommitting()``.
    func runCommits() async {
        await groupCommit.run()
    }

    /// Ends ``runCommits()`` after the batch in hand.
    func stopCommitting() {
        groupCommit.stop()
    }

    func close() async {
        // The future-based close runs even when the closing task is cancelled (a service group
        // that ends on an error cancels it); the async one would skip the close.
        try? await writeLock.withLock {
            for reader in readers { try? await reader.close().get() }
            try? await writer.close().get()
        }
        await fileLock?.close()
        try? await threads.shutdownGracefully()
    }
}
