import Foundation
import GoMartApp
import Hummingbird
import Logging
import HummingbirdTesting
import NIOCore
import Storage
import TestSupport
import HTTPTypes
import NIOCore
import Testing

/// Builds the whole shop on a fresh in-memory database seeded with the demo catalogue.
func withTestApp(
    configure: (inout GoMartConfiguration) -> Void = { _ in },
    modelLoads: ModelLoads? = nil,
    framework: TestingSetup = .router,
    onOperationsRunning: @escaping @Sendable (Int) async -> Void = { _ in },
    logger: Logger = TestDatabase.logger,
    _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    var configuration = GoMartConfiguration.forTests()
    configuration.server.publicBaseURL = "https://shop.example"
    // A folder of its own (e-mails are kept in its Maildir), never the working directory's.
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-app-\(UUID().uuidString)")
    configuration.persistence.dataDirectory = folder.path
    defer { try? FileManager.default.removeItem(at: folder) }
    if let postgres = TestDatabase.postgresURL {
        configuration.persistence.databaseURL = .postgres(url: postgres)
        configuration.persistence.databaseSchema = try await TestDatabase.makeSchema()
    }
    configure(&configuration)
    let app = try await buildApplication(
        configuration, logger: logger, onModelLoaded: { modelLoads?.record($0) }, onOperationsRunning: onOperationsRunning
    )
    try await app.test(framework, test)
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body parsed as a JSON object.
    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
    }
}

extension TestClientProtocol {
    /// GETs `uri` and hands the response to `check`.
    func get(_ uri: String, _ check: @escaping @Sendable (TestResponse) async throws -> Void) async throws {
        try await execute(uri: uri, method: .get) { response in try await check(response) }
    }
}

import NIOFoundationCompat

/// The recommendation model versions an app swapped in, for tests to wait on instead of polling.
final class ModelLoads: Sendable {
    private let stream: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: String.self)
    }

    /// Called by the app's model watcher.
    func record(_ version: String) {
        continuation.yield(version)
    }

    /// Returns once the app has swapped in `version`; throws after `limit` without it.
    func wait(for version: String, limit: Duration = .seconds(10)) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            let stream = stream
            group.addTask {
                for await loaded in stream where loaded == version { return true }
                return false
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return false
            }
            let loaded = try await group.next() ?? false
            group.cancelAll()
            try #require(loaded, "model \(version) was not loaded within \(limit)")
        }
    }
}
