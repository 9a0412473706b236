import Cart
import Foundation
import GoMartModels
import Logging
import Pricing
import Telemetry
import GoMartApp
import HummingbirdTesting
import Storage
import HTTPTypes
import NIOCore
import Testing

@Suite struct OperationsTests {
    @Test func healthEndpointsReportLiveAndReady() async throws {
        try await withTestApp { client in
            try await client.get("/health/live") { response in
                #expect(response.status == .ok)
                let body = try response.json()
                #expect(body["status"] as? String == "live")
            }
            try await client.get("/health/ready") { response in
                #expect(response.status == .ok)
                let body = try response.json()
                #expect(body["status"] as? String == "ready")
            }
        }
    }

    @Test func metricsCountRequestsInPrometheusFormat() async throws {
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        try await withTestApp(configure: { $0.server.adminPort = 0 }, onOperationsRunning: { announce.yield($0) }) { client in
            try await client.get("/aisles/bakery") { _ in }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await TestClient.withClient(host: "127.0.0.1", port: port) { operations in
                let response = try await operations.get("/metrics")
                let text = String(buffer: response.body ?? ByteBuffer())
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                #expect(text.contains(#"http_route="/aisles/{slug}""#))
                #expect(text.contains("# TYPE hb_requests counter"))
                // Every cache reports its lookups: the page cache at least missed the aisle page once.
                #expect(text.contains(#"gomart_cache_lookups_total{cache="pages",outcome="miss"}"#))
                #expect(text.contains(#"gomart_cache_entries{cache="catalogue"}"#))
            }
        }
    }

    @Test func everyResponseCarriesARequestIDAndSecurityHeaders() async throws {
        try await withTestApp { client in
            try await client.execute(uri: "/", method: .get, headers: [.init("X-Request-Id")!: "abc-123"]) { response in
                #expect(response.headers[.init("X-Request-Id")!] == "abc-123")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            }
            try await client.execute(uri: "/", method: .get, headers: [.init("X-Request-Id")!: "<bad id>"]) { response in
                let id = response.headers[.init("X-Request-Id")!] ?? ""
                #expect(id.count == 16)
                #expect(id != "<bad id>")
            }
        }
    }

    @Test func headRequestsAreAnswered() async throws {
        try await withTestApp { client in
            try await client.execute(uri: "/aisles/bakery", method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == 0)
            }
        }
    }
}

@Suite struct ConfigurationTests {
    @Test func flagsWinOverEnvironmentWhichWinsOverDefaults() throws {
        let environment = ["GOMART_PORT": "9000", "GOMART_HOST": "0.0.0.0", "GOMART_DATA_DIR": "/srv/shop", "GOMART_CACHE_TTL_SECONDS": "60"]

        let fromEnvironment = try GoMartConfiguration.resolve(overrides: .init(), environment: environment)
        let fromFlags = try GoMartConfiguration.resolve(overrides: .init(port: 7000, dataDirectory: "/tmp/x"), environment: environment)
        let defaults = try GoMartConfiguration.resolve(overrides: .init(), environment: [:])

        #expect(fromEnvironment.server.port == 9000)
        #expect(fromEnvironment.server.host == "0.0.0.0")
        #expect(fromEnvironment.caches.cacheTTLSeconds == 60)
        #expect(fromEnvironment.persistence.databaseURL == .sqliteFile(path: "/srv/shop/gomart.sqlite"))
        #expect(fromFlags.server.port == 7000)
        #expect(fromFlags.persistence.databaseURL == .sqliteFile(path: "/tmp/x/gomart.sqlite"))
        #expect(defaults.server.port == 8080)
        #expect(defaults.server.host == "127.0.0.1")
        #expect(defaults.persistence.dataDirectory == "./data")
        #expect(defaults.server.publicBaseURL == "http://127.0.0.1:8080")
    }

