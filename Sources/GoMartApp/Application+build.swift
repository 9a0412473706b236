import API
import RecommenderAPI
import Accounts
import BackOffice
import Cart
import Catalog
import Checkout
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Operations
import Logging
import Mail
import Notifications
import Lists
import Payments
import Promotions
import Recommendations
import RecommendedProducts
import RecommenderClient
import ServiceLifecycle
import Storage
import Security
import Slots
import Storefront
import Telemetry
import Web

/// Every migration the application runs, across modules, in order.
public let allMigrations: [Migration] =
    CatalogMigrations.all + AccountsMigrations.all + CartMigrations.all + CheckoutMigrations.all + Outbox.migrations + JobLease.migrations + ChangeFeed.migrations
    + BackOfficeMigrations.all + PaymentsMigrations.all
    + DataKeyRotation.migrations + MessageStore.migrations + WebhookStore.migrations + SlotsMigrations.all + PromotionsMigrations.all + ListsMigrations.all

/// Every column holding sealed personal data, as each module declares its own: what key rotation re-seals.
public let allSealedColumns: [SealedColumn] = AccountsMigrations.sealedColumns + BackOfficeMigrations.sealedColumns + CheckoutMigrations.sealedColumns

/// Opens the database named by `configuration`, brings its schema up to date (``prepareSchema(of:_:logger:)``),
/// runs `body` with it and closes it: for commands that run outside the service group.
public func withMigratedDatabase<T: Sendable>(
    _ configuration: GoMartConfiguration, logger: Logger, _ body: (Database) async throws -> T
) async throws -> T {
    try await Database.withOpened(url: configuration.persistence.databaseURL, postgresSearchPath: configuration.persistence.databaseSchema, logger: logger) { database in
        try await prepareSchema(of: database, configuration, logger: logger)
        return try await body(database)
    }
}

/// Applies pending migrations, or, when automatic migration is off, checks that none are pending.
public func prepareSchema(of database: Database, _ configuration: GoMartConfiguration, logger: Logger) async throws {
    let migrator = Migrator(migrations: allMigrations)
    if configuration.persistence.autoMigrate {
        try await migrator.migrate(database, logger: logger)
    } else {
        let pending = try await migrator.pending(database)
        guard pending.isEmpty else { throw SchemaBehind(pending: pending) }
    }
}

/// The schema lacks migrations and this process may not apply them.
public struct SchemaBehind: Error, CustomStringConvertible {
    /// The migrations not yet applied.
    public var pending: [String]

    public var description: String {
        "The database schema is behind this version of GoMart (\(pending.count) migration(s) pending: \(pending.joined(separator: ", "))). "
            + "Run `gomart migrate` with the schema owner's database URL, then start again."
    }
}

