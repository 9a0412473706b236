import Logging
import Recommendations
import ServiceLifecycle

/// Loads the newest recommendation model at start and checks the model store for a newer one
/// every `interval`, swapping it in without a restart; `onLoaded` hears each version swapped in.
struct ModelWatcher: Service {
    let recommendations: any Recommender
    let interval: Duration
    let logger: Logger
    var onLoaded: @Sendable (String) -> Void = { _ in }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await recommendations.refresh(), let version = recommendations.modelVersion {
                        logger.info("recommendation model loaded", metadata: ["version": "\(version)"])
                        onLoaded(version)
                    }
                } catch {
                    logger.error("could not load the newest recommendation model", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: max(interval, .milliseconds(100)))
            }
        }
    }
}
