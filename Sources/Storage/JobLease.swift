import Foundation
import SQLKit

/// A named lease in the database that lets one instance among many run a background job.
///
/// A holder that takes the lease keeps it for `ttlSeconds` and renews it each round; if it dies,
/// another instance takes over when the lease expires. Engine-neutral: one conditional UPDATE.
public struct JobLease: Sendable {
    /// The job's name, e.g. `pending-order-reaper`.
    public let name: String
    /// Who is asking (unique per process).
    public let holder: String
    /// How long a taken lease lasts without renewal.
    public let ttlSeconds: Int64
    let database: Database

    /// Creates a lease handle.
    public init(name: String, holder: String = UUID().uuidString, ttlSeconds: Int64, database: Database) {
        self.name = name
        self.holder = holder
        self.ttlSeconds = ttlSeconds
        self.database = database
    }

    /// The table the leases live in.
    public static let migrations: [Migration] = [
        Migration(id: "0040_storage_job_leases") { sql, _ in
            try await sql.create(table: "job_leases")
                .column("name", type: .text, .primaryKey(autoIncrement: false))
                .column("holder", type: .text, .notNull)
                .column("expires_at", type: .bigint, .notNull)
                .run()
        },
    ]

    /// Takes or renews the lease; true when this holder has it until `now + ttlSeconds`.
    public func acquire(now: Date = Date()) async throws -> Bool {
        let timestamp = Int64(now.timeIntervalSince1970)
        let (name, holder, ttl) = (name, holder, ttlSeconds)
        return try await database.transaction { sql in
            try await sql.insert(into: "job_leases").columns("name", "holder", "expires_at")
                .values(SQLBind(name), SQLBind(""), SQLBind(Int64(0)))
                .ignoringConflicts(with: ["name"])
                .run()
            let taken = try await sql.update("job_leases")
                .set("holder", to: SQLBind(holder))
                .set("expires_at", to: SQLBind(timestamp + ttl))
                .where("name", .equal, SQLBind(name))
                .where { group in
                    group.where("holder", .equal, SQLBind(holder)).orWhere("expires_at", .lessThanOrEqual, SQLBind(timestamp))
                }
                .returning("name")
                .first()
            return taken != nil
        }
    }

    /// Gives the lease up (on shutdown), so another instance can take it at once.
    public func release() async throws {
        let (name, holder) = (name, holder)
        try await database.transaction { sql in
            try await sql.update("job_leases").set("expires_at", to: SQLBind(Int64(0)))
                .where("name", .equal, SQLBind(name)).where("holder", .equal, SQLBind(holder)).run()
        }
    }
}
