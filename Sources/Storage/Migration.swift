import SQLKit

/// One numbered, named schema change owned by a module.
///
/// Identifiers sort in the order they must run (`0001_catalog_aisles`, `0002_…`) and are recorded
/// in `schema_migrations` once applied; an applied migration is never run again.
public struct Migration: Sendable {
    /// The migration's unique, ordered identifier, e.g. `0001_catalog_aisles`.
    public let id: String
    /// Applies the change inside the migrator's transaction.
    public let apply: @Sendable (any SQLDatabase, SQLEngine) async throws -> Void

    /// Creates a migration.
    public init(id: String, apply: @escaping @Sendable (any SQLDatabase, SQLEngine) async throws -> Void) {
        self.id = id
        self.apply = apply
    }
}
