import Cart
import Foundation
import GoMartModels
import Logging
import Storage
import Telemetry

/// Everything the shop needs to start, resolved from flags, then `GOMART_*` variables, then defaults.
public struct GoMartConfiguration: Sendable {
    /// The address to listen on; loopback by default.
    public var host: String
    /// The port to listen on.
    public var port: Int
    /// Where the shop keeps its files (the SQLite database by default).
    public var dataDirectory: String
    /// The database to use.
    public var databaseURL: DatabaseURL
    /// On PostgreSQL, the schema the shop's tables live in (default: the server's search path).
    public var databaseSchema: String?
    /// How long catalogue reads are cached; zero disables the cache.
    public var cacheTTLSeconds: Int
    /// The memory, in MiB, for rendered catalogue pages; zero renders every page afresh.
    public var pageCacheMegabytes: Int
    /// How often the web role looks for a newer recommendation model.
    public var modelCheckIntervalSeconds: Int = 10
    /// The recommendation model store (`GOMART_MODEL_DIR`); nil means `models/` in the data folder.
    public var modelDirectoryOverride: String?
    /// The recommendation model store: `GOMART_MODEL_DIR`, or `models/` in the data folder.
    public var modelDirectory: String { modelDirectoryOverride ?? (dataDirectory as NSString).appendingPathComponent("models") }
    /// The recommender role's address (`GOMART_RECOMMENDER_URL`); nil: the model runs in this process.
    public var recommenderURL: String?
    /// How long a call to the recommender role may take before the shop falls back to popularity.
    public var recommenderTimeoutMilliseconds: Int = 250
    /// When the worker retrains the recommendation model (`GOMART_RETRAIN_AT`): nightly by default.
    public var retrainSchedule: RetrainSchedule = .nightly
    /// The log level.
    public var logLevel: Logger.Level
    /// How log lines look (`GOMART_LOG_FORMAT`); nil: text on a terminal, JSON lines otherwise.
    public var logFormat: LogFormat?
    /// The shop's public address, used in canonical links.
    public var publicBaseURL: String
    /// The shop's name.
    public var shopName: String
    /// The currency catalogue prices are in.
    public var currency: Currency
    /// Whether the first start of an empty database imports the demo catalogue.
    public var seedDemoCatalogue: Bool
    /// Production refuses to start without its secrets; development generates what it lacks.
    public var environment: RunEnvironment
    /// The base64 master key (`GOMART_SECRET_KEY`); in development, `nil` means the key file in the data folder.
    public var secretKey: String?
    /// The bcrypt cost for new password hashes (12 or more outside tests).
    public var passwordHashCost: UInt8
    /// Which parts of the shop this process runs.
    public var role: Role
    /// Whether `serve` applies pending migrations itself. Off when the app's database role may
    /// not change the schema: then `gomart migrate` runs as the owner and `serve` refuses to
    /// start on a schema that is behind.
    public var autoMigrate: Bool

    /// The parts of the shop a process can run, for scale-out.
    public enum Role: String, Sendable, CaseIterable {
        /// Everything in one process (the default).
        case all
        /// The storefront and API, stateless: run as many as needed behind a load balancer.
        case web
        /// Background jobs (the abandoned-order reaper, model retraining), plus health and metrics endpoints.
        case worker
        /// Only the recommendation model's endpoint, for web instances to call; needs no database.
        case recommender

        var runsWeb: Bool { self == .all || self == .web }
        var runsJobs: Bool { self == .all || self == .worker }
    }

    /// The card gateway; `sandbox` (test mode, no real money) is the only one so far.
    public var paymentProvider: String
    /// How long an order may wait for its payment before it is cancelled and its stock returned.
    public var pendingOrderTimeoutSeconds: Int
    /// Cart limits and delivery charges, in the shop's currency.
    public var cartPolicy: CartPolicy
    /// Session lifetimes.
    public var sessionIdleTimeoutSeconds: Int
    /// The longest a session lasts after sign-in.
    public var sessionAbsoluteTimeoutSeconds: Int

    /// Where the shop runs.
    public enum RunEnvironment: String, Sendable {
        case development
        case production
    }

    /// Cookies get the `Secure` attribute when the shop's public address is HTTPS.
    public var secureCookies: Bool { publicBaseURL.hasPrefix("https://") }

