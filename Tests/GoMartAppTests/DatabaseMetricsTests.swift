import Foundation
import SQLKit
import Storage
import Telemetry
import Testing
import TestSupport

@Suite struct DatabaseMetricsTests {
    /// A statement the database refuses is a database error, and is counted; work that gives up
    /// for its own reason is not one. Every transaction records how long it waited for the writer
    /// or a connection. (Other tests run beside this one, so the count is checked to have grown.)
    @Test func refusedStatementsAreCountedAndWaitsRecorded() async throws {
        _ = MetricsRegistry.registry
        let database = try await TestDatabase.migrated()
        let engine = database.engine.rawValue
        struct GaveUp: Error {}
        #expect(!Database.isDatabaseError(GaveUp()))
        await #expect(throws: GaveUp.self) { try await database.transaction { _ in throw GaveUp() } }
        let before = Self.errors(engine)
        let refused = await #expect(throws: (any Error).self) { try await database.read { sql in try await sql.raw("SELECT * FROM no_such_table").run() } }
        #expect(refused.map(Database.isDatabaseError) == true)
        #expect(Self.errors(engine) > before)
        let text = String(decoding: MetricsRegistry.exposition(), as: UTF8.self)
        #expect(text.contains(#"gomart_database_wait_seconds_count{engine="\#(engine)",kind="write"}"#))
        await database.close()
    }

    /// `gomart_database_errors_total` for `engine` as /metrics shows it (0 before the first).
    static func errors(_ engine: String) -> Int {
        let prefix = #"gomart_database_errors_total{engine="\#(engine)"} "#
        let text = String(decoding: MetricsRegistry.exposition(), as: UTF8.self)
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
    }
}
