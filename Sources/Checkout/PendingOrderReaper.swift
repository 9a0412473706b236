import Logging
import ServiceLifecycle

/// Resolves orders abandoned in "pending payment" (for example by a crash mid-checkout): on
/// start and then every `interval`, cancels those older than the checkout's pending timeout and
/// returns their stock.
public struct PendingOrderReaper: Service {
    let checkout: CheckoutService
    let interval: Duration
    let logger: Logger

    /// Creates the reaper.
    public init(checkout: CheckoutService, interval: Duration = .seconds(60), logger: Logger) {
        self.checkout = checkout
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        // Graceful shutdown cancels the wait between rounds instead of sitting it out.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await checkout.cancelAbandonedOrders()
                } catch {
                    logger.error("could not cancel abandoned orders", metadata: ["error": "\(String(describing: type(of: error)))"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