    /// The path of the development key file.
    public var keyFilePath: String { (dataDirectory as NSString).appendingPathComponent("secret.key") }

    /// Values given on the command line; `nil` means "not given".
    public struct Overrides: Sendable {
        public var host: String?
        public var port: Int?
        public var dataDirectory: String?
        public var databaseURL: String?
        public var logLevel: String?
        public var role: String?

        /// Creates overrides.
        public init(host: String? = nil, port: Int? = nil, dataDirectory: String? = nil, databaseURL: String? = nil, logLevel: String? = nil,
                    role: String? = nil) {
            self.role = role
            self.host = host
            self.port = port
            self.dataDirectory = dataDirectory
            self.databaseURL = databaseURL
            self.logLevel = logLevel
        }
    }

    /// A configuration that was not acceptable; lists every problem at once.
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        /// One line per problem.
        public var problems: [String]

        public var description: String {
            "Invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    /// Creates a configuration directly (tests).
    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = "./data", databaseURL: DatabaseURL,
        cacheTTLSeconds: Int = 300, logLevel: Logger.Level = .info, publicBaseURL: String? = nil,
        shopName: String = "GoMart", currency: Currency = .gbp, seedDemoCatalogue: Bool = true,
        databaseSchema: String? = nil,
        environment: RunEnvironment = .development, secretKey: String? = nil, passwordHashCost: UInt8 = 12,
        sessionIdleTimeoutSeconds: Int = 7 * 86_400, sessionAbsoluteTimeoutSeconds: Int = 30 * 86_400,
        cartPolicy: CartPolicy = CartPolicy(), pendingOrderTimeoutSeconds: Int = 900, paymentProvider: String = "sandbox",
        role: Role = .all, autoMigrate: Bool = true, pageCacheMegabytes: Int = 24
    ) {
        self.pageCacheMegabytes = pageCacheMegabytes
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.databaseSchema = databaseSchema
        self.cacheTTLSeconds = cacheTTLSeconds
        self.logLevel = logLevel
        self.publicBaseURL = publicBaseURL ?? "http://\(host):\(port)"
        self.shopName = shopName
        self.currency = currency
        self.seedDemoCatalogue = seedDemoCatalogue
        self.environment = environment
        self.secretKey = secretKey
        self.passwordHashCost = passwordHashCost
        self.sessionIdleTimeoutSeconds = sessionIdleTimeoutSeconds
        self.sessionAbsoluteTimeoutSeconds = sessionAbsoluteTimeoutSeconds
        self.cartPolicy = cartPolicy
        self.pendingOrderTimeoutSeconds = pendingOrderTimeoutSeconds
        self.paymentProvider = paymentProvider
        self.role = role
        self.autoMigrate = autoMigrate
    }