/// Builds the shop: database, services, routes and middleware; migrations and the first-run
/// seed run in the service group once the database runs, before the server accepts requests.
///
/// This is the one place where dependencies are assembled. `onModelLoaded` hears each
/// recommendation model version the shop swaps in.
public func buildApplication(
    _ configuration: GoMartConfiguration,
    logger: Logger,
    onServerRunning: @escaping @Sendable (String) async -> Void = { _ in },
    onModelLoaded: @escaping @Sendable (String) -> Void = { _ in },
    onOperationsRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    // Metrics first: caches and counters made before the bootstrap would report nowhere.
    _ = MetricsRegistry.registry
    let database = try await Database.open(url: configuration.persistence.databaseURL, postgresSearchPath: configuration.persistence.databaseSchema, logger: logger)
    do {
        let services = try ShopServices(configuration: configuration, database: database, logger: logger)
        let (catalog, cart, checkout, keys) = (services.catalog, services.cart, services.checkout, services.keys)
        if configuration.environment == .production && configuration.orders.paymentProvider == "sandbox" {
            logger.warning("payments use the sandbox gateway: no real money is taken")
        }
        let recommendations = makeRecommender(configuration, logger: logger)
        let shopRecommendations = ShopRecommendations(
            recommender: recommendations, catalog: catalog, cart: cart, history: services.history, logger: logger
        )
        let faults = configuration.server.faultSwitch ? FaultSwitch() : nil
        let router = try await buildRouter(
            configuration: configuration, database: database, services: services, recommendations: shopRecommendations, faults: faults, logger: logger
        )
        var app = try makeServer(router: router, configuration: configuration, logger: logger, onServerRunning: onServerRunning)
        app.addServices(DatabaseService(database: database))
        if let operations = makeOperationsServer(health: shopHealth(configuration, database: database, recommendations: shopRecommendations, logger: logger),
                                                 faults: faults, configuration: configuration, logger: logger, onRunning: onOperationsRunning) {
            app.addServices(operations)
        }
        let schemaReady = StartupGate()
        let keyRotation = DataKeyRotation(database: database, keys: keys, columns: allSealedColumns)
        app.beforeServerStarts {
            try await prepareSchema(of: database, configuration, logger: logger)
            // Every key version before the first request, so no sealed value is unreadable.
            try await keyRotation.refresh()
            if configuration.persistence.seedDemoCatalogue {
                try await catalog.seedDemoCatalogueIfFirstRun(logger: logger)
                try await services.slots.seedDemoSlotsIfFirstRun(logger: logger)
                if configuration.persistence.seedDemoOffers {
                    try await services.promotions.seedDemoPromotionsIfFirstRun(catalogue: {
                        Dictionary(try await catalog.allProducts().map { ($0.sku, $0.id) }, uniquingKeysWith: { first, _ in first })
                    }, logger: logger)
                }
            }
            schemaReady.open()
        }
        if configuration.server.role.runsWeb {
            app.addServices(ModelWatcher(
                recommendations: recommendations, interval: .seconds(configuration.recommendations.modelCheckIntervalSeconds), logger: logger, onLoaded: onModelLoaded
            ))
        }
        app.addServices(GatedService(gate: schemaReady, service: KeyringService(
            rotation: keyRotation, reseals: configuration.server.role.runsJobs, database: database, logger: logger
        )))
        app.addServices(GatedService(gate: schemaReady, service: ChangeFeedService(
            feed: services.changes, polls: configuration.server.role.runsWeb, purges: configuration.server.role.runsJobs, logger: logger
        )))
        if configuration.server.role.runsJobs {
            app.addServices(GatedService(gate: schemaReady, service: PendingOrderReaper.job(
                checkout: checkout, database: database, interval: .seconds(configuration.orders.settleIntervalSeconds),
                retryAfter: TimeInterval(configuration.orders.paymentRetryAfterSeconds), logger: logger
            )))
            app.addServices(GatedService(gate: schemaReady, service: SlotKeeper.job(slots: services.slots, database: database, logger: logger)))
            app.addServices(GatedService(gate: schemaReady, service: services.lists.job(logger: logger)))
            app.addServices(GatedService(gate: schemaReady, service: NotificationWorker(
                notifications: try makeNotifications(configuration, services: services, logger: logger), logger: logger
            )))
            app.addServices(GatedService(gate: schemaReady, service: ModelRetrainer(
                services: services, store: ModelStore(directory: URL(fileURLWithPath: configuration.modelDirectory)),
                schedule: configuration.recommendations.retrainSchedule, database: database, logger: logger
            )))
            if let backups = scheduledBackups(configuration, database: database, logger: logger) {
                app.addServices(GatedService(gate: schemaReady, service: backups))
            }
        }
        return app
    } catch {
        await database.close()
        throw error
    }
}

/// The HTTP server for `router` on the configured address, behind each connection's
/// ``ConnectionGuard``, and with TLS when a certificate is configured; it announces its address
/// (with the port actually bound) once it listens. It runs through ``ShopListener``.
func makeServer<Context: RequestContext>(
    router: Router<Context>, configuration: GoMartConfiguration, logger: Logger, onServerRunning: @escaping @Sendable (String) async -> Void
) throws -> ShopApplication<RouterResponder<Context>> {
    let protection = configuration.protection
    let limits = ConnectionLimits(
        headerTimeout: .seconds(protection.headerTimeoutSeconds), bodyTimeout: .seconds(protection.bodyTimeoutSeconds),
        idleTimeout: .seconds(protection.idleTimeoutSeconds), maxConnections: protection.maxConnections
    )
    let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [ConnectionGuard(limits: limits)])
    let tls = try configuration.server.tls.map { try serverTLS(certificateFile: $0.certificate, keyFile: $0.key) }
    var server = HTTPServerBuilder.http1(configuration: http1)
    if let tls {
        server = try .tls(server, tlsConfiguration: tls)
    }
    let scheme = tls == nil ? "http" : "https"
    let (host, port) = (configuration.server.host, configuration.server.port)
    let base = Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(host, port: port), serverName: "GoMart"),
        onServerRunning: { channel in
            let bound = channel.localAddress?.port ?? port
            await onServerRunning("\(scheme)://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(bound)")
        },
        logger: logger
    )
    return ShopApplication(base: base, host: host, port: port) { responder in
        let connection = HTTP1Channel(responder: responder, configuration: http1)
        guard let tls else { return connection }
        return try TLSChannel(connection, tlsConfiguration: tls)
    }
}

