import Foundation
import GoMartApp
import Hummingbird
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
    _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    // bcrypt cost 4 keeps sign-ups fast in tests; production is held to 12 or more by configuration.
    var configuration = GoMartConfiguration(
        databaseURL: .sqliteMemory, cacheTTLSeconds: 300, publicBaseURL: "https://shop.example", passwordHashCost: 4
    )
    if let postgres = TestDatabase.postgresURL {
        configuration.databaseURL = .postgres(url: postgres)
        configuration.databaseSchema = try await TestDatabase.makeSchema()
    }
    configure(&configuration)
    let app = try await buildApplication(configuration, logger: TestDatabase.logger)
    try await app.test(.router, test)
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
