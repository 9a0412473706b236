import Logging
import NIOCore
import SQLKit
import Tracing

/// A database handle that records a client span for each SQL statement it runs.
///
/// A span carries the statement's shape as SQLKit serialises it, with placeholders (`?`, `$1`)
/// where values are bound, and never the values: statements hold prices, names and sealed
/// personal data. The spans' parent is the context the handle was made in, because SQLite's
/// group commit runs a transaction's statements in the writer's task, not the caller's.
struct TracedSQLDatabase: SQLDatabase {
    let base: any SQLDatabase
    let parent: ServiceContext
    let system: String

    /// What makes a handle traced in the current context, when spans are recorded and there is a
    /// trace to join; otherwise it hands the handle back as it is. Call it in the caller's task.
    static func wrapper(engine: SQLEngine) -> @Sendable (any SQLDatabase) -> any SQLDatabase {
        guard !(InstrumentationSystem.tracer is NoOpTracer), let parent = ServiceContext.current else { return { $0 } }
        let system = engine == .postgres ? "postgresql" : "sqlite"
        return { TracedSQLDatabase(base: $0, parent: parent, system: system) }
    }

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        let span = start(query)
        let future = base.execute(sql: query, onRow)
        future.whenComplete { result in
            if case .failure(let error) = result { span.recordError(error) }
            span.end()
        }
        return future
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let span = start(query)
        defer { span.end() }
        do {
            try await base.execute(sql: query, onRow)
        } catch {
            span.recordError(error)
            throw error
        }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await base.withSession { session in
            try await closure(TracedSQLDatabase(base: session, parent: parent, system: system))
        }
    }

    private func start(_ query: any SQLExpression) -> any Span {
        let statement = base.serialize(query).sql
        let span = InstrumentationSystem.tracer.startSpan(Self.operation(of: statement), context: parent, ofKind: .client)
        span.attributes["db.system.name"] = system
        span.attributes["db.query.text"] = statement
        return span
    }

    /// The statement's first keyword (`SELECT`, `INSERT`, `BEGIN` …), the span's name.
    static func operation(of statement: String) -> String {
        let keyword = statement.drop { $0 == " " || $0 == "\n" || $0 == "(" }.prefix { $0.isLetter }
        return keyword.isEmpty ? "SQL" : keyword.uppercased()
    }
}
