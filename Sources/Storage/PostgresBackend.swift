import Foundation
import Logging
import PostgresKit
import PostgresNIO
import SQLKit

/// PostgreSQL behind ``Database``: a PostgresNIO connection pool; every read and every
/// transaction leases one connection for its whole length.
final class PostgresBackend: Sendable {
    let client: PostgresClient
    /// The pool's own work (connecting, keeping connections alive) runs for the backend's life
    /// and ends in ``close()``; the database must work before any service group starts, since
    /// migrations run first.
    private let runner: Task<Void, Never>

    init(url: String, searchPath: String?, maximumConnections: Int, logger: Logger) throws {
        let parsed: SQLPostgresConfiguration
        do {
            parsed = try SQLPostgresConfiguration(url: url)
        } catch {
            throw StorageError.invalidDatabaseURL("cannot read the PostgreSQL URL (\(error))")
        }
        let core = parsed.coreConfiguration
        guard let host = core.host else { throw StorageError.invalidDatabaseURL("a PostgreSQL URL needs a host") }
        let tls: PostgresClient.Configuration.TLS
        switch (core.tls.isEnforced, core.tls.isAllowed, core.tls.sslContext) {
        case (true, _, let context?): tls = .require(context.configuration)
        case (_, true, let context?): tls = .prefer(context.configuration)
        default: tls = .disable
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: core.port ?? 5432, username: core.username, password: core.password, database: core.database, tls: tls
        )
        configuration.options.maximumConnections = maximumConnections
        if let searchPath {
            configuration.options.additionalStartupParameters = [("search_path", searchPath)]
        }
        // The pool warns when a lease comes before run() has started; that race is harmless here.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: configuration, backgroundLogger: poolLogger)
        self.client = client
        self.runner = Task { await client.run() }
    }

    func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(connection.sql())
        }
    }

    func transaction<T: Sendable>(logger: Logger, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await runTransaction(on: connection.sql(), begin: "BEGIN", logger: logger, body)
        }
    }

    func close() async {
        runner.cancel()
        await runner.value
    }
}