    @Test func stripeNeedsASecretKeyAndALiveKeyOnlyInProduction() throws {
        let missing = #expect(throws: GoMartConfiguration.Invalid.self) {
            try GoMartConfiguration.resolve(overrides: .init(), environment: ["GOMART_PAYMENT_PROVIDER": "stripe"])
        }
        #expect(missing?.problems == ["GOMART_STRIPE_SECRET_KEY is required with GOMART_PAYMENT_PROVIDER=stripe"])
        let live = #expect(throws: GoMartConfiguration.Invalid.self) {
            try GoMartConfiguration.resolve(overrides: .init(), environment: ["GOMART_PAYMENT_PROVIDER": "stripe", "GOMART_STRIPE_SECRET_KEY": "sk_live_abc"])
        }
        #expect(live?.problems == ["GOMART_STRIPE_SECRET_KEY is a live key: live keys are used only with GOMART_ENV=production"])
        let unknown = #expect(throws: GoMartConfiguration.Invalid.self) {
            try GoMartConfiguration.resolve(overrides: .init(), environment: ["GOMART_PAYMENT_PROVIDER": "paypal"])
        }
        #expect(unknown?.problems == ["GOMART_PAYMENT_PROVIDER must be sandbox or stripe, not 'paypal'"])
        let test = try GoMartConfiguration.resolve(overrides: .init(), environment: [
            "GOMART_PAYMENT_PROVIDER": "stripe", "GOMART_STRIPE_SECRET_KEY": "sk_test_abc", "GOMART_STRIPE_API_URL": "http://127.0.0.1:12111",
        ])
        #expect(test.orders.paymentProvider == "stripe")
        #expect(test.orders.stripeSecretKey == "sk_test_abc")
        #expect(test.orders.stripeAPIURL == "http://127.0.0.1:12111")
    }

    @Test func mailSettingsAreCheckedAndTheWorkerNeedsAnSMTPServerInProduction() throws {
        let production = ["GOMART_ENV": "production", "GOMART_SECRET_KEY": Data(repeating: 7, count: 32).base64EncodedString(),
                          "GOMART_PUBLIC_URL": "https://shop.example", "GOMART_PAYMENT_PROVIDER": "sandbox", "GOMART_BACKUP_KEY": Data(repeating: 9, count: 32).base64EncodedString()]
        let worker = #expect(throws: GoMartConfiguration.Invalid.self) {
            try GoMartConfiguration.resolve(overrides: .init(), environment: production.merging(["GOMART_ROLE": "worker"]) { $1 })
        }
        #expect(worker?.problems == ["GOMART_SMTP_URL is required in production for the worker (customers' e-mails must leave the machine)"])
        let web = try GoMartConfiguration.resolve(overrides: .init(), environment: production.merging(["GOMART_ROLE": "web"]) { $1 })
        #expect(web.messaging.requireEmailVerification)
        let sending = try GoMartConfiguration.resolve(overrides: .init(), environment: production.merging([
            "GOMART_ROLE": "worker", "GOMART_SMTP_URL": "smtps://orders:secret@mail.example", "GOMART_MAIL_FROM": "Corner Shop <orders@shop.example>",
        ]) { $1 })
        #expect(sending.messaging.smtpURL == "smtps://orders:secret@mail.example")
        let bad = #expect(throws: GoMartConfiguration.Invalid.self) {
            try GoMartConfiguration.resolve(overrides: .init(), environment: [
                "GOMART_SMTP_URL": "smtp://mail.example?starttls=maybe", "GOMART_MAIL_FROM": "nobody", "GOMART_EMAIL_VERIFICATION": "sometimes",
            ])
        }
        #expect(bad?.problems == [
            "GOMART_SMTP_URL: starttls must be required, opportunistic or off, not maybe",
            "GOMART_MAIL_FROM must be an address or Name <address>, not 'nobody'",
            "GOMART_EMAIL_VERIFICATION must be required or off, not 'sometimes'",
        ])
    }

    @Test func everyBadValueIsReportedAtOnce() {
        let environment = ["GOMART_PORT": "eighty", "GOMART_LOG_LEVEL": "loud", "GOMART_DATABASE_URL": "mysql://x", "GOMART_CACHE_TTL_SECONDS": "-5"]
        let error = #expect(throws: GoMartConfiguration.Invalid.self) {
            try GoMartConfiguration.resolve(overrides: .init(), environment: environment)
        }
        #expect(error?.problems.count == 4)
    }

    @Test func recommendationSettings() throws {
        let defaults = try GoMartConfiguration.resolve(overrides: .init(), environment: [:])
        #expect(defaults.recommendations.recommenderURL == nil)
        #expect(defaults.recommendations.recommenderTimeoutMilliseconds == 250)
        #expect(defaults.recommendations.retrainSchedule == .nightly)
        #expect(defaults.modelDirectory == "./data/models")
        let set = try GoMartConfiguration.resolve(overrides: .init(role: "recommender"), environment: [
            "GOMART_RECOMMENDER_URL": "http://recommender:8080", "GOMART_RECOMMENDER_TIMEOUT_MS": "80",
            "GOMART_RETRAIN_AT": "off", "GOMART_MODEL_DIR": "/shared/models",
        ])
        #expect(set.server.role == .recommender)
        #expect(set.recommendations.recommenderURL == "http://recommender:8080")
        #expect(set.recommendations.recommenderTimeoutMilliseconds == 80)
        #expect(set.recommendations.retrainSchedule == .off)
        #expect(set.modelDirectory == "/shared/models")
        let error = #expect(throws: GoMartConfiguration.Invalid.self) {
            try GoMartConfiguration.resolve(overrides: .init(), environment: [
                "GOMART_RECOMMENDER_URL": "recommender:8080", "GOMART_RECOMMENDER_TIMEOUT_MS": "0", "GOMART_RETRAIN_AT": "25:00",
            ])
        }
        #expect(error?.problems.count == 3)
    }

    @Test func eachSectionReadsItsOwnSettingsWithItsDefaults() throws {
        let set = try GoMartConfiguration.resolve(overrides: .init(logLevel: "debug"), environment: [
            "GOMART_CURRENCY": "EUR", "GOMART_DELIVERY_FEE": "2.50", "GOMART_MINIMUM_ORDER": "15", "GOMART_LOG_FORMAT": "text",
            "GOMART_LOG_LEVEL": "error", "GOMART_PAGE_CACHE_MB": "0", "GOMART_SESSION_IDLE_SECONDS": "3600",
        ])
        #expect(set.shopping.currency == .eur)
        #expect(set.shopping.cartPolicy.pricing.deliveryFee == Money(minorUnits: 250, currency: .eur))
        #expect(set.shopping.cartPolicy.pricing.minimumOrder == Money(minorUnits: 1_500, currency: .eur))
        #expect(set.shopping.cartPolicy.pricing.freeDeliveryThreshold == Money(minorUnits: 4_000, currency: .eur))
        #expect(set.logs.level == .debug) // the flag wins over GOMART_LOG_LEVEL
        #expect(set.logs.format == .text)
        #expect(set.caches.pageCacheMegabytes == 0)
        #expect(set.caches.cacheTTLSeconds == 300)
        #expect(set.accounts.sessionIdleTimeoutSeconds == 3_600)
        #expect(set.accounts.sessionAbsoluteTimeoutSeconds == 30 * 86_400)
        let error = #expect(throws: GoMartConfiguration.Invalid.self) {
            try GoMartConfiguration.resolve(overrides: .init(), environment: ["GOMART_LOG_FORMAT": "xml", "GOMART_DELIVERY_FEE": "free"])
        }
        #expect(error?.problems == ["GOMART_DELIVERY_FEE must be an amount such as 3.99, not 'free'", "GOMART_LOG_FORMAT must be one of json, text, not 'xml'"])
    }

    @Test func theEnvironmentWinsOverASecretFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "postgres://from-file@db/shop".write(toFile: file, atomically: true, encoding: .utf8)
        let configuration = try GoMartConfiguration.resolve(overrides: .init(), environment: [
            "GOMART_DATABASE_URL": "postgres://from-environment@db/shop", "GOMART_DATABASE_URL_FILE": file,
        ])
        #expect(configuration.persistence.databaseURL == .postgres(url: "postgres://from-environment@db/shop"))
        let fromFlag = try GoMartConfiguration.resolve(overrides: .init(databaseURL: "postgres://from-flag@db/shop"), environment: [
            "GOMART_DATABASE_URL_FILE": file,
        ])
        #expect(fromFlag.persistence.databaseURL == .postgres(url: "postgres://from-flag@db/shop"))
    }

    @Test func theRetrainScheduleNamesTheNextTimeOfDay() throws {
        let schedule = try #require(RetrainSchedule(parsing: "03:30"))
        let day: TimeInterval = 1_800_000_000 - 1_800_000_000.truncatingRemainder(dividingBy: 86_400) // a midnight, UTC
        #expect(schedule.nextRun(after: Date(timeIntervalSince1970: day)) == Date(timeIntervalSince1970: day + 12_600))
        #expect(schedule.nextRun(after: Date(timeIntervalSince1970: day + 12_600)) == Date(timeIntervalSince1970: day + 86_400 + 12_600))
        #expect(schedule.nextRun(after: Date(timeIntervalSince1970: day + 50_000)) == Date(timeIntervalSince1970: day + 86_400 + 12_600))
        #expect(RetrainSchedule.off.nextRun(after: Date()) == nil)
        for bad in ["3", "24:00", "12:60", "noon", "12:5", ""] { #expect(RetrainSchedule(parsing: bad) == nil, "\(bad)") }
    }

    @Test func secretsCanComeFromFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("key").path
        let urlFile = directory.appendingPathComponent("url").path
        let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        try (key + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
        try "postgres://app:pw@db/shop\n".write(toFile: urlFile, atomically: true, encoding: .utf8)

        let configuration = try GoMartConfiguration.resolve(overrides: .init(), environment: [
            "GOMART_SECRET_KEY_FILE": keyFile, "GOMART_DATABASE_URL_FILE": urlFile, "GOMART_ROLE": "worker", "GOMART_AUTO_MIGRATE": "false",
        ])

        #expect(configuration.accounts.secretKey == key)
        #expect(configuration.persistence.databaseURL == .postgres(url: "postgres://app:pw@db/shop"))
        #expect(configuration.server.role == .worker)
        #expect(!configuration.persistence.autoMigrate)
        #expect(throws: GoMartConfiguration.Invalid.self) {
            try GoMartConfiguration.resolve(overrides: .init(), environment: ["GOMART_SECRET_KEY_FILE": "/no/such/file", "GOMART_ROLE": "boss"])
        }
    }
}
