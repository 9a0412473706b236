import Foundation
import Logging
import SQLKit
import Security
import ServiceLifecycle
import Storage

/// Rotation of the key that seals personal data: the `data_keys` table (each version wrapped
/// with the master-derived wrapping key), adding a version, and re-sealing every sealed column
/// with the newest one in batches.
public struct DataKeyRotation: Sendable {
    let database: Database
    let keys: SecretKeys
    let vault: PersonalDataVault
    /// Every column holding sealed data, as the modules owning the tables declare them.
    let columns: [SealedColumn]

    /// Creates the rotation over `columns`.
    public init(database: Database, keys: SecretKeys, columns: [SealedColumn]) {
        self.database = database
        self.keys = keys
        self.vault = PersonalDataVault(keys: keys)
        self.columns = columns
    }

    /// The table the key versions live in.
    public static let migrations: [Migration] = [
        Migration(id: "0070_keys_data_keys") { sql, _ in
            try await sql.create(table: "data_keys")
                .column("version", type: .bigint, .primaryKey(autoIncrement: false))
                .column("wrapped_key", type: .text, .notNull)
                .column("activates_at", type: .bigint, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
        },
    ]

    /// Reads the stored versions into this process's keyring.
    public func refresh() async throws {
        let rows = try await database.read { sql in
            try await sql.select().columns("version", "wrapped_key", "activates_at").from("data_keys").orderBy("version").all()
        }
        try keys.dataKeys.install(try rows.map {
            DataKeyring.StoredKey(version: Int(try $0.decode(column: "version", as: Int64.self)), wrapped: try $0.decode(column: "wrapped_key", as: String.self),
                                  activatesAt: try $0.decode(column: "activates_at", as: Int64.self))
        })
    }

    /// Adds the next key version, which starts sealing `activateAfter` from now: long enough for
    /// every running instance to have read it (they do every ``KeyringService/refreshInterval``).
    @discardableResult
    public func rotate(activateAfter: Duration, now: Date = Date()) async throws -> DataKeyring.StoredKey {
        try await refresh()
        let latest = keys.dataKeys.knownVersions.max() ?? 1
        let stored = try keys.dataKeys.newVersion(after: latest, activatesAt: Int64(now.timeIntervalSince1970) + activateAfter.components.seconds)
        try await database.transaction { sql in
            try await sql.insert(into: "data_keys")
                .columns("version", "wrapped_key", "activates_at", "created_at")
                .values(SQLBind(Int64(stored.version)), SQLBind(stored.wrapped), SQLBind(stored.activatesAt), SQLBind(Int64(now.timeIntervalSince1970)))
                .run()
        }
        try keys.dataKeys.install([stored])
        return stored
    }

    /// How many values of each column are not yet sealed with the version that seals now.
    public func remaining() async throws -> [SealedColumn: Int] {
        let current = "v\(keys.dataKeys.sealingVersion).%"
        var counts: [SealedColumn: Int] = [:]
        for column in columns {
            counts[column] = try await database.read { sql in
                try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(column.table)
                    .where(SQLIdentifier(column.column), .isNot, SQLLiteral.null)
                    .where(SQLIdentifier(column.column), .notLike, SQLBind(current))
                    .first()?.decode(column: "n", as: Int.self) ?? 0
            }
        }
        return counts
    }

    /// Re-seals up to `batchSize` values of the first column that has any left, each with a
    /// conditional update (a value changed meanwhile is left for the next batch); returns how
    /// many were re-sealed, 0 when everything is sealed with the current version.
    public func resealBatch(batchSize: Int = 500) async throws -> Int {
        let current = "v\(keys.dataKeys.sealingVersion).%"
        for column in columns {
            let rows = try await database.read { sql in
                try await sql.select().column("id").column(SQLIdentifier(column.column), as: "sealed").from(column.table)
                    .where(SQLIdentifier(column.column), .isNot, SQLLiteral.null)
                    .where(SQLIdentifier(column.column), .notLike, SQLBind(current))
                    .orderBy("id").limit(batchSize).all()
            }
            guard !rows.isEmpty else { continue }
            let changes = try rows.compactMap { row -> (Int64, String, String)? in
                let sealed = try row.decode(column: "sealed", as: String.self)
                guard let resealed = try vault.resealed(sealed) else { return nil }
                return (try row.decode(column: "id", as: Int64.self), sealed, resealed)
            }
            try await database.transaction { sql in
                for (id, old, new) in changes {
                    try await sql.update(column.table).set(SQLIdentifier(column.column), to: SQLBind(new))
                        .where("id", .equal, SQLBind(id)).where(SQLIdentifier(column.column), .equal, SQLBind(old)).run()
                }
            }
            return changes.count
        }
        return 0
    }
}

/// Keeps this process's keyring current (every `refreshInterval`) and, where background jobs run,
/// re-seals personal data with the newest key version under a job lease, one batch at a time,
/// until none is left.
public struct KeyringService: Service {
    /// How often every process reads the key versions again.
    public static let refreshInterval = Duration.seconds(10)

    let rotation: DataKeyRotation
    let reseals: Bool
    let lease: JobLease
    let logger: Logger

    /// Creates the service; `reseals` where background jobs run.
    public init(rotation: DataKeyRotation, reseals: Bool, database: Database, logger: Logger) {
        self.rotation = rotation
        self.reseals = reseals
        self.lease = JobLease(name: "data-key-reseal", ttlSeconds: 60, database: database)
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await rotation.refresh()
                    if reseals, try await lease.acquire() {
                        var total = 0
                        while !Task.isCancelled {
                            let done = try await rotation.resealBatch()
                            if done == 0 { break }
                            total += done
                            _ = try await lease.acquire()
                        }
                        if total > 0 {
                            logger.notice("re-sealed personal data with the newest key", metadata: [
                                "values": .stringConvertible(total), "keyVersion": .stringConvertible(rotation.keys.dataKeys.sealingVersion),
                            ])
                        }
                    }
                } catch is CancellationError {
                    break // shutting down
                } catch {
                    logger.error("could not refresh the data keys or re-seal", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: Self.refreshInterval)
            }
        }
        if reseals { try? await lease.release() }
    }
}
