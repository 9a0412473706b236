import Benchmark
import Cart
import Catalog
import Checkout
import Foundation
import GoMartApp
import Logging
import Payments
import Security
import Storage
import Storefront

// Micro-benchmarks of the hot paths, on an in-memory database with the demo catalogue.
// Run with `GOMART_BENCHMARKS=1 swift package benchmark` (see bench/README.md).

/// What the benchmarks work on, built once.
struct Shop: Sendable {
    let storefront: StorefrontController
    let checkout: CheckoutService
    let fiftyLines: [StockItem]
    let aisleSlug: String
    let cachedAisle: PageCache.Page
    let token: [UInt8]
    let nav: [UInt8]

    static func make() async throws -> Shop {
        var logger = Logger(label: "gomart.benchmarks")
        logger.logLevel = .error
        let configuration = GoMartConfiguration(databaseURL: .sqliteMemory, logLevel: .error)
        let database = try await openMigratedDatabase(configuration, logger: logger)
        let catalog = CatalogService(repository: SQLCatalogRepository(database: database), cache: CatalogCache())
        try await catalog.seedDemoCatalogueIfFirstRun(logger: logger)
        let cart = CartService(database: database, catalog: catalog, policy: CartPolicy())
        let storefront = StorefrontController(
            catalog: catalog, cart: cart, renderer: try await PageRenderer.load(), shop: ShopSettings(publicBaseURL: "http://127.0.0.1:8080")
        )
        let keys = try SecretKeys.resolve(configuredBase64: nil, source: "benchmarks", keyFilePath: nil)
        let checkout = CheckoutService(
            database: database, catalog: catalog, cart: cart, payments: SandboxPaymentProvider(), vault: PersonalDataVault(keys: keys), logger: logger
        )
        let stocked = try await catalog.products(matching: ProductQuery(inStockOnly: true, sort: .name, pageSize: 50)).products
        precondition(stocked.count == 50, "the demo catalogue has 50 products in stock")
        let aisleSlug = "pantry"
        let html = try await storefront.renderAisle(slug: aisleSlug, query: nil, returnTo: "/aisles/\(aisleSlug)")
        return Shop(
            storefront: storefront, checkout: checkout,
            fiftyLines: stocked.map { StockItem(productID: $0.id, quantity: 1) },
            aisleSlug: aisleSlug, cachedAisle: storefront.pages.makePage(from: html),
            token: Array(CSRFTokens(keys: keys).token(for: "benchmark-visitor-0001").utf8),
            nav: Array(#"<nav class="account-nav"><a class="cart-link" href="/cart">Cart <span class="cart-count">3</span></a></nav>"#.utf8)
        )
    }
}

nonisolated(unsafe) var shop: Shop?

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )
    Benchmark.setup = { shop = try await Shop.make() }

    Benchmark("Render an aisle page from its view model (page cache miss)") { benchmark in
        guard let shop else { return }
        for _ in benchmark.scaledIterations {
            blackHole(try? await shop.storefront.renderAisle(slug: shop.aisleSlug, query: nil, returnTo: "/aisles/\(shop.aisleSlug)"))
        }
    }

    Benchmark("Serve a cached aisle page: fill in token and header") { benchmark in
        guard let shop else { return }
        for _ in benchmark.scaledIterations {
            blackHole(shop.cachedAisle.body(csrfToken: shop.token, shopperNav: shop.nav))
        }
    }

    Benchmark("Serve a cached aisle page, gzipped") { benchmark in
        guard let shop else { return }
        for _ in benchmark.scaledIterations {
            blackHole(shop.cachedAisle.gzippedBody(csrfToken: shop.token, shopperNav: shop.nav))
        }
    }

    Benchmark("Price and validate a 50-line cart") { benchmark in
        guard let shop else { return }
        for _ in benchmark.scaledIterations {
            blackHole(try? await shop.checkout.validate(shop.fiftyLines))
        }
    }
}
