import Benchmark
import Cart
import Catalog
import Checkout
import Foundation
import GoMartApp
import GoMartModels
import Logging
import Payments
import Recommendations
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
    /// Four of the aisle's products, as a shopper's recommendations would badge them.
    let badged: Set<String>

    static func make() async throws -> Shop {
        var logger = Logger(label: "gomart.benchmarks")
        logger.logLevel = .error
        let configuration = GoMartConfiguration(databaseURL: .sqliteMemory)
        let database = try await Database.open(url: configuration.persistence.databaseURL, logger: logger)
        // The benchmarks' database lives as long as the process; its group commits run beside.
        Task { await database.run() }
        try await prepareSchema(of: database, configuration, logger: logger)
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
        let aisleProducts = try await catalog.products(matching: ProductQuery(aisleSlug: aisleSlug, sort: .name)).products
        return Shop(
            storefront: storefront, checkout: checkout,
            fiftyLines: stocked.map { StockItem(productID: $0.id, quantity: 1) },
            aisleSlug: aisleSlug, cachedAisle: storefront.pages.makePage(from: html),
            token: Array(CSRFTokens(keys: keys).token(for: "benchmark-visitor-0001").utf8),
            nav: Array(#"<nav class="account-nav"><a class="cart-link" href="/cart">Cart <span class="cart-count">3</span></a></nav>"#.utf8),
            badged: Set(aisleProducts.prefix(8).enumerated().filter { $0.offset % 2 == 0 }.map { $0.element.id.publicString })
        )
    }
}

nonisolated(unsafe) var shop: Shop?

/// 100,000 items spread like a big grocer's catalogue: 13 aisles, 120 brands, prices from 15p to £60.
func largeCatalogue(count: Int = 100_000) -> [ItemRecord] {
    var generator = SystemRandomNumberGenerator()
    let units = ["each", "kg", "l"]
    return (0..<count).map { index in
        let price = Int64.random(in: 15...6_000, using: &generator)
        let unit = units[index % 3]
        return ItemRecord(
            id: String(format: "%08x-0000-4000-8000-%012x", index, index), name: "Item \(index)",
            aisle: "Aisle \(index % 13)", brand: "Brand \(Int.random(in: 0..<120, using: &generator))",
            priceMinor: price, unitPriceMinor: price * Int64.random(in: 1...20, using: &generator), unit: unit,
            soldByWeight: unit == "kg", inStock: true
        )
    }
}

nonisolated(unsafe) var bigIndex: NearestNeighbourIndex?

@Sendable func makeBigIndex() async throws {
    guard bigIndex == nil else { return }
    let items = largeCatalogue()
    bigIndex = NearestNeighbourIndex(items: items, schema: FeatureSchema(fitting: items, weights: FeatureWeights()))
}

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
            blackHole(shop.cachedAisle.body(PageCache.ShopperParts(csrfToken: shop.token, shopperNav: shop.nav)))
        }
    }

    Benchmark("Serve a cached aisle page, gzipped") { benchmark in
        guard let shop else { return }
        for _ in benchmark.scaledIterations {
            blackHole(shop.cachedAisle.gzippedBody(PageCache.ShopperParts(csrfToken: shop.token, shopperNav: shop.nav)))
        }
    }

    Benchmark("Serve a cached aisle page to a shopper with recommendations (badges), gzipped afresh") { benchmark in
        guard let shop else { return }
        let personal = PageCache.PersonalParts(badged: shop.badged, badge: Array(#"<p class="badge badge-recommended">Recommended for you</p>"#.utf8), row: [])
        for _ in benchmark.scaledIterations {
            blackHole(shop.cachedAisle.gzippedBody(PageCache.ShopperParts(csrfToken: shop.token, shopperNav: shop.nav, personal: personal)))
        }
    }

    Benchmark("Build the k-NN index of 100,000 items (fit the schema and encode)", configuration: .init(maxDuration: .seconds(10), maxIterations: 10)) { benchmark in
        let items = largeCatalogue()
        benchmark.startMeasurement()
        let schema = FeatureSchema(fitting: items, weights: FeatureWeights())
        blackHole(NearestNeighbourIndex(items: items, schema: schema))
        benchmark.stopMeasurement()
    }

    Benchmark("Ten nearest neighbours among 100,000 items (exact, Euclidean)",
              configuration: .init(maxDuration: .seconds(5), maxIterations: 5_000, setup: makeBigIndex)) { benchmark in
        guard let index = bigIndex else { return }
        var query = 0
        for _ in benchmark.scaledIterations {
            query = (query &+ 7_919) % index.count
            blackHole(index.neighbours(of: query, k: 10, metric: .euclidean))
        }
    }

    Benchmark("Ten nearest neighbours among 100,000 items (exact, cosine)",
              configuration: .init(maxDuration: .seconds(5), maxIterations: 5_000, setup: makeBigIndex)) { benchmark in
        guard let index = bigIndex else { return }
        var query = 0
        for _ in benchmark.scaledIterations {
            query = (query &+ 7_919) % index.count
            blackHole(index.neighbours(of: query, k: 10, metric: .cosine))
        }
    }

    Benchmark("Sixty recommendations for a five-item basket among 100,000 items (exact, Euclidean)",
              configuration: .init(maxDuration: .seconds(5), maxIterations: 5_000, setup: makeBigIndex)) { benchmark in
        guard let index = bigIndex else { return }
        var query = 0
        for _ in benchmark.scaledIterations {
            query = (query &+ 7_919) % index.count
            let basket = Set((0..<5).map { (query &+ $0 &* 104_729) % index.count })
            blackHole(index.neighbours(ofBasket: basket, k: 60, metric: .euclidean))
        }
    }

    Benchmark("Price and validate a 50-line cart") { benchmark in
        guard let shop else { return }
        for _ in benchmark.scaledIterations {
            blackHole(try? await shop.checkout.validate(shop.fiftyLines))
        }
    }
}
