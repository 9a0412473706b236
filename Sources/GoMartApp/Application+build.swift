import API
import Catalog
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Storage
import Storefront
import Telemetry

/// Every migration the application runs, across modules, in order.
public let allMigrations: [Migration] = CatalogMigrations.all

/// Opens the database named by `configuration` and applies pending migrations.
public func openMigratedDatabase(_ configuration: GoMartConfiguration, logger: Logger) async throws -> Database {
    let database = try await Database.open(url: configuration.databaseURL, logger: logger)
    do {
        try await Migrator(migrations: allMigrations).migrate(database, logger: logger)
    } catch {
        await database.close()
        throw error
    }
    return database
}

/// Builds the shop: database, migrations, first-run seed, services, routes and middleware.
///
/// This is the one place where dependencies are assembled.
public func buildApplication(
    _ configuration: GoMartConfiguration,
    logger: Logger,
    onServerRunning: @escaping @Sendable (String) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let database = try await openMigratedDatabase(configuration, logger: logger)
    let catalog = CatalogService(
        repository: SQLCatalogRepository(database: database),
        cache: CatalogCache(timeToLive: .seconds(configuration.cacheTTLSeconds)),
        currency: configuration.currency
    )
    do {
        if configuration.seedDemoCatalogue {
            try await catalog.seedDemoCatalogueIfFirstRun(logger: logger)
        }
        let router = try await buildRouter(configuration: configuration, database: database, catalog: catalog, logger: logger)
        var app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "GoMart"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                await onServerRunning("http://\(configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host):\(port)")
            },
            logger: logger
        )
        app.addServices(DatabaseService(database: database))
        return app
    } catch {
        await database.close()
        throw error
    }
}

/// Builds the router with its middleware and every controller's routes.
func buildRouter(configuration: GoMartConfiguration, database: Database, catalog: CatalogService, logger: Logger) async throws -> Router<BasicRequestContext> {
    let renderer = try await PageRenderer.load()
    guard let publicDirectory = PageRenderer.publicDirectory else { throw StorefrontError.missingResources("Public") }
    let storefront = StorefrontController<BasicRequestContext>(
        catalog: catalog, renderer: renderer,
        shop: ShopSettings(name: configuration.shopName, publicBaseURL: configuration.publicBaseURL)
    )
    _ = MetricsRegistry.registry
    let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: RequestLoggingMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ErrorResponseMiddleware(storefront: storefront))
    router.add(middleware: FileMiddleware(
        publicDirectory, urlBasePath: "/static",
        cacheControl: .init([(MediaType(type: .any), [.public, .maxAge(86_400)])]),
        logger: logger
    ))
    HealthController<BasicRequestContext>(database: database, migrator: Migrator(migrations: allMigrations)).addRoutes(to: router)
    storefront.addRoutes(to: router)
    try APIController<BasicRequestContext>(catalog: catalog).addRoutes(to: router)
    return router
}
