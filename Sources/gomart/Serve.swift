import ArgumentParser
import GoMartApp
import Hummingbird
import Logging
import ServiceLifecycle
import Telemetry
import UnixSignals

/// `gomart serve`: runs the shop.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the shop.",
        discussion: """
            On first start this creates the data folder and database, applies migrations and loads \
            the demo catalogue. Stop it with Ctrl-C (or SIGTERM): requests in flight finish first.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Address to listen on (default 127.0.0.1, or GOMART_HOST).", valueName: "address"))
    var host: String?

    @Option(name: .long, help: ArgumentHelp("Port to listen on (default 8080, or GOMART_PORT).", valueName: "number"))
    var port: Int?

    @Option(name: .long, help: ArgumentHelp("What to run: all (default), web (pages and API, stateless), worker (background jobs) or recommender (the model endpoint), or GOMART_ROLE.", valueName: "role"))
    var role: String?

    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("PEM certificate chain: serve HTTPS (with --tls-key), or GOMART_TLS_CERT.", valueName: "path"))
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("PEM private key for --tls-cert, or GOMART_TLS_KEY.", valueName: "path"))
    var tlsKey: String?

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let configuration = try storage.configuration(host: host, port: port, role: role, tlsCertificate: tlsCertificate, tlsKey: tlsKey)
        let logger = storage.logger(for: configuration)
        logger.info("starting", metadata: ["database": "\(configuration.persistence.databaseURL)"])
        // Traces first, so that every span is recorded, and stopped last, so that the last ones are sent.
        let traces = try configuration.logs.otlpEndpoint.map { collector in
            try Traces.bootstrap(collector: collector, serviceName: "gomart-\(configuration.server.role.rawValue)", logger: logger)
        }
        let ready: @Sendable (String) async -> Void = { url in say("GoMart is ready: \(url)") }
        let app: any Service
        if configuration.server.role == .recommender {
            app = try await buildRecommenderApplication(configuration, logger: logger, onServerRunning: ready)
        } else {
            let host = configuration.server.adminHost
            app = try await buildApplication(configuration, logger: logger, onServerRunning: ready, onOperationsRunning: { port in
                say("Operations endpoints (metrics, readiness details): http://\(host):\(port)")
            })
        }
        let services: [any Service] = (traces.map { [$0] } ?? []) + [app]
        try await ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
    }
}
