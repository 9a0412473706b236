import AsyncHTTPClient
import Foundation
@testable import GoMartApp
import Hummingbird
import Listening
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import TestSupport
import Testing

/// The shop's own listener (``ShopListener``), run as `gomart serve` runs it: as a service.
@Suite struct ShopListenerTests {
    @Test func theDateHeaderIsAnIMFFixdate() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(1_796_112_000) == "Tue, 01 Dec 2026 08:00:00 GMT")
    }

    @Test(.timeLimit(.minutes(3))) func aBurstOfNewConnectionsIsServedAndShutdownWaitsForTheRequestInFlight() async throws {
        let (arrived, arrival) = AsyncStream<Void>.makeStream()
        let (released, release) = AsyncStream<Void>.makeStream()
        let router = Router()
        router.get("/hello") { _, _ in "hello" }
        router.get("/slow") { _, _ in
            arrival.yield()
            for await _ in released { break }
            return "finished"
        }
        var configuration = GoMartConfiguration.forTests()
        configuration.server.host = "127.0.0.1"
        configuration.server.port = 0
        let (addresses, address) = AsyncStream<String>.makeStream()
        let app = try makeServer(router: router, configuration: configuration, logger: TestDatabase.logger) { address.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: TestDatabase.logger))
        let burst = 300
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: burst))
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var urls = addresses.makeAsyncIterator()
            let base = try #require(await urls.next())

            // Every request of a burst on its own new connection is answered, with the framework's headers.
            let answers = try await withThrowingTaskGroup(of: (Int, String, Bool).self) { requests in
                for _ in 0..<burst {
                    requests.addTask {
                        let response = try await client.execute(HTTPClientRequest(url: "\(base)/hello"), timeout: .seconds(30))
                        let body = try await response.body.collect(upTo: 1024)
                        let headed = response.headers.first(name: "date") != nil && response.headers.first(name: "server") == "GoMart"
                        return (Int(response.status.code), String(buffer: body), headed)
                    }
                }
                return try await requests.reduce(into: [String: Int]()) { counts, answer in
                    counts["\(answer.0) \(answer.1) \(answer.2 ? "dated" : "undated")", default: 0] += 1
                }
            }
            #expect(answers == ["200 hello dated": burst])

            // Shutting down lets the request in flight finish, then stops.
            async let slow = client.execute(HTTPClientRequest(url: "\(base)/slow"), timeout: .seconds(30))
            var arrivals = arrived.makeAsyncIterator()
            await arrivals.next()
            await group.triggerGracefulShutdown()
            release.yield()
            let response = try await slow
            #expect(response.status == .ok)
            #expect(String(buffer: try await response.body.collect(upTo: 1024)) == "finished")
            try await tasks.waitForAll()
        }
        try await client.shutdown()
    }
}
