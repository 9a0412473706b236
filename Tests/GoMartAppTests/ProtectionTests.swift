import Foundation
import GoMartApp
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing
import Web

@Suite struct RateLimiterTests {
    /// A clock the test moves by hand.
    final class TestClock: Sendable {
        private let offset = Mutex(Duration.zero)
        let start = ContinuousClock.now
        var now: ContinuousClock.Instant { start + offset.withLock { $0 } }
        func advance(_ duration: Duration) { offset.withLock { $0 += duration } }
    }

    @Test func aBucketSpendsItsBurstThenRefusesUntilATokenFlowsBack() {
        let clock = TestClock()
        let limiter = RateLimiter(policy: RateLimitPolicy(limits: [.signIn: RateLimit(requests: 3, per: .seconds(60))]), now: { clock.now })
        let remaining = (0..<3).map { _ in limiter.take([.signIn], key: "192.0.2.1")?.remaining }
        #expect(remaining == [2, 1, 0])
        let refused = limiter.take([.signIn], key: "192.0.2.1")
        #expect(refused?.allowed == false)
        #expect(refused?.remaining == 0)
        #expect(refused?.resetSeconds == 60)
        #expect(refused?.retryAfterSeconds == 20)
        #expect(limiter.take([.signIn], key: "192.0.2.2")?.allowed == true) // another client has its own bucket
        clock.advance(.seconds(19))
        #expect(limiter.take([.signIn], key: "192.0.2.1")?.allowed == false)
        clock.advance(.seconds(1))
        #expect(limiter.take([.signIn], key: "192.0.2.1")?.allowed == true)
        #expect(limiter.take([.search], key: "192.0.2.1") == nil) // not limited
    }

    @Test func aRefusalByOneClassGivesBackWhatTheOthersSpent() {
        let limiter = RateLimiter(policy: RateLimitPolicy(limits: [
            .signIn: RateLimit(requests: 1, per: .seconds(60)), .api: RateLimit(requests: 5, per: .seconds(60)),
        ]))
        #expect(limiter.take([.signIn, .api], key: "a")?.remaining == 0)
        #expect(limiter.take([.signIn, .api], key: "a")?.allowed == false)
        // The refused sign-in took nothing from the API bucket: 3 of 5 are left after this one.
        #expect(limiter.take([.api], key: "a")?.remaining == 3)
    }

    @Test func theHeadersReportTheTightestLimit() throws {
        let limiter = RateLimiter(policy: RateLimitPolicy(limits: [
            .checkout: RateLimit(requests: 2, per: .seconds(60)), .api: RateLimit(requests: 100, per: .seconds(60)),
        ]))
        let decision = try #require(limiter.take([.checkout, .api], key: "a"))
        #expect(decision.headers.map { "\($0.name): \($0.value)" } == [
            "RateLimit-Limit: 2", "RateLimit-Remaining: 1", "RateLimit-Reset: 30", "RateLimit-Policy: 2;w=60",
        ])
    }

    @Test func theTableOfClientsStaysBounded() {
        let clock = TestClock()
        let limiter = RateLimiter(policy: RateLimitPolicy(limits: [.search: RateLimit(requests: 10, per: .seconds(10))]), capacity: 100, now: { clock.now })
        for client in 0..<1_000 { _ = limiter.take([.search], key: "client \(client)") }
        // The newest clients are still counted: the one just seen has 9 left, not a fresh 10.
        #expect(limiter.take([.search], key: "client 999")?.remaining == 8)
    }

    @Test func limitsAreReadFromTheirShortForm() {
        #expect(RateLimit(parsing: "10/1m") == RateLimit(requests: 10, per: .seconds(60)))
        #expect(RateLimit(parsing: "600/30s") == RateLimit(requests: 600, per: .seconds(30)))
        #expect(RateLimit(parsing: "20/2h") == RateLimit(requests: 20, per: .seconds(7_200)))
        #expect(RateLimit(parsing: "ten/1m") == nil)
        #expect(RateLimit(parsing: "10/1d") == nil)
        #expect(RateLimit(parsing: "0/1m") == nil)
    }

    @Test func requestsFallIntoTheirClasses() {
        #expect(RouteClass.classes(method: "POST", path: "/account/sign-in", query: nil) == [.signIn])
        #expect(RouteClass.classes(method: "POST", path: "/api/v1/sessions", query: nil) == [.signIn, .api])
        #expect(RouteClass.classes(method: "POST", path: "/api/v1/customers", query: nil) == [.signUp, .api])
        #expect(RouteClass.classes(method: "POST", path: "/api/v1/orders/validate", query: nil) == [.checkout, .api])
        #expect(RouteClass.classes(method: "GET", path: "/api/v1/products", query: "q=milk&limit=5") == [.search, .api])
        #expect(RouteClass.classes(method: "GET", path: "/api/v1/products", query: "aisle=dairy") == [.api])
        #expect(RouteClass.classes(method: "GET", path: "/search", query: "q=milk") == [.search])
        #expect(RouteClass.classes(method: "GET", path: "/aisles/dairy", query: nil) == [])
    }
}

