import Foundation
import Logging
import PostgresKit
import PostgresNIO
import SQLKit

/// PostgreSQL behind ``Database``: a PostgresNIO connection pool; every read and every
/// transaction leases one connection for its whole length.
///
/// The pool's own work (connecting, keeping connections alive) runs in ``run()``, which the
/// database's owner calls: ``DatabaseService`` in the service group, or ``Database/withOpened``
/// for a command. Leases taken before it starts wait for it.
final class PostgresBackend: Sendable {
    let client: PostgresClient

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
        // The pool warns when a lease comes before run() has started (migrations run while the
        // service group starts); such a lease waits for it, so the warning is noise here.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: configuration, backgroundLogger: poolLogger)
        self.client = client
    }

    /// Runs the pool until the calling task is cancelled; its connections are closed on return.
    func run() async {
        await client.run()
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
}
