import Cart
import Foundation
import GoMartModels
import Logging
import Storage
import Telemetry

/// Everything the shop needs to start, in one section per part of the shop, each with its
/// defaults and its own validation. ``resolve(overrides:environment:)`` reads it from flags, then
/// `GOMART_*` variables, then secret files, then the defaults (``SettingsReader``).
public struct GoMartConfiguration: Sendable {
    /// Where the shop runs: production refuses to start without its secrets; development
    /// generates what it lacks.
    public var environment: RunEnvironment = .development
    /// Address, role and public face.
    public var server = Server()
    /// Data folder, database and schema.
    public var persistence: Persistence
    /// In-process caches.
    public var caches = Caches()
    /// Keys, passwords and sessions.
    public var accounts = Accounts()
    /// Currency, cart limits and delivery charges.
    public var shopping = Shopping()
    /// Orders and payment.
    public var orders = Orders()
    /// Messages to customers.
    public var messaging = Messaging()
    /// The recommendation model.
    public var recommendations = Recommendations()
    /// Log level and format.
    public var logs = Logs()
    /// Rate limits, timeouts and caps.
    public var protection = Protection()

    /// Where the shop runs.
    public enum RunEnvironment: String, Sendable, CaseIterable {
        case development
        case production
    }

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

    /// A configuration for `databaseURL` with every other setting at its default (tests, tools).
    public init(databaseURL: DatabaseURL) {
        persistence = Persistence(databaseURL: databaseURL)
    }

    /// The recommendation model store: `GOMART_MODEL_DIR`, or `models/` in the data folder.
    public var modelDirectory: String {
        recommendations.modelDirectoryOverride ?? (persistence.dataDirectory as NSString).appendingPathComponent("models")
    }

    /// Values given on the command line; `nil` means "not given".
    public struct Overrides: Sendable {
        public var host: String?
        public var port: Int?
        public var dataDirectory: String?
        public var databaseURL: String?
        public var logLevel: String?
        public var role: String?
        public var tlsCertificate: String?
        public var tlsKey: String?

        /// Creates overrides.
        public init(host: String? = nil, port: Int? = nil, dataDirectory: String? = nil, databaseURL: String? = nil, logLevel: String? = nil,
                    role: String? = nil, tlsCertificate: String? = nil, tlsKey: String? = nil) {
            self.role = role
            self.tlsCertificate = tlsCertificate
            self.tlsKey = tlsKey
            self.host = host
            self.port = port
            self.dataDirectory = dataDirectory
            self.databaseURL = databaseURL
            self.logLevel = logLevel
        }

        /// The flags by the variable each stands for.
        var byVariable: [String: String] {
            var flags: [String: String] = [:]
            flags["GOMART_HOST"] = host
            flags["GOMART_PORT"] = port.map(String.init)
            flags["GOMART_DATA_DIR"] = dataDirectory
            flags["GOMART_DATABASE_URL"] = databaseURL
            flags["GOMART_LOG_LEVEL"] = logLevel
            flags["GOMART_ROLE"] = role
            flags["GOMART_TLS_CERT"] = tlsCertificate
            flags["GOMART_TLS_KEY"] = tlsKey
            return flags
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

    /// Resolves the configuration: flags win over `GOMART_*` variables, which win over secret
    /// files, which win over defaults.
    ///
    /// Throws ``Invalid`` naming every bad value, not only the first, and in production every
    /// missing setting.
    public static func resolve(overrides: Overrides, environment: [String: String]) throws -> GoMartConfiguration {
        let settings = SettingsReader(flags: overrides.byVariable, environment: environment)
        let runEnvironment = settings.choice("GOMART_ENV", default: RunEnvironment.development)
        let persistence = Persistence(reading: settings)
        var configuration = GoMartConfiguration(databaseURL: persistence.databaseURL)
        configuration.environment = runEnvironment
        configuration.persistence = persistence
        configuration.server = Server(reading: settings)
        configuration.caches = Caches(reading: settings)
        configuration.accounts = Accounts(reading: settings)
        configuration.shopping = Shopping(reading: settings)
        configuration.orders = Orders(reading: settings, production: runEnvironment == .production)
        configuration.messaging = Messaging(reading: settings, production: runEnvironment == .production)
        configuration.recommendations = Recommendations(reading: settings)
        configuration.logs = Logs(reading: settings)
        configuration.protection = Protection(reading: settings)
        if runEnvironment == .production {
            // Every missing production setting is listed at once, not one per failed start.
            if settings.text("GOMART_PAYMENT_PROVIDER") == nil {
                settings.note("GOMART_PAYMENT_PROVIDER is required in production (sandbox takes no real money: choose it knowingly)")
            }
            if configuration.accounts.secretKey == nil { settings.note("GOMART_SECRET_KEY is required in production") }
            if configuration.server.role.runsJobs, configuration.messaging.smtpURL == nil {
                // The worker sends the e-mails; web and recommender instances need no mail server.
                settings.note("GOMART_SMTP_URL is required in production for the worker (customers' e-mails must leave the machine)")
            }
            if settings.text("GOMART_PUBLIC_URL") == nil {
                settings.note("GOMART_PUBLIC_URL is required in production")
            } else if !configuration.server.publicBaseURL.hasPrefix("https://") {
                settings.note("GOMART_PUBLIC_URL must be https:// in production")
            }
        }
        guard settings.problems.isEmpty else { throw Invalid(problems: settings.problems) }
        return configuration
    }
}
