import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Recommendations
import Synchronization
import Tracing

/// The recommender role over HTTP: web instances ask it for the model's answers.
///
/// Every call has a short deadline. A call that times out, cannot connect or gets a server error
/// marks the recommender as down for a cool-down period, during which calls fail at once rather
/// than each waiting out the deadline; callers fall back to popularity meanwhile. A recommender
/// with no model (503) or an item the model does not know (404) is an answer, not a failure.
public final class RemoteRecommender: Recommender {
    /// Where the recommender is and how long to wait for it.
    public struct Configuration: Sendable {
        /// The recommender's base address, e.g. `http://recommender:8080`.
        public var baseURL: String
        /// The most a call may take.
        public var timeout: Duration
        /// How long after a failure calls are not even tried.
        public var coolDown: Duration

        public init(baseURL: String, timeout: Duration = .milliseconds(250), coolDown: Duration = .seconds(5)) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.timeout = timeout
            self.coolDown = coolDown
        }
    }

    private struct State {
        var modelVersion: String?
        var downUntil: ContinuousClock.Instant?
    }

    public let configuration: Configuration
    let client: HTTPClient
    let logger: Logger
    private let state = Mutex(State())
    private let calls = Counter(label: "gomart_recommender_calls_total", dimensions: [("outcome", "answered")])
    private let failures = Counter(label: "gomart_recommender_calls_total", dimensions: [("outcome", "failed")])
    private let skipped = Counter(label: "gomart_recommender_calls_total", dimensions: [("outcome", "skipped")])

    /// Creates the client over `client` (the process-wide shared one by default).
    public init(configuration: Configuration, client: HTTPClient = .shared, logger: Logger) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
    }

    public var modelVersion: String? { state.withLock { $0.modelVersion } }

    /// True while calls are skipped after a failure.
    public var isCoolingDown: Bool {
        state.withLock { state in state.downUntil.map { ContinuousClock.now < $0 } ?? false }
    }

    public func similar(to item: String, k: Int) async throws -> RecommendedItems? {
        let id = item.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-_"))) ?? item
        return try await withSpan("recommender.similar", ofKind: .client) { _ in
            try answer(try await call(.GET, "/api/v1/model/items/\(id)/neighbours?k=\(k)", body: nil))
        }
    }

    public func recommended(forBasket basket: [String], excluding: Set<String>, k: Int) async throws -> RecommendedItems? {
        struct Question: Encodable { var basket: [String]; var exclude: [String]; var k: Int }
        let body = try JSONEncoder().encode(Question(basket: Array(basket.prefix(RecommendationLimits.maximumBasket)), exclude: excluding.sorted(), k: k))
        return try await withSpan("recommender.basket", ofKind: .client) { span in
            span.attributes["recommender.basket_size"] = basket.count
            return try answer(try await call(.POST, "/api/v1/model/recommendations", body: body))
        }
    }

    public func refresh() async throws -> Bool {
        struct Model: Decodable { var version: String }
        let before = modelVersion
        let (status, body) = try await call(.GET, "/api/v1/model", body: nil)
        let now: String?
        switch status {
        case .ok: now = try JSONDecoder().decode(Model.self, from: body).version
        case .serviceUnavailable: now = nil
        default: throw RecommenderUnavailable(reason: "the model endpoint answered \(status.code)")
        }
        state.withLock { $0.modelVersion = now }
        return now != before
    }

    /// The model's answer from a call's result: nil for "no model" and "unknown item".
    private func answer(_ result: (HTTPResponseStatus, ByteBuffer)) throws -> RecommendedItems? {
        let (status, body) = result
        switch status {
        case .ok:
            let items = try JSONDecoder().decode(RecommendedItems.self, from: body)
            state.withLock { $0.modelVersion = items.modelVersion }
            return items
        case .notFound:
            return nil
        case .serviceUnavailable:
            state.withLock { $0.modelVersion = nil }
            return nil
        default:
            throw RecommenderUnavailable(reason: "the model endpoint answered \(status.code)")
        }
    }

    /// Makes one call within the deadline, unless the recommender is cooling down after a failure.
    private func call(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> (HTTPResponseStatus, ByteBuffer) {
        if isCoolingDown {
            skipped.increment()
            throw RecommenderUnavailable(reason: "cooling down after a failure")
        }
        var request = HTTPClientRequest(url: configuration.baseURL + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        do {
            let deadline = NIODeadline.now() + .nanoseconds(Int64(configuration.timeout.components.seconds) * 1_000_000_000
                + configuration.timeout.components.attoseconds / 1_000_000_000)
            let response = try await client.execute(request, deadline: deadline, logger: logger)
            let bytes = try await response.body.collect(upTo: 4 * 1_024 * 1_024)
            if response.status.code >= 500 && response.status != .serviceUnavailable {
                throw RecommenderUnavailable(reason: "the model endpoint answered \(response.status.code)")
            }
            calls.increment()
            recovered()
            return (response.status, bytes)
        } catch {
            failures.increment()
            coolDown(after: error)
            throw error
        }
    }

    private func coolDown(after error: any Error) {
        let wasUp = state.withLock { state -> Bool in
            let wasUp = state.downUntil == nil
            state.downUntil = ContinuousClock.now.advanced(by: configuration.coolDown)
            return wasUp
        }
        if wasUp {
            logger.warning("recommender unavailable: falling back to popularity", metadata: [
                "recommender": "\(configuration.baseURL)", "error": "\(String(describing: type(of: error)))",
            ])
        }
    }

    private func recovered() {
        let wasDown = state.withLock { state -> Bool in
            defer { state.downUntil = nil }
            return state.downUntil != nil
        }
        if wasDown { logger.notice("recommender answering again", metadata: ["recommender": "\(configuration.baseURL)"]) }
    }
}

/// The recommender could not be asked: down, slow, cooling down, or answering with an error.
public struct RecommenderUnavailable: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "recommender unavailable: \(reason)" }
}
