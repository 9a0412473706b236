import Foundation
import Logging
import SQLKit

/// Applies pending migrations in order, each in its own transaction, and reports their state.
public struct Migrator: Sendable {
    /// Every migration the application knows, in order.
    public let migrations: [Migration]
    /// The PostgreSQL advisory lock that serialises migrations across instances.
    static let advisoryLockKey = 7_460_301_001

    /// Creates a migrator; migrations are sorted by identifier.
    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.id < $1.id }
    }

    /// Applies every migration not yet recorded and returns the identifiers it applied.
    @discardableResult
    public func migrate(_ database: Database, logger: Logger) async throws -> [String] {
        let engine = database.engine
        try await database.transaction { sql in
            if engine == .postgres {
                try await sql.raw("SELECT pg_advisory_xact_lock(\(literal: Self.advisoryLockKey))").run()
            }
            try await sql.create(table: "schema_migrations")
                .ifNotExists()
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("applied_at", type: .text, .notNull)
                .run()
        }
        let applied = try await appliedIdentifiers(database)
        var newlyApplied: [String] = []
        for migration in migrations where !applied.contains(migration.id) {
            let engine = database.engine
            let didApply = try await database.transaction { sql -> Bool in
                if engine == .postgres {
                    // Several instances may start at once: one migrates, the others wait here and
                    // then find the migration applied. (SQLite's write lock does this by itself.)
                    try await sql.raw("SELECT pg_advisory_xact_lock(\(literal: Self.advisoryLockKey))").run()
                }
                let done = try await sql.select().column("id").from("schema_migrations")
                    .where("id", .equal, SQLBind(migration.id)).first() != nil
                guard !done else { return false }
                try await migration.apply(sql, engine)
                try await sql.insert(into: "schema_migrations")
                    .columns("id", "applied_at")
                    .values(SQLBind(migration.id), SQLBind(Date().formatted(.iso8601)))
                    .run()
                return true
            }
            guard didApply else { continue }
            logger.info("applied migration", metadata: ["migration": "\(migration.id)"])
            newlyApplied.append(migration.id)
        }
        return newlyApplied
    }

    /// The identifiers of migrations this application knows but the database has not applied.
    public func pending(_ database: Database) async throws -> [String] {
        let applied = try await appliedIdentifiers(database)
        return migrations.map(\.id).filter { !applied.contains($0) }
    }

    private func appliedIdentifiers(_ database: Database) async throws -> Set<String> {
        try await database.read { sql in
            let exists = try await Self.tableExists("schema_migrations", sql: sql, engine: database.engine)
            guard exists else { return [] }
            let rows = try await sql.select().column("id").from("schema_migrations").all()
            return Set(try rows.map { try $0.decode(column: "id", as: String.self) })
        }
    }

    static func tableExists(_ table: String, sql: any SQLDatabase, engine: SQLEngine) async throws -> Bool {
        switch engine {
        case .sqlite:
            return try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name = \(bind: table)").first() != nil
        case .postgres:
            return try await sql.raw("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename = \(bind: table)").first() != nil
        }
    }
}
