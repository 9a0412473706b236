import Logging
import ServiceLifecycle
import Storage

/// Settles what a crash or a lost answer from the payment provider left half done: on start and
/// then every `interval`, orders pending payment longer than the checkout's timeout (paid if the
/// provider took the money, otherwise cancelled with their stock returned), and refunds the
/// provider has not confirmed. With many workers, a database lease lets one of them do each round.
public struct PendingOrderReaper: Service {
    let checkout: CheckoutService
    let lease: JobLease
    let interval: Duration
    let logger: Logger

    /// Creates the reaper.
    public init(checkout: CheckoutService, database: Database, interval: Duration = .seconds(60), logger: Logger) {
        self.checkout = checkout
        self.lease = JobLease(name: "pending-order-reaper", ttlSeconds: Int64(interval.components.seconds) * 3, database: database)
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        // Graceful shutdown cancels the wait between rounds instead of sitting it out.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await lease.acquire() {
                        try await checkout.cancelAbandonedOrders()
                        try await FulfilmentService(checkout: checkout).completePendingRefunds()
                        JobRuns.record("settle-orders", succeeded: true)
                    }
                } catch {
                    JobRuns.record("settle-orders", succeeded: false)
                    logger.error("could not cancel abandoned orders", metadata: ["error": "\(String(describing: type(of: error)))"])
                }
                try await Task.sleep(for: interval)
            }
        }
        try? await lease.release()
    }
}
