import ServiceLifecycle

/// Runs the database's background work (PostgreSQL's connection pool, SQLite's group commits)
/// for the life of the service group, and closes the database on shutdown.
///
/// Listed before the HTTP server in the group, so it shuts down after the server has drained.
public struct DatabaseService: Service {
    let database: Database

    /// Wraps `database` so the service group runs it and closes it last.
    public init(database: Database) {
        self.database = database
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await database.run() }
            try? await gracefulShutdown()
            await database.close()
        }
    }
}
