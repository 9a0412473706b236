import Foundation
import Hummingbird
import Logging
import Storage
import Telemetry

/// Liveness, readiness and metrics endpoints for load balancers and monitoring.
struct HealthController<Context: RequestContext>: Sendable {
    let database: Database
    let migrator: Migrator
    let role: String
    /// The loaded recommendation model's version, if any.
    var modelVersion: @Sendable () -> String? = { nil }

    func addRoutes(to router: Router<Context>) {
        router.get("/health/live", use: live)
        router.get("/health/ready", use: ready)
        router.get("/metrics", use: metrics)
    }

    /// The process is up and serving HTTP; says nothing about its dependencies.
    @Sendable func live(_ request: Request, context: Context) async throws -> Response {
        Self.json(["status": "live"], status: .ok)
    }

    /// The database answers and every migration this build knows has been applied.
    @Sendable func ready(_ request: Request, context: Context) async throws -> Response {
        do {
            try await database.ping()
            let pending = try await migrator.pending(database)
            guard pending.isEmpty else {
                return Self.json(["status": "not ready", "reason": "\(pending.count) migration(s) pending"], status: .serviceUnavailable)
            }
            var answer = ["status": "ready", "database": database.engine.rawValue, "role": role]
            answer["recommendationModel"] = modelVersion() ?? "none (popularity fallback)"
            return Self.json(answer, status: .ok)
        } catch {
            context.logger.warning("readiness check failed", metadata: ["error": "\(String(describing: type(of: error)))"])
            return Self.json(["status": "not ready", "reason": "database unavailable"], status: .serviceUnavailable)
        }
    }

    /// Prometheus metrics in text exposition format.
    @Sendable func metrics(_ request: Request, context: Context) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: MetricsRegistry.exposition())))
    }

    static func json(_ object: [String: String], status: HTTPResponse.Status) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