@Suite struct TrustedProxyTests {
    let proxies = TrustedProxies(parsing: "10.0.0.0/8, 192.0.2.7, fd00::/8")!

    @Test func aClientThatIsNoProxyIsTakenAtItsWordNever() {
        #expect(proxies.clientAddress(peer: "198.51.100.9", forwardedFor: "203.0.113.1") == "198.51.100.9")
    }

    @Test func behindTrustedProxiesTheClientIsTheRightMostUntrustedHop() {
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: "203.0.113.1") == "203.0.113.1")
        // A client may write anything on the left; only what the proxies appended counts.
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: "1.1.1.1, 203.0.113.1, 192.0.2.7") == "203.0.113.1")
        #expect(proxies.clientAddress(peer: "::ffff:10.1.2.3", forwardedFor: "203.0.113.1") == "203.0.113.1")
        #expect(proxies.clientAddress(peer: "fd00::1", forwardedFor: "2001:db8::5") == "2001:db8:0:0:0:0:0:5")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: nil) == "10.1.2.3")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: "not an address") == "10.1.2.3")
    }

    @Test func aBadListIsRefused() {
        #expect(TrustedProxies(parsing: "10.0.0.0/33") == nil)
        #expect(TrustedProxies(parsing: "proxy.example") == nil)
        #expect(TrustedProxies(parsing: "") == TrustedProxies())
    }
}

