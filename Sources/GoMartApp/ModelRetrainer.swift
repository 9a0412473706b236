import Dispatch
import Foundation
import Logging
import Recommendations
import ServiceLifecycle
import Storage
import Telemetry

/// The worker's scheduled retraining: at each time the schedule names, one worker (a database
/// lease decides which) reads the catalogue and the paid orders, trains a candidate model and
/// promotes it into the model store only if it scores no worse than the one being served
/// (``Recommendations/Retraining``). Web instances and the recommender role pick a promoted model
/// up within their check interval.
struct ModelRetrainer: Service {
    let services: ShopServices
    let store: ModelStore
    let schedule: RetrainSchedule
    let lease: JobLease
    let logger: Logger

    init(services: ShopServices, store: ModelStore, schedule: RetrainSchedule, database: Database, logger: Logger) {
        self.services = services
        self.store = store
        self.schedule = schedule
        // A round may take minutes on a large catalogue; the lease outlasts it.
        self.lease = JobLease(name: "model-retrainer", ttlSeconds: 6 * 3_600, database: database)
        self.logger = logger
    }

    func run() async throws {
        // A service that returns ends the whole group, so with retraining off this one still
        // waits for shutdown; a failed round (lease or training) is logged and the next one tried.
        guard schedule.minuteOfDay != nil else {
            try? await gracefulShutdown()
            return
        }
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                guard let next = schedule.nextRun(after: Date()) else { break }
                try await Task.sleep(for: .seconds(max(next.timeIntervalSinceNow, 0)))
                await runRoundIfLeaseHolder()
            }
        }
        do {
            try await lease.release()
        } catch {
            logger.warning("could not release the retraining lease", metadata: ["error": "\(error)"])
        }
    }

    /// Runs one round if this process holds the lease; a lease that cannot be read is logged.
    func runRoundIfLeaseHolder() async {
        do {
            guard try await lease.acquire() else { return }
        } catch {
            logger.error("could not take the retraining lease", metadata: ["error": "\(error)"])
            return
        }
        _ = await retrainOnce()
    }

    /// One round: the outcome, or nil when it failed (logged).
    func retrainOnce() async -> Retraining.Outcome? {
        let started = ContinuousClock.now
        do {
            let data = try await services.trainingData()
            guard !data.items.isEmpty else {
                logger.info("model retraining skipped: the catalogue is empty")
                return nil
            }
            // Training and scoring are seconds of CPU on a large catalogue: off the async executor,
            // so that a process serving shoppers too keeps serving them.
            let store = store
            let outcome = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global(qos: .utility).async {
                    continuation.resume(with: Result { try Retraining.run(data: data, store: store) })
                }
            }
            let elapsed = ContinuousClock.now - started
            logger.notice(outcome.promoted ? "recommendation model promoted" : "recommendation model not promoted", metadata: [
                "candidate": "\(outcome.candidate.version)", "current": "\(outcome.current?.version ?? "none")",
                "reason": "\(outcome.reason)", "items": "\(data.items.count)", "order_lines": "\(data.orders.count)",
                "duration_ms": "\(elapsed.wholeMilliseconds)",
            ])
            JobRuns.record("retrain-model", succeeded: true)
            return outcome
        } catch {
            JobRuns.record("retrain-model", succeeded: false)
            logger.error("model retraining failed", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