/// The TLS settings for serving HTTPS: the PEM certificate chain and key, TLS 1.2 or newer.
func serverTLS(certificateFile: String, keyFile: String) throws -> TLSConfiguration {
    let chain: [NIOSSLCertificate]
    let key: NIOSSLPrivateKey
    do {
        chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
    } catch {
        throw GoMartConfiguration.Invalid(problems: ["GOMART_TLS_CERT: no PEM certificate could be read from \(certificateFile)"])
    }
    do {
        key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
    } catch {
        throw GoMartConfiguration.Invalid(problems: ["GOMART_TLS_KEY: no PEM private key could be read from \(keyFile)"])
    }
    guard !chain.isEmpty else { throw GoMartConfiguration.Invalid(problems: ["GOMART_TLS_CERT: \(certificateFile) holds no certificate"]) }
    var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    tls.minimumTLSVersion = .tlsv12
    return tls
}

/// The operations listener (`GOMART_ADMIN_HOST`:`GOMART_ADMIN_PORT`): `/metrics`, the detailed
/// readiness answer and liveness, kept off the shop's public port; nil when it is off.
func makeOperationsServer(
    health: HealthController<BasicRequestContext>, faults: FaultSwitch?, configuration: GoMartConfiguration, logger: Logger,
    onRunning: @escaping @Sendable (Int) async -> Void
) -> (any Service)? {
    guard let port = configuration.server.adminPort else { return nil }
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    health.addRoutes(to: router, detailed: true)
    faults?.addRoutes(to: router)
    let host = configuration.server.adminHost
    return Application(
        router: router,
        configuration: .init(address: .hostname(host, port: port), serverName: "GoMart"),
        onServerRunning: { channel in
            let bound = channel.localAddress?.port ?? port
            logger.info("operations endpoints (/metrics, /health/ready) listening", metadata: ["address": .string("http://\(host):\(bound)")])
            await onRunning(bound)
        },
        logger: logger
    )
}

/// The shop's readiness: the database answers and its schema is current.
func shopHealth<Context: RequestContext>(
    _ configuration: GoMartConfiguration, database: Database, recommendations: ShopRecommendations, logger: Logger
) -> HealthController<Context> {
    .shop(
        database: database, migrator: Migrator(migrations: allMigrations), role: configuration.server.role.rawValue,
        dataDirectory: configuration.persistence.dataDirectory, logger: logger,
        modelVersion: { recommendations.modelVersion }
    )
}

/// The recommender the shop asks: the recommender role over HTTP when `GOMART_RECOMMENDER_URL`
/// names one, else the newest model in the model store, loaded into this process.
func makeRecommender(_ configuration: GoMartConfiguration, logger: Logger) -> any Recommender {
    if let url = configuration.recommendations.recommenderURL {
        return RemoteRecommender(
            configuration: .init(baseURL: url, timeout: .milliseconds(configuration.recommendations.recommenderTimeoutMilliseconds)), logger: logger
        )
    }
    return loadedModel(configuration, logger: logger)
}

/// The model store's newest model, loaded (a store that cannot be read yet is logged, not fatal).
func loadedModel(_ configuration: GoMartConfiguration, logger: Logger) -> RecommendationService {
    let service = RecommendationService(store: ModelStore(directory: URL(fileURLWithPath: configuration.modelDirectory)))
    do {
        try service.reload()
    } catch {
        logger.error("could not load the newest recommendation model", metadata: ["error": "\(error)"])
    }
    return service
}

