import Logging
import ServiceLifecycle

/// A job the workers run on start and then every `interval`: with many workers, the job's
/// database lease lets one of them do each round. Each round is recorded in ``JobRuns`` under
/// `metric`; a failed round is logged and the next one tries again. Graceful shutdown cancels
/// the wait between rounds instead of sitting it out, and lets the lease go.
public struct LeasedJob: Service {
    let metric: String
    let lease: JobLease
    let interval: Duration
    let logger: Logger
    let round: @Sendable () async throws -> Void

    /// Creates the job: `lease` names its lease (held three intervals at most), `metric` its runs.
    public init(lease name: String, metric: String, database: Database, interval: Duration, logger: Logger,
                round: @escaping @Sendable () async throws -> Void) {
        self.metric = metric
        self.lease = JobLease(name: name, ttlSeconds: Int64(interval.components.seconds) * 3, database: database)
        self.interval = interval
        self.logger = logger
        self.round = round
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await lease.acquire() {
                        try await round()
                        JobRuns.record(metric, succeeded: true)
                    }
                } catch {
                    // Stopped by shutdown mid-round: not a failure.
                    if Task.isCancelled { break }
                    JobRuns.record(metric, succeeded: false)
                    logger.error("a background job's round failed", metadata: ["job": "\(metric)", "error": "\(String(describing: type(of: error)))"])
                }
                try await Task.sleep(for: interval)
            }
        }
        try? await lease.release()
    }
}
