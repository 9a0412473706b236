import Foundation
import Hummingbird
import Logging
import Storage
import Telemetry

/// Liveness, readiness and metrics endpoints for load balancers and monitoring.
struct HealthController<Context: RequestContext>: Sendable {
    /// What readiness found: ready, or not with the reason; and what to report either way.
    struct Readiness: Sendable {
        var isReady: Bool
        var details: [String: String]
    }

    /// Checks readiness.
    let readiness: @Sendable () async -> Readiness
    /// Memory and disk, read at each scrape of `/metrics`.
    let gauges: ProcessGauges

    /// A shop process: ready when the database answers and every migration this build knows has
    /// been applied; reports the loaded recommendation model.
    static func shop(database: Database, migrator: Migrator, role: String, dataDirectory: String, logger: Logger,
                     modelVersion: @escaping @Sendable () -> String?) -> Self {
        HealthController(gauges: ProcessGauges(volume: dataDirectory)) { () async -> Readiness in
            do {
                try await database.ping()
                let pending = try await migrator.pending(database)
                guard pending.isEmpty else { return Readiness(isReady: false, details: ["reason": "\(pending.count) migration(s) pending"]) }
                return Readiness(isReady: true, details: [
                    "database": database.engine.rawValue, "role": role,
                    "recommendationModel": modelVersion() ?? "none (popularity fallback)",
                ])
            } catch {
                logger.warning("readiness check failed", metadata: ["error": "\(String(describing: type(of: error)))"])
                return Readiness(isReady: false, details: ["reason": "database unavailable"])
            }
        }
    }

    /// The recommender role: ready once a model is loaded, since until then it can answer nothing.
    static func recommender(modelDirectory: String, modelVersion: @escaping @Sendable () -> String?) -> Self {
        HealthController(gauges: ProcessGauges(volume: modelDirectory)) { () async -> Readiness in
            guard let version = modelVersion() else {
                return Readiness(isReady: false, details: ["reason": "no recommendation model yet (run gomart ml train)", "role": "recommender"])
            }
            return Readiness(isReady: true, details: ["role": "recommender", "recommendationModel": version])
        }
    }

    init(gauges: ProcessGauges, readiness: @escaping @Sendable () async -> Readiness) {
        self.gauges = gauges
        self.readiness = readiness
    }

    /// Adds the health endpoints; `detailed` adds `/metrics` and the readiness details too, for
    /// the operations listener. The shop's public port only says live or ready.
    func addRoutes(to router: Router<Context>, detailed: Bool) {
        router.get("/health/live", use: live)
        if detailed {
            router.get("/health/ready", use: ready)
            router.get("/metrics", use: metrics)
        } else {
            router.get("/health/ready", use: bareReady)
        }
    }

    /// The process is up and serving HTTP; says nothing about its dependencies.
    @Sendable func live(_ request: Request, context: Context) async throws -> Response {
        Self.json(["status": "live"], status: .ok)
    }

    /// 200 when the process can do its work, else 503 with the reason.
    @Sendable func ready(_ request: Request, context: Context) async throws -> Response {
        await readiness(detailed: true)
    }

    /// 200 or 503 with the status alone: enough for a load balancer, nothing for a visitor.
    @Sendable func bareReady(_ request: Request, context: Context) async throws -> Response {
        await readiness(detailed: false)
    }

    func readiness(detailed: Bool) async -> Response {
        let readiness = await readiness()
        let status = readiness.isReady ? "ready" : "not ready"
        let answer = detailed ? readiness.details.merging(["status": status]) { _, status in status } : ["status": status]
        return Self.json(answer, status: readiness.isReady ? .ok : .serviceUnavailable)
    }

    /// Prometheus metrics in text exposition format.
    @Sendable func metrics(_ request: Request, context: Context) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        headers[.cacheControl] = "no-store"
        gauges.refresh()
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