/// Builds the recommender role: the model endpoint (``API/ModelAPIController``) over the model
/// store, with health and metrics endpoints. It needs no database.
public func buildRecommenderApplication(
    _ configuration: GoMartConfiguration,
    logger: Logger,
    onServerRunning: @escaping @Sendable (String) async -> Void = { _ in },
    onModelLoaded: @escaping @Sendable (String) -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let recommendations = loadedModel(configuration, logger: logger)
    _ = MetricsRegistry.registry
    let router = Router(context: BasicRequestContext.self)
    if Traces.enabled { router.add(middleware: RequestTracingMiddleware()) }
    router.add(middleware: RequestLoggingMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    // An internal role, reached only by web instances: its health details and metrics stay on its one port.
    HealthController<BasicRequestContext>.recommender(modelDirectory: configuration.modelDirectory, modelVersion: { recommendations.modelVersion }).addRoutes(to: router, detailed: true)
    ModelAPIController<BasicRequestContext>(recommendations: recommendations).addRoutes(to: router)
    var app = try makeServer(router: router, configuration: configuration, logger: logger, onServerRunning: onServerRunning)
    app.addServices(ModelWatcher(
        recommendations: recommendations, interval: .seconds(configuration.recommendations.modelCheckIntervalSeconds), logger: logger, onLoaded: onModelLoaded
    ))
    return app
}

/// `scheme://host[:port]` of the shop's public address.
func publicOrigin(_ baseURL: String) -> String? {
    guard let components = URLComponents(string: baseURL), let scheme = components.scheme, let host = components.host else { return nil }
    return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
}

/// Builds the router with its middleware and every controller's routes.
func buildRouter(
    configuration: GoMartConfiguration, database: Database, services: ShopServices, recommendations: ShopRecommendations, faults: FaultSwitch?,
    logger: Logger
) async throws -> Router<ShopRequestContext> {
    let (catalog, accounts, cart, checkout, staff, keys) = (services.catalog, services.accounts, services.cart, services.checkout, services.staff, services.keys)
    let images = ProductImages(directory: URL(fileURLWithPath: configuration.persistence.dataDirectory).appendingPathComponent("images"))
    let renderer = try await PageRenderer.load(images: images)
    var shop = ShopSettings(name: configuration.server.shopName, publicBaseURL: configuration.server.publicBaseURL)
    shop.sendsTextMessages = configuration.messaging.smsAvailable
    shop.timeZone = configuration.orders.timeZone
    let cookies = CookieSettings(secure: configuration.server.secureCookies)
    let storefront = StorefrontController(
        catalog: catalog, cart: cart, renderer: renderer, shop: shop,
        pageCacheTimeToLive: .seconds(configuration.caches.cacheTTLSeconds), pageCacheBytes: configuration.caches.pageCacheMegabytes * 1_048_576,
        recommendations: recommendations, promotions: services.promotions, lists: services.lists
    )
    let router = Router(context: ShopRequestContext.self, options: .autoGenerateHeadEndpoints)
    let errors = ErrorResponseMiddleware(storefront: storefront, apiMethods: try OpenAPIDocument.shopMethods())
    let protection = configuration.protection
    // Outermost, so that the request's log line carries its trace and span ids.
    if Traces.enabled { router.add(middleware: RequestTracingMiddleware()) }
    router.add(middleware: RequestLoggingMiddleware())
    router.add(middleware: MetricsMiddleware())
    if let faults {
        logger.warning("the fault switch is on (GOMART_FAULT_SWITCH): the operations listener can make requests fail")
        router.add(middleware: FaultInjectionMiddleware(faults: faults))
    }
    router.add(middleware: LoadSheddingMiddleware(limit: protection.maxRequestsInFlight))
    router.add(middleware: SecurityHeadersMiddleware(strictTransportSecurity: configuration.server.publicBaseURL.lowercased().hasPrefix("https://")))
    router.add(middleware: RateLimitMiddleware(limiter: RateLimiter(policy: protection.rateLimits), proxies: protection.trustedProxies, errors: errors))
    router.add(middleware: errors)
    router.add(middleware: StaticAssetsMiddleware(assets: renderer.assets))
    router.add(middleware: ResponseCompressionMiddleware())
    shopHealth(configuration, database: database, recommendations: recommendations, logger: logger).addRoutes(to: router, detailed: false)
    guard configuration.server.role.runsWeb else { return router }
    // Everything below knows who is shopping; health checks and static files above do not need to.
    router.add(middleware: ShopperMiddleware(
        accounts: accounts, csrf: CSRFTokens(keys: keys), cookies: cookies, publicOrigin: publicOrigin(configuration.server.publicBaseURL),
        largeForms: AdminCatalogueController.formLimit(path:)
    ))
    storefront.addRoutes(to: router)
    AccountController(accounts: accounts, catalog: catalog, cart: cart, renderer: renderer, shop: shop, cookies: cookies).addRoutes(to: router)
    CartController(cart: cart, catalog: catalog, renderer: renderer, shop: shop).addRoutes(to: router)
    CheckoutController(checkout: checkout, cart: cart, catalog: catalog, renderer: renderer, shop: shop).addRoutes(to: router)
    SlotsController(slots: services.slots, cart: cart, catalog: catalog, renderer: renderer, shop: shop).addRoutes(to: router)
    StaffController(staff: staff, renderer: renderer, shop: shop, cookies: cookies).addRoutes(to: router)
    let rule = cart.policy.substitutes
    AdminOrdersController(desk: services.orderDesk, staff: staff, renderer: renderer, shop: shop, substitutes: { id, choice in
        // The product the shopper named, while it passes the rule; else the model's suggestions.
        guard let original = try await catalog.currentProducts(ids: [id])[id] else { return [] }
        if case .product(let named) = choice {
            return try await catalog.currentProducts(ids: [named])[named].map { rule.accepts($0, for: original) ? [$0] : [] } ?? []
        }
        return try await recommendations.substitutes(for: original, rule: rule, k: 5).products
    }).addRoutes(to: router)
    AdminCatalogueController(
        desk: services.catalogueDesk, staff: staff, renderer: renderer, shop: shop,
        images: images
    ).addRoutes(to: router)
    AdminDashboardController(desk: services.reportsDesk, staff: staff, renderer: renderer, shop: shop).addRoutes(to: router)
    AdminCustomersController(desk: services.customerDesk, staff: staff, renderer: renderer, shop: shop).addRoutes(to: router)
    AdminMessagesController(desk: MessageDesk(staff: staff, messages: services.messages), staff: staff, renderer: renderer, shop: shop).addRoutes(to: router)
    AdminWebhooksController(desk: WebhookDesk(staff: staff, webhooks: services.webhooks, database: database), staff: staff, renderer: renderer, shop: shop)
        .addRoutes(to: router)
    AdminSlotsController(desk: services.slotDesk, staff: staff, renderer: renderer, shop: shop).addRoutes(to: router)
    AdminPromotionsController(desk: services.promotionDesk, catalog: catalog, staff: staff, renderer: renderer, shop: shop).addRoutes(to: router)
    ListsController(lists: services.lists, checkout: checkout, cart: cart, catalog: catalog, renderer: renderer, shop: shop).addRoutes(to: router)
    AdminStaffController(staff: staff, renderer: renderer, shop: shop).addRoutes(to: router)
    try APIController<ShopRequestContext>(catalog: catalog).addRoutes(to: router)
    AccountsAPIController(accounts: accounts).addRoutes(to: router)
    CartAPIController(cart: cart).addRoutes(to: router)
    ListsAPIController(lists: services.lists, checkout: checkout, cart: cart, catalog: catalog).addRoutes(to: router)
    OrdersAPIController(checkout: checkout).addRoutes(to: router)
    SlotsAPIController(slots: services.slots).addRoutes(to: router)
    AdminAPIController(staff: staff, desk: services.orderDesk).addRoutes(to: router)
    AdminCatalogueAPIController(staff: staff, catalogue: services.catalogueDesk, orders: services.orderDesk, reports: services.reportsDesk)
        .addRoutes(to: router)
    RecommendationsAPIController(catalog: catalog, recommendations: recommendations).addRoutes(to: router)
    return router
}

/// The backup key: `GOMART_BACKUP_KEY`, or in development the data folder's `backup.key`, made
/// when `create` is set and it is missing.
public func loadBackupKey(_ configuration: GoMartConfiguration, create: Bool) throws -> BackupKey {
    let persistence = configuration.persistence
    guard persistence.backupKey != nil || configuration.environment == .development else {
        throw BackupKey.Invalid(description: "GOMART_BACKUP_KEY is required in production")
    }
    return try BackupKey.resolve(configuredBase64: persistence.backupKey, keyFile: persistence.backupKeyFilePath, create: create)
}

/// The outbox's delivery as configured: e-mail through the SMTP server of `GOMART_SMTP_URL`,
/// or into the Maildir folder `mail/` of the data directory when none is set.
func makeNotifications(_ configuration: GoMartConfiguration, services: ShopServices, logger: Logger) throws -> Notifications {
    let messaging = configuration.messaging
    var settings = NotificationSettings(
        shopName: configuration.server.shopName, publicURL: configuration.server.publicBaseURL,
        from: MailAddress(parsing: messaging.mailFrom) ?? MailAddress("no-reply@localhost", name: configuration.server.shopName)
    )
    settings.maxAttempts = messaging.attempts
    settings.retryBaseSeconds = Int64(messaging.retrySeconds)
    settings.leaseSeconds = Int64(messaging.leaseSeconds)
    let transport: any MailTransport
    if let url = messaging.smtpURL {
        let host = settings.host.isEmpty ? "localhost" : settings.host
        transport = try SMTPClient(settings: try SMTPSettings(url: url), clientName: host)
    } else {
        let folder = (configuration.persistence.dataDirectory as NSString).appendingPathComponent("mail")
        transport = try MaildirTransport(directory: folder)
        logger.notice("no GOMART_SMTP_URL: e-mails are kept in the Maildir folder \(folder)")
    }
    let sms: (any SMSProvider)?
    if let provider = messaging.sms {
        sms = HTTPSMSProvider(baseURL: provider.url, account: provider.account, token: provider.token, from: provider.from)
    } else if messaging.smsSandbox {
        sms = SandboxSMSProvider(file: (configuration.persistence.dataDirectory as NSString).appendingPathComponent("sms.jsonl"))
    } else {
        sms = nil
    }
    let staff = services.staff
    let composer = try EmailComposer(settings: settings, accounts: services.accounts, fulfilment: services.fulfilment,
                                     vault: PersonalDataVault(keys: services.keys),
                                     owners: { try await staff.activeOwners().map { MailAddress($0.email, name: $0.name) } })
    let webhooks = WebhookChannel(store: services.webhooks.store, sender: WebhookSender(addressGuard: services.webhooks.addressGuard),
                                  vault: PersonalDataVault(keys: services.keys), disableAfter: messaging.webhookDisableAfter)
    return Notifications(store: services.messages, settings: settings, composer: composer, fulfilment: services.fulfilment,
                         mail: transport, sms: sms, webhooks: webhooks, logger: logger)
}

/// The worker's scheduled backups, when they apply: a database on disk or PostgreSQL, an
/// interval, and a backup key.
func scheduledBackups(_ configuration: GoMartConfiguration, database: Database, logger: Logger) -> ScheduledBackups? {
    let persistence = configuration.persistence
    guard let minutes = persistence.backupIntervalMinutes else {
        logger.warning("scheduled backups are off (GOMART_BACKUP_INTERVAL=off)")
        return nil
    }
    do {
        let key = try loadBackupKey(configuration, create: true)
        let backups: any ShopBackups
        switch persistence.databaseURL {
        case .sqliteFile(let path): backups = SQLiteBackups(databasePath: path, key: key, logger: logger)
        case .postgres(let url): backups = PostgresBackups(database: database, url: url, key: key, logger: logger)
        case .sqliteMemory: return nil // nothing outlives the process
        }
        // A bucket receives each backup; a local folder in the data folder is where it is made.
        let remote = persistence.backupDirectory.hasPrefix("s3://")
            ? try BackupPlace.parse(persistence.backupDirectory, environment: ProcessInfo.processInfo.environment) : nil
        let local = remote == nil ? persistence.backupDirectory : (persistence.dataDirectory as NSString).appendingPathComponent("backups")
        return ScheduledBackups(
            backups: backups, folder: URL(fileURLWithPath: local), remote: remote,
            interval: .seconds(minutes * 60), retention: BackupRetention(keep: persistence.backupKeep), database: database, logger: logger
        )
    } catch {
        logger.error("scheduled backups are off: \(error)")
        return nil
    }
}

/// The keys from `GOMART_SECRET_KEY` if set; in development, from the key file in the data folder.
public func loadSecretKeys(_ configuration: GoMartConfiguration) throws -> SecretKeys {
    guard configuration.accounts.secretKey != nil || configuration.environment == .development else {
        throw GoMartConfiguration.Invalid(problems: ["GOMART_SECRET_KEY is required in production"])
    }
    var keyFile: String? = configuration.persistence.keyFilePath
    if case .sqliteMemory = configuration.persistence.databaseURL {
        keyFile = nil // a throwaway database needs no persistent key
    }
    return try SecretKeys.resolve(configuredBase64: configuration.accounts.secretKey, source: "GOMART_SECRET_KEY", keyFilePath: keyFile)
}