@Suite struct RateLimitedShopTests {
    @Test func theFourthSignInIs429OnThePageAndInTheAPIWithItsHeaders() async throws {
        try await withTestApp(configure: { $0.protection.rateLimits = RateLimitPolicy(limits: [.signIn: RateLimit(requests: 3, per: .seconds(60))]) }) { client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<4 {
                let answer = try await client.executeRequest(uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"],
                                                             body: ByteBuffer(string: #"{"email":"nobody@example.com","password":"a wrong password"}"#))
                statuses.append(answer.status)
                if answer.status == .tooManyRequests {
                    #expect(answer.headers[.contentType] == "application/problem+json")
                    // The bucket is full again one interval (20 s) after it accepts again, whatever the clock read.
                    let retryAfter = try #require(answer.headers[.retryAfter].flatMap { Int($0) })
                    let reset = try #require(answer.headers[HTTPField.Name("RateLimit-Reset")!].flatMap { Int($0) })
                    #expect(reset - retryAfter == 40)
                    #expect((1...20).contains(retryAfter))
                    #expect(answer.headers[HTTPField.Name("RateLimit-Remaining")!] == "0")
                    #expect(answer.headers[HTTPField.Name("RateLimit-Policy")!] == "3;w=60")
                    #expect(try answer.json()["title"] as? String == "Too many requests")
                } else {
                    #expect(answer.headers[HTTPField.Name("RateLimit-Limit")!] == "3")
                }
            }
            #expect(statuses == [.unauthorized, .unauthorized, .unauthorized, .tooManyRequests])
            // The page shares the bucket: the same client is refused there too, with a page.
            var browser = Browser()
            _ = try await browser.get(client, "/account/sign-in")
            let page = try await browser.post(client, "/account/sign-in", form: [("email", "nobody@example.com"), ("password", "a wrong password")])
            #expect(page.status == .tooManyRequests)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains("Please slow down"))
            // Browsing is never limited.
            #expect(try await client.executeRequest(uri: "/", method: .get, headers: [:], body: nil).status == .ok)
        }
    }

    /// Signs in `count` times as the client behind `forwardedFor` and returns the statuses.
    static func signIns(_ client: any TestClientProtocol, count: Int, forwardedFor: String) async throws -> [HTTPResponse.Status] {
        var statuses: [HTTPResponse.Status] = []
        for _ in 0..<count {
            let answer = try await client.executeRequest(
                uri: "/api/v1/sessions", method: .post,
                headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: forwardedFor],
                body: ByteBuffer(string: #"{"email":"nobody@example.com","password":"a wrong password"}"#)
            )
            statuses.append(answer.status)
        }
        return statuses
    }

    @Test func behindATrustedProxyEachForwardedClientHasItsOwnBucket() async throws {
        try await withTestApp(configure: {
            $0.protection.rateLimits = RateLimitPolicy(limits: [.signIn: RateLimit(requests: 2, per: .seconds(60))])
            $0.protection.trustedProxies = TrustedProxies(parsing: "127.0.0.1")!
            $0.server.port = 0
        }, framework: .live) { client in
            let statuses1 = try await Self.signIns(client, count: 3, forwardedFor: "203.0.113.1")
            #expect(statuses1 == [.unauthorized, .unauthorized, .tooManyRequests])
            let statuses2 = try await Self.signIns(client, count: 1, forwardedFor: "203.0.113.2")
            #expect(statuses2 == [.unauthorized])
        }
    }

    @Test func withoutATrustedProxyForwardedForIsIgnored() async throws {
        try await withTestApp(configure: {
            $0.protection.rateLimits = RateLimitPolicy(limits: [.signIn: RateLimit(requests: 2, per: .seconds(60))])
            $0.server.port = 0
        }, framework: .live) { client in
            let statuses1 = try await Self.signIns(client, count: 2, forwardedFor: "203.0.113.1")
            #expect(statuses1 == [.unauthorized, .unauthorized])
            let statuses2 = try await Self.signIns(client, count: 1, forwardedFor: "203.0.113.2")
            #expect(statuses2 == [.tooManyRequests])
        }
    }

    @Test func anAPIClientWithATokenIsCountedByItsToken() async throws {
        try await withTestApp(configure: { $0.protection.rateLimits = RateLimitPolicy(limits: [.api: RateLimit(requests: 3, per: .seconds(60))]) }) { client in
            let first = try await client.executeRequest(uri: "/api/v1/aisles", method: .get, headers: [:], body: nil)
            #expect(first.headers[HTTPField.Name("RateLimit-Remaining")!] == "2")
            let withToken = try await client.executeRequest(uri: "/api/v1/aisles", method: .get, headers: [.authorization: "Bearer some-token"], body: nil)
            #expect(withToken.headers[HTTPField.Name("RateLimit-Remaining")!] == "2")
        }
    }
}

@Suite struct OperationsListenerTests {
    @Test func metricsAndReadinessDetailsAreServedOnlyOnTheOperationsPort() async throws {
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        try await withTestApp(configure: { $0.server.adminPort = 0 }, onOperationsRunning: { announce.yield($0) }) { client in
            #expect(try await client.executeRequest(uri: "/metrics", method: .get, headers: [:], body: nil).status == .notFound)
            let ready = try await client.executeRequest(uri: "/health/ready", method: .get, headers: [:], body: nil)
            #expect(ready.status == .ok)
            #expect(ready.text == #"{"status":"ready"}"#)
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await TestClient.withClient(host: "127.0.0.1", port: port) { operations in
                let details = try await operations.get("/health/ready")
                let object = try JSONSerialization.jsonObject(with: Data(String(buffer: details.body ?? ByteBuffer()).utf8)) as? [String: String]
                #expect(object?["status"] == "ready")
                #expect(object?["role"] == "all")
            }
        }
    }
}

@Suite struct LoadSheddingTests {
    @Test func beyondTheCapARequestGetsAQuick503WithRetryAfter() async throws {
        let (entered, enter) = AsyncStream.makeStream(of: Void.self)
        let (released, release) = AsyncStream.makeStream(of: Void.self)
        let router = Router()
        router.add(middleware: LoadSheddingMiddleware<BasicRequestContext>(limit: 1))
        router.get("/slow") { _, _ -> String in
            enter.yield()
            for await _ in released { break }
            return "done"
        }
        try await Application(router: router).test(.router) { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                group.addTask { try await client.executeRequest(uri: "/slow", method: .get, headers: [:], body: nil).status }
                for await _ in entered { break }
                let shed = try await client.executeRequest(uri: "/api/v1/products", method: .get, headers: [:], body: nil)
                #expect(shed.status == .serviceUnavailable)
                #expect(shed.headers[.retryAfter] == "1")
                #expect(shed.headers[.contentType] == "application/problem+json")
                release.yield()
                #expect(try await group.next() == .ok)
            }
        }
    }
}