    /// Resolves the configuration: flags win over `GOMART_*` variables, which win over defaults.
    ///
    /// Throws ``Invalid`` naming every bad value, not only the first.
    public static func resolve(overrides: Overrides, environment given: [String: String]) throws -> GoMartConfiguration {
        var problems: [String] = []
        // Secrets may come from files (Docker and Kubernetes secrets): GOMART_X_FILE names a file
        // holding GOMART_X.
        var environment = given
        for name in ["GOMART_SECRET_KEY", "GOMART_DATABASE_URL"] where (environment[name] ?? "").isEmpty {
            guard let path = environment[name + "_FILE"], !path.isEmpty else { continue }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                problems.append("\(name)_FILE names a file that cannot be read: \(path)")
                continue
            }
            environment[name] = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func value(_ flag: String?, _ variable: String) -> String? {
            if let flag { return flag }
            if let text = environment[variable], !text.isEmpty { return text }
            return nil
        }
        func integer(_ flag: Int?, _ variable: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
            if let flag {
                guard range.contains(flag) else {
                    problems.append("\(variable) must be from \(range.lowerBound) to \(range.upperBound)")
                    return fallback
                }
                return flag
            }
            guard let text = environment[variable], !text.isEmpty else { return fallback }
            guard let number = Int(text), range.contains(number) else {
                problems.append("\(variable) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
                return fallback
            }
            return number
        }

        let host = value(overrides.host, "GOMART_HOST") ?? "127.0.0.1"
        let port = integer(overrides.port, "GOMART_PORT", default: 8080, range: 0...65535)
        let dataDirectory = value(overrides.dataDirectory, "GOMART_DATA_DIR") ?? "./data"
        let cacheTTL = integer(nil, "GOMART_CACHE_TTL_SECONDS", default: 300, range: 0...86_400)
        let pageCacheMegabytes = integer(nil, "GOMART_PAGE_CACHE_MB", default: 24, range: 0...4_096)

        var databaseURL = DatabaseURL.sqliteFile(path: (dataDirectory as NSString).appendingPathComponent("gomart.sqlite"))
        if let text = value(overrides.databaseURL, "GOMART_DATABASE_URL") {
            do { databaseURL = try DatabaseURL(parsing: text) } catch { problems.append("GOMART_DATABASE_URL: \(error)") }
        }
        var logLevel = Logger.Level.info
        if let text = value(overrides.logLevel, "GOMART_LOG_LEVEL") {
            if let level = Logger.Level(rawValue: text.lowercased()) { logLevel = level } else {
                problems.append("GOMART_LOG_LEVEL must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
            }
        }
        var logFormat: LogFormat?
        if let text = environment["GOMART_LOG_FORMAT"], !text.isEmpty {
            if let format = LogFormat(rawValue: text.lowercased()) { logFormat = format } else {
                problems.append("GOMART_LOG_FORMAT must be json or text, not '\(text)'")
            }
        }
        var currency = Currency.gbp
        if let text = environment["GOMART_CURRENCY"], !text.isEmpty {
            if let known = Currency(code: text) { currency = known } else {
                problems.append("GOMART_CURRENCY must be one of \(Currency.known.map(\.code).joined(separator: ", ")), not '\(text)'")
            }
        }
        var autoMigrate = true
        if let text = environment["GOMART_AUTO_MIGRATE"], !text.isEmpty {
            switch text.lowercased() {
            case "1", "true", "yes": autoMigrate = true
            case "0", "false", "no": autoMigrate = false
            default: problems.append("GOMART_AUTO_MIGRATE must be true or false, not '\(text)'")
            }
        }
        var seedDemo = true
        if let text = environment["GOMART_SEED_DEMO"], !text.isEmpty {
            switch text.lowercased() {
            case "1", "true", "yes": seedDemo = true
            case "0", "false", "no": seedDemo = false
            default: problems.append("GOMART_SEED_DEMO must be true or false, not '\(text)'")
            }
        }
        let schema = environment["GOMART_DATABASE_SCHEMA"].flatMap { $0.isEmpty ? nil : $0 }
        if let schema, !(schema.count <= 63 && schema.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })) {
            problems.append("GOMART_DATABASE_SCHEMA must be a plain name of letters, digits and '_'")
        }
        let publicURL = environment["GOMART_PUBLIC_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            problems.append("GOMART_PUBLIC_URL must start with http:// or https://")
        }
        var runEnvironment = RunEnvironment.development
        if let text = environment["GOMART_ENV"], !text.isEmpty {
            if let parsed = RunEnvironment(rawValue: text.lowercased()) { runEnvironment = parsed } else {
                problems.append("GOMART_ENV must be development or production, not '\(text)'")
            }
        }
        let secretKey = environment["GOMART_SECRET_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if let secretKey, Data(base64Encoded: secretKey)?.count != 32 {
            problems.append("GOMART_SECRET_KEY must be 32 random bytes in base64 (openssl rand -base64 32)")
        }
        let sessionIdle = integer(nil, "GOMART_SESSION_IDLE_SECONDS", default: 7 * 86_400, range: 60...(90 * 86_400))
        let sessionAbsolute = integer(nil, "GOMART_SESSION_MAX_SECONDS", default: 30 * 86_400, range: 300...(365 * 86_400))
        let bcryptCost = integer(nil, "GOMART_BCRYPT_COST", default: 12, range: 12...16)
        let pendingTimeout = integer(nil, "GOMART_PENDING_ORDER_TIMEOUT_SECONDS", default: 900, range: 60...86_400)
        let maximumQuantity = integer(nil, "GOMART_MAX_QUANTITY_PER_LINE", default: 99, range: 1...999)
        func money(_ variable: String, default fallback: Int64) -> Money {
            guard let text = environment[variable], !text.isEmpty else { return Money(minorUnits: fallback, currency: currency) }
            guard let amount = Money(decimal: text, currency: currency) else {
                problems.append("\(variable) must be an amount such as 3.99, not '\(text)'")
                return Money(minorUnits: fallback, currency: currency)
            }
            return amount
        }
        let cartPolicy = CartPolicy(
            maximumQuantityPerLine: maximumQuantity,
            deliveryFee: money("GOMART_DELIVERY_FEE", default: 399),
            freeDeliveryThreshold: money("GOMART_FREE_DELIVERY_FROM", default: 40_00),
            minimumOrder: money("GOMART_MINIMUM_ORDER", default: 10_00)
        )
        var role = Role.all
        if let text = value(overrides.role, "GOMART_ROLE") {
            if let parsed = Role(rawValue: text.lowercased()) { role = parsed } else {
                problems.append("GOMART_ROLE must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
            }
        }
        let recommenderURL = environment["GOMART_RECOMMENDER_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let recommenderURL, !((recommenderURL.hasPrefix("http://") || recommenderURL.hasPrefix("https://")) && URL(string: recommenderURL)?.host != nil) {
            problems.append("GOMART_RECOMMENDER_URL must be an http:// or https:// address, not '\(recommenderURL)'")
        }
        let recommenderTimeout = integer(nil, "GOMART_RECOMMENDER_TIMEOUT_MS", default: 250, range: 10...10_000)
        let modelDirectory = environment["GOMART_MODEL_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        var retrainSchedule = RetrainSchedule.nightly
        if let text = environment["GOMART_RETRAIN_AT"], !text.isEmpty {
            if let parsed = RetrainSchedule(parsing: text) { retrainSchedule = parsed } else {
                problems.append("GOMART_RETRAIN_AT must be a time of day HH:MM (UTC) or off, not '\(text)'")
            }
        }
        let paymentProvider = environment["GOMART_PAYMENT_PROVIDER"].flatMap { $0.isEmpty ? nil : $0.lowercased() }
        if let paymentProvider, paymentProvider != "sandbox" {
            problems.append("GOMART_PAYMENT_PROVIDER must be sandbox (the only gateway so far), not '\(paymentProvider)'")
        }
        if runEnvironment == .production {
            // Every missing production setting is listed at once, not one per failed start.
            if paymentProvider == nil {
                problems.append("GOMART_PAYMENT_PROVIDER is required in production (sandbox takes no real money: choose it knowingly)")
            }
            if secretKey == nil { problems.append("GOMART_SECRET_KEY is required in production") }
            if publicURL == nil { problems.append("GOMART_PUBLIC_URL is required in production") }
            else if publicURL?.hasPrefix("https://") != true { problems.append("GOMART_PUBLIC_URL must be https:// in production") }
        }
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        let displayHost = host == "0.0.0.0" ? "127.0.0.1" : host
        var configuration = GoMartConfiguration(
            host: host, port: port, dataDirectory: dataDirectory, databaseURL: databaseURL,
            cacheTTLSeconds: cacheTTL, logLevel: logLevel,
            publicBaseURL: publicURL ?? "http://\(displayHost):\(port)",
            shopName: environment["GOMART_SHOP_NAME"].flatMap { $0.isEmpty ? nil : String($0.prefix(60)) } ?? "GoMart",
            currency: currency, seedDemoCatalogue: seedDemo, databaseSchema: schema,
            environment: runEnvironment, secretKey: secretKey, passwordHashCost: UInt8(bcryptCost),
            sessionIdleTimeoutSeconds: sessionIdle, sessionAbsoluteTimeoutSeconds: sessionAbsolute,
            cartPolicy: cartPolicy, pendingOrderTimeoutSeconds: pendingTimeout, paymentProvider: paymentProvider ?? "sandbox",
            role: role, autoMigrate: autoMigrate, pageCacheMegabytes: pageCacheMegabytes
        )
        configuration.recommenderURL = recommenderURL
        configuration.logFormat = logFormat
        configuration.recommenderTimeoutMilliseconds = recommenderTimeout
        configuration.modelDirectoryOverride = modelDirectory
        configuration.retrainSchedule = retrainSchedule
        return configuration
    }
}
