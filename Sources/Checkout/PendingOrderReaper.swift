import Foundation
import Logging
import Storage

/// Settles what a crash or a lost answer from the payment provider left half done: on start and
/// then every `interval`, orders pending payment longer than the checkout's timeout (paid if the
/// provider took the money, otherwise cancelled with their stock returned), and refunds the
/// provider has not confirmed, captures it has not confirmed, and authorisations about to expire
/// before their orders are packed (renewed on the saved card). With many workers, a database
/// lease lets one of them do each round.
public enum PendingOrderReaper {
    /// The job, as a service for the worker's group.
    /// Refunds and captures the provider has not confirmed are asked again once `retryAfter`
    /// seconds old.
    public static func job(checkout: CheckoutService, database: Database, interval: Duration = .seconds(60), retryAfter: TimeInterval = 30,
                           logger: Logger) -> LeasedJob {
        LeasedJob(lease: "pending-order-reaper", metric: "settle-orders", database: database, interval: interval, logger: logger) {
            try await checkout.cancelAbandonedOrders()
            let fulfilment = FulfilmentService(checkout: checkout)
            try await fulfilment.completePendingRefunds(olderThan: retryAfter)
            try await fulfilment.completePendingCaptures(olderThan: retryAfter)
            try await fulfilment.renewExpiringAuthorisations()
        }
    }
}
