import Logging
import SQLKit

/// Runs `body` between `begin` and COMMIT on one connection, rolling back if it throws.
/// Shared by both engines; only the statement that opens the transaction differs.
func runTransaction<T: Sendable>(
    on sql: any SQLDatabase, begin: String, logger: Logger, _ body: @Sendable (any SQLDatabase) async throws -> T
) async throws -> T {
    try await sql.raw(SQLQueryString(begin)).run()
    do {
        let result = try await body(sql)
        try await sql.raw("COMMIT").run()
        return result
    } catch {
        do {
            try await sql.raw("ROLLBACK").run()
        } catch let rollbackError {
            logger.error("rollback failed", metadata: ["error": "\(rollbackError)"])
        }
        throw error
    }
}
