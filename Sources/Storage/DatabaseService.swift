import ServiceLifecycle

/// Keeps the database open for the life of the service group and closes it on shutdown.
///
/// Listed before the HTTP server in the group, so it shuts down after the server has drained.
public struct DatabaseService: Service {
    let database: Database

    /// Wraps `database` so the service group closes it last.
    public init(database: Database) {
        self.database = database
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await database.close()
    }
}
