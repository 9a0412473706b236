import Foundation
import Logging
import Metrics
import PostgresNIO
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization

/// The shop's database: a read path for queries and a transactional write path, over one engine.
///
/// Repositories write their SQL once with SQLKit; this type hides how each engine runs it.
/// On SQLite (the embedded default) there is one writer connection, used under a FIFO lock,
/// and several read-only connections that read concurrently thanks to WAL mode; every
/// connection runs with `foreign_keys=ON`, `synchronous=FULL` and a busy timeout. On PostgreSQL
/// a connection pool serves both paths and transactions run at READ COMMITTED.
public final class Database: Sendable {
    /// The engine behind this database; repositories consult it only through `Storage` helpers.
    public let engine: SQLEngine
    /// Where the database lives (password-free description for logs).
    public let url: DatabaseURL

    private enum Backend: Sendable {
        case sqlite(SQLiteBackend)
        case postgres(PostgresBackend)
    }

    private let backend: Backend
    private let closed = Atomic<Bool>(false)
    /// Finished by ``close()``; ``run()`` waits on it.
    private let closing: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)
    private let logger: Logger
    /// How long reads waited for a connection, and transactions for the writer or a connection:
    /// `gomart_database_wait_seconds{engine,kind="read|write"}`, the pool's queue.
    private let waits: (read: Timer, write: Timer)
    /// `gomart_database_errors_total{engine}`: see ``isDatabaseError(_:)``.
    private let errors: Counter

    private init(url: DatabaseURL, backend: Backend, logger: Logger) {
        waits = (Timer(label: "gomart_database_wait_seconds", dimensions: [("engine", url.engine.rawValue), ("kind", "read")]),
                 Timer(label: "gomart_database_wait_seconds", dimensions: [("engine", url.engine.rawValue), ("kind", "write")]))
        errors = Counter(label: "gomart_database_errors_total", dimensions: [("engine", url.engine.rawValue)])
        self.engine = url.engine
        self.url = url
        self.backend = backend
        self.logger = logger
        self.closing = AsyncStream.makeStream(of: Void.self)
    }

    /// Opens the database at `url`, creating the SQLite file and its folder if needed.
    ///
    /// Its transactions (and on PostgreSQL every query) complete only while its ``run()`` runs: put
    /// it in the service group with ``DatabaseService``, or use
    /// ``withOpened(url:readerCount:postgresSearchPath:postgresMaxConnections:logger:_:)``.
    /// `postgresSearchPath` puts every PostgreSQL connection in one schema (tests use a schema each).
    public static func open(
        url: DatabaseURL, readerCount: Int = 4, postgresSearchPath: String? = nil, postgresMaxConnections: Int = 16, logger: Logger
    ) async throws -> Database {
        switch url {
        case .postgres(let text):
            let backend = try PostgresBackend(url: text, searchPath: postgresSearchPath, maximumConnections: postgresMaxConnections, logger: logger)
            return Database(url: url, backend: .postgres(backend), logger: logger)
        case .sqliteMemory, .sqliteFile:
            return Database(url: url, backend: .sqlite(try await SQLiteBackend.open(url: url, readerCount: readerCount, logger: logger)), logger: logger)
        }
    }

    /// Opens the database, runs `body` with it while its background work runs beside, and
    /// closes it: the scoped form for commands and tools that run outside the service group.
    /// The database is checked with a trivial query before `body` starts.
    public static func withOpened<T: Sendable>(
        url: DatabaseURL, readerCount: Int = 4, postgresSearchPath: String? = nil, postgresMaxConnections: Int = 16, logger: Logger,
        _ body: (Database) async throws -> T
    ) async throws -> T {
        let database = try await open(
            url: url, readerCount: readerCount, postgresSearchPath: postgresSearchPath, postgresMaxConnections: postgresMaxConnections, logger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.run() }
            do {
                try await database.ping()
                let value = try await body(database)
                await database.close()
                try await group.waitForAll()
                return value
            } catch {
                await database.close()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    /// Runs the database's background work until ``close()`` is called or the task is cancelled:
    /// PostgreSQL's connection pool, or SQLite's group commits. Call it once; transactions wait
    /// for it.
    public func run() async {
        let closing = closing.stream
        switch backend {
        case .sqlite(let sqlite):
            await withDiscardingTaskGroup { group in
                group.addTask { await sqlite.runCommits() }
                for await _ in closing {}
                sqlite.stopCommitting()
            }
        case .postgres(let postgres):
            await withDiscardingTaskGroup { group in
                group.addTask { await postgres.run() }
                for await _ in closing {}
                group.cancelAll()
            }
        }
    }

    /// Runs read-only queries. Never use this path to change data.
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard !closed.load(ordering: .relaxed) else { throw StorageError.closed }
        let traced = TracedSQLDatabase.wrapper(engine: engine)
        let asked = ContinuousClock.now
        let waited = waits.read
        do {
            switch backend {
            case .sqlite(let sqlite): return try await sqlite.read { sql in waited.record(duration: asked.duration(to: .now)); return try await body(traced(sql)) }
            case .postgres(let postgres): return try await postgres.read { sql in waited.record(duration: asked.duration(to: .now)); return try await body(traced(sql)) }
            }
        } catch {
            countIfDatabaseError(error)
            throw error
        }
    }

    /// Runs `body` in one transaction: all of its changes are committed together, or none are.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard !closed.load(ordering: .relaxed) else { throw StorageError.closed }
        // Made here, in the caller's task: the statements' spans belong to the caller's trace.
        let traced = TracedSQLDatabase.wrapper(engine: engine)
        let asked = ContinuousClock.now
        let waited = waits.write
        do {
            switch backend {
            case .sqlite(let sqlite):
                return try await sqlite.transaction(logger: logger) { sql in waited.record(duration: asked.duration(to: .now)); return try await body(traced(sql)) }
            case .postgres(let postgres):
                return try await postgres.transaction(logger: logger) { sql in waited.record(duration: asked.duration(to: .now)); return try await body(traced(sql)) }
            }
        } catch {
            countIfDatabaseError(error)
            throw error
        }
    }

    /// Whether the database or its driver raised `error` (a lost connection, a full disk, a busy
    /// file, a failed statement), rather than the work inside a transaction giving up for a
    /// reason of its own: what `gomart_database_errors_total{engine}` counts.
    public static func isDatabaseError(_ error: any Error) -> Bool {
        error is PSQLError || error is SQLiteError || error is StorageError
    }

    private func countIfDatabaseError(_ error: any Error) {
        if Self.isDatabaseError(error) { errors.increment() }
    }

    /// Checks that the database answers a trivial query.
    public func ping() async throws {
        _ = try await read { sql in try await sql.raw("SELECT 1 AS one").first() != nil }
    }

    /// Closes every connection. Further calls fail with ``StorageError/closed``.
    public func close() async {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        closing.continuation.finish()
        if case .sqlite(let sqlite) = backend { await sqlite.close() }
    }
}
