import Accounts
import Caching
import Cart
import Catalog
import Foundation
import GoMartModels
import HTTPTypes
import Hummingbird
import Lists
import Logging
import Promotions
import NIOCore
import Recommendations
import RecommendedProducts
import Security
import Web

/// The shop's HTML pages: home, aisles, search and products.
///
/// Each handler decodes the request, asks ``CatalogService`` and renders one view model. These
/// pages are the same for every shopper but for the header's account links and the forms' CSRF
/// token, so they are rendered once per catalogue change and served from ``PageCache``.
public struct StorefrontController: Sendable {
    public typealias Context = ShopRequestContext
    let catalog: CatalogService
    let renderer: PageRenderer
    let shop: ShopSettings
    let chrome: PageChromeBuilder
    package let pages: PageCache
    let recommendations: ShopRecommendations?
    /// The offers shown on tiles and product pages; nil: none.
    let promotions: PromotionsService?
    /// Signed-in shoppers' favourites, for the hearts; nil: none shown as favourites.
    let lists: ListsService?
    /// Rendered "Recommended for you" rows.
    let rows = RenderedRows()

    /// Creates the controller; a zero `pageCacheTimeToLive` or `pageCacheBytes` renders every page afresh.
    public init(
        catalog: CatalogService, cart: CartService, renderer: PageRenderer, shop: ShopSettings,
        pageCacheTimeToLive: Duration = .seconds(300), pageCacheBytes: Int = 24 * 1_048_576,
        recommendations: ShopRecommendations? = nil, promotions: PromotionsService? = nil, lists: ListsService? = nil
    ) {
        self.lists = lists
        self.recommendations = recommendations
        self.promotions = promotions
        self.catalog = catalog
        self.renderer = renderer
        self.shop = shop
        self.chrome = PageChromeBuilder(catalog: catalog, cart: cart, shop: shop)
        self.pages = PageCache(budget: pageCacheBytes, timeToLive: pageCacheTimeToLive)
    }

    /// Pages held in the page cache, their bytes, hits and misses.
    public var pageCacheStatistics: (pages: Int, bytes: Int, hits: UInt64, misses: UInt64) { pages.statistics }

    /// Adds the storefront's routes to `router`.
    public func addRoutes(to router: Router<Context>) {
        router.get("/", use: home)
        router.get("/aisles/:slug", use: aisle)
        router.get("/search", use: search)
        router.get("/products/:slug", use: product)
    }

    @Sendable func home(_ request: Request, context: Context) async throws -> Response {
        try await cachedPage("home", request: request, context: context) { try await renderHome() }
    }

    func renderHome() async throws -> String {
        let aisles = try await catalog.aisles()
        let featured = try await catalog.featuredProducts(limit: 12)
        let offers = try await runningOffers()
        let model = HomePageModel(
            shop: ShopView(name: shop.name),
            meta: PageMeta(
                title: "\(shop.name) — fresh groceries delivered",
                description: "Shop \(aisles.count) aisles of fresh food, drinks and household essentials online at \(shop.name).",
                canonicalURL: "\(shop.publicBaseURL)/"
            ),
            header: sharedHeader(aisles: aisles),
            returnTo: "/",
            recommendedSlot: pages.rowMarker,
            aisles: aisles.map {
                HomePageModel.AisleTile(slug: $0.slug, name: $0.name, image: renderer.aisleImage($0.slug), productCount: $0.productCount)
            },
            featured: listing(featured, offers),
            hasFeatured: !featured.isEmpty,
            productCount: aisles.reduce(0) { $0 + $1.productCount } / 10 * 10,
            aisleCount: aisles.count
        )
        return try renderer.render(model, template: "home")
    }

    @Sendable func aisle(_ request: Request, context: Context) async throws -> Response {
        let slug = try context.parameters.require("slug")
        let returnTo = Self.returnPath(request)
        return try await cachedPage("aisle \(returnTo)", request: request, context: context) {
            try await renderAisle(slug: slug, query: request.uri.query, returnTo: returnTo)
        }
    }

    /// The aisle page for `slug` and the query string `query`, as everyone sees it.
    package func renderAisle(slug: String, query: String?, returnTo: String) async throws -> String {
        let parameters = FormURLEncoded.parse(query)
        let query = try ProductQuery(aisleSlug: slug, parameters: parameters)
        let aisle = try await catalog.aisle(slug: slug)
        let page = try await catalog.products(matching: query)
        let offers = try await runningOffers()
        let brands = try await catalog.brands(inAisle: slug)
        let aisles = try await catalog.aisles()
        var linkParameters: [(String, String)] = query.brands.map { ("brand", $0) }
        if query.inStockOnly { linkParameters.append(("in_stock", "1")) }
        linkParameters += FoodFilters.linkParameters(query)
        if query.sort != .name { linkParameters.append(("sort", query.sort.rawValue)) }
        let pageSuffix = query.page > 1 ? " — page \(query.page)" : ""
        let model = AislePageModel(
            shop: ShopView(name: shop.name),
            meta: PageMeta(
                title: "\(aisle.name)\(pageSuffix) | \(shop.name)",
                description: "\(aisle.description) Shop \(aisle.productCount) products in \(aisle.name) at \(shop.name).",
                canonicalURL: "\(shop.publicBaseURL)/aisles/\(slug)\(query.page > 1 ? "?page=\(query.page)" : "")",
                noIndex: !linkParameters.isEmpty
            ),
            header: sharedHeader(aisles: aisles, currentAisle: slug),
            returnTo: returnTo,
            aisle: aisle,
            products: listing(page.products, offers),
            hasProducts: !page.products.isEmpty,
            resultSummary: Self.summary(page),
            brands: brands.enumerated().map { AislePageModel.BrandOption(index: $0.offset, name: $0.element, checked: query.brands.contains($0.element)) },
            inStockOnly: query.inStockOnly,
            food: FoodFilters(query),
            hasFilters: !query.brands.isEmpty || query.inStockOnly || !query.diets.isEmpty || !query.freeFrom.isEmpty,
            sortOptions: SortOption.options(selected: query.sort, includeRelevance: false),
            pagination: PaginationModel(page: query.page, pageCount: page.pageCount, path: "/aisles/\(slug)", parameters: linkParameters)
        )
        return try renderer.render(model, template: "aisle")
    }

    @Sendable func search(_ request: Request, context: Context) async throws -> Response {
        let returnTo = Self.returnPath(request)
        return try await cachedPage("search \(returnTo)", request: request, context: context) {
            try await renderSearch(request: request, returnTo: returnTo)
        }
    }

    func renderSearch(request: Request, returnTo: String) async throws -> String {
        let parameters = FormURLEncoded.parse(request.uri.query)
        let query = try ProductQuery(aisleSlug: nil, parameters: parameters)
        let aisles = try await catalog.aisles()
        let searchText = query.search
        let page: ProductPage? = searchText == nil ? nil : try await catalog.products(matching: query)
        var linkParameters: [(String, String)] = [("q", searchText ?? "")]
        if query.inStockOnly { linkParameters.append(("in_stock", "1")) }
        linkParameters += FoodFilters.linkParameters(query)
        if query.sort != .relevance { linkParameters.append(("sort", query.sort.rawValue)) }
        let products = page?.products ?? []
        let offers = try await runningOffers()
        let model = SearchPageModel(
            shop: ShopView(name: shop.name),
            meta: PageMeta(
                title: searchText.map { "Search results for “\($0)” | \(shop.name)" } ?? "Search | \(shop.name)",
                description: "Search \(shop.name)'s groceries by product, brand or aisle.",
                canonicalURL: "\(shop.publicBaseURL)/search",
                noIndex: true
            ),
            header: sharedHeader(aisles: aisles, searchQuery: searchText ?? ""),
            returnTo: returnTo,
            heading: searchText.map { "Results for “\($0)”" } ?? "Search",
            query: searchText,
            products: listing(products, offers),
            hasProducts: !products.isEmpty,
            resultSummary: page.map(Self.summary) ?? "",
            inStockOnly: query.inStockOnly,
            food: FoodFilters(query),
            showsFilters: searchText != nil && (!products.isEmpty || query.inStockOnly || !query.diets.isEmpty || !query.freeFrom.isEmpty),
            sortOptions: SortOption.options(selected: query.sort, includeRelevance: true),
            pagination: PaginationModel(page: query.page, pageCount: page?.pageCount ?? 1, path: "/search", parameters: linkParameters),
            suggestedAisles: Self.suggestions(for: searchText, in: aisles),
            // Corrected words are letters and digits only.
            correction: page?.correction.map { .init(text: $0, url: "/search?q=" + $0.replacingOccurrences(of: " ", with: "+")) }
        )
        return try renderer.render(model, template: "search")
    }

    @Sendable func product(_ request: Request, context: Context) async throws -> Response {
        let slug = try context.parameters.require("slug")
        guard slug.count <= 200 else { throw CatalogError.productNotFound(slug) }
        // The model's version is part of the key: a newly trained model re-renders "Similar products".
        return try await cachedPage("product \(slug) \(recommendations?.modelVersion ?? "-")", request: request, context: context) {
            try await renderProduct(slug: slug, returnTo: "/products/\(slug)")
        }
    }

    func renderProduct(slug: String, returnTo: String) async throws -> String {
        let product = try await catalog.product(slug: slug)
        let aisles = try await catalog.aisles()
        let neighbours = try await catalog.products(matching: ProductQuery(aisleSlug: product.aisleSlug, inStockOnly: true, sort: .name, page: 1, pageSize: 5))
        let offers = try await runningOffers()
        let more = neighbours.products.filter { $0.sku != product.sku }.prefix(4).map { card($0, offers) }
        var productCard = renderer.card(product)
        productCard.offers = tags(for: product, offers)
        productCard.favouriteSlot = pages.favouriteMarker(for: productCard.id)
        let similar = try await recommendations?.similar(to: product, k: 4)
        let similarCards = similar?.products.map { card($0, offers) } ?? []
        let model = ProductPageModel(
            shop: ShopView(name: shop.name),
            meta: PageMeta(
                title: "\(product.name) \(product.packSize) | \(shop.name)",
                description: "\(product.name) (\(product.packSize)) for \(productCard.price) — \(productCard.unitPrice). \(product.description)",
                canonicalURL: "\(shop.publicBaseURL)/products/\(product.slug)"
            ),
            header: sharedHeader(aisles: aisles, currentAisle: product.aisleSlug),
            returnTo: returnTo,
            product: productCard,
            more: Array(more),
            hasMore: !more.isEmpty,
            similar: similarCards,
            hasSimilar: !similarCards.isEmpty,
            similarHeading: similar?.source == .model ? "Similar products" : "Popular with other shoppers",
            food: product.food.isEmpty ? nil : FoodLabel(product.food, unit: product.unit),
            ageNotice: product.minimumAge > 0
                ? "Age restricted: you must be \(product.minimumAge) or over to buy this. We ask you to confirm it at checkout and check ID at the door."
                : nil
        )
        return try renderer.render(model, template: "product")
    }

    // MARK: - Shared renderings

    /// The header of a page rendered for everyone: markers stand for the shopper's parts.
    func sharedHeader(aisles: [Aisle], currentAisle: String? = nil, searchQuery: String = "") -> HeaderModel {
        HeaderModel(
            aisles: aisles, shopper: ShopperView(anonymousWithToken: pages.csrfMarker), shopperNav: pages.navMarker,
            currentAisle: currentAisle, searchQuery: searchQuery
        )
    }

    /// Serves the page stored under `key`, rendering it with `render` first when the catalogue
    /// changed or it was never rendered, and fills in this shopper's parts. Answers
    /// `304 Not Modified` when the browser holds these exact bytes, and gzip when it accepts it.
    func cachedPage(_ key: String, request: Request, context: Context, render: @escaping @Sendable () async throws -> String) async throws -> Response {
        // A catalogue change, or an offer starting, ending or created, renders pages afresh. Both
        // numbers only grow, and so does the pair (the catalogue's in the high half): the page
        // cache takes a larger generation as newer and ignores pages stored for a smaller one.
        let generation = try await catalog.cacheGeneration() << 32 | ((promotions?.generation() ?? 0) & 0xFFFF_FFFF)
        let page = try await pages.page(for: key, generation: generation, render: render)
        let nav = chrome.shopperNav(ShopperView(context, cartCount: try await chrome.cartCount(context)))
        let parts = PageCache.ShopperParts(
            csrfToken: Array(context.csrfToken.utf8), shopperNav: Array(nav.utf8),
            personal: await personalParts(for: page, generation: generation, returnTo: Self.returnPath(request), context: context)
        )
        // Weak: the same tag names the plain and the gzipped bytes.
        let tag = "W/\"\(String(page.tag, radix: 36))-\(String(parts.hash, radix: 36))\""

        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "private, no-cache"
        headers[.eTag] = tag
        headers[.vary] = "Accept-Encoding"
        if EntityTag.matches(request.headers[.ifNoneMatch], tag) {
            return Response(status: .notModified, headers: headers)
        }
        if Gzip.isAccepted(request.headers[.acceptEncoding]), let gzipped = page.gzippedBody(parts) {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: gzipped))
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: page.body(parts)))
    }

    /// How many products a signed-in shopper's recommendations hold: the badged ones.
    static let recommendedCount = 24
    /// How many of them the home page's row shows.
    static let recommendedRowCount = 5

    /// A signed-in shopper's recommendations for a page with places for them: badges on the
    /// recommended products' cards and, on the home page, the "Recommended for you" row. Nil for
    /// everyone else, or when recommendations cannot be had (the page is served without them).
    func personalParts(for page: PageCache.Page, generation: UInt64, returnTo: String, context: Context) async -> PageCache.PersonalParts? {
        guard page.hasSlots, let session = context.session else { return nil }
        var favourites: Set<String> = []
        do {
            favourites = try await lists?.favouriteIDs(customerID: session.customer.internalID) ?? []
        } catch {
            context.logger.warning("could not read a shopper's favourites", metadata: ["error": "\(String(describing: type(of: error)))"])
        }
        var parts = await recommendedParts(for: page, generation: generation, returnTo: returnTo, context: context)
        guard parts != nil || !favourites.isEmpty else { return nil }
        parts = parts ?? PageCache.PersonalParts(badged: [], badge: [], row: [], rowTag: 0)
        parts?.favourites = favourites
        return parts
    }

    /// A signed-in shopper's recommendations for a page with places for them: badges on the
    /// recommended products' cards and, on the home page, the "Recommended for you" row. Nil
    /// when recommendations cannot be had (the page is served without them).
    func recommendedParts(for page: PageCache.Page, generation: UInt64, returnTo: String, context: Context) async -> PageCache.PersonalParts? {
        guard let session = context.session, let recommendations else { return nil }
        do {
            guard let answer = try await recommendations.fromLastOrder(of: session.customer.internalID, k: Self.recommendedCount),
                  !answer.products.isEmpty else { return nil }
            let fromModel = answer.source == .model
            var row: [UInt8] = []
            var rowTag: UInt64 = 0
            if page.hasRecommendedRow {
                let products = Array(answer.products.prefix(Self.recommendedRowCount))
                // Rendered once per catalogue generation and list of products, with a marker for the
                // token that is filled in per request: a shopper's row stays the same from view to view.
                let key = "\(generation) \(fromModel) \(returnTo) " + answer.productIDs.prefix(Self.recommendedRowCount).joined(separator: ",")
                let rendered = try rows.pieces(for: key, splitAt: pages.csrfMarker) {
                    try renderer.render(RecommendedRowModel(
                        heading: fromModel ? "Recommended for you" : "Popular with other shoppers",
                        note: fromModel ? "Picked for you from your last order." : "Our most ordered products right now.",
                        products: products.map(renderer.card),
                        header: .init(shopper: .init(csrfToken: pages.csrfMarker)), returnTo: returnTo
                    ), template: "recommended-row")
                }
                row = RenderedRows.join(rendered.pieces, with: Array(context.csrfToken.utf8))
                rowTag = rendered.tag
            }
            return PageCache.PersonalParts(
                badged: fromModel ? Set(answer.productIDs) : [],
                badge: Array(Self.recommendedBadge.utf8), row: row, rowTag: rowTag
            )
        } catch {
            context.logger.warning("could not personalise a page", metadata: ["error": "\(String(describing: type(of: error)))"])
            return nil
        }
    }

    static let recommendedBadge = #"<p class="badge badge-recommended">Recommended for you</p>"#

    /// A product as listings on cached pages show it: with the `offers` running on it and a
    /// place for this shopper's badge.
    func card(_ product: Product, _ offers: [StoredOffer]) -> ProductCard {
        var card = renderer.card(product)
        card.badgeSlot = pages.badgeMarker(for: card.id)
        card.favouriteSlot = pages.favouriteMarker(for: card.id)
        card.offers = tags(for: product, offers)
        return card
    }

    /// A listing's tiles: the first row's pictures load at once, the rest as they scroll into view.
    func listing(_ products: [Product], _ offers: [StoredOffer]) -> [ProductCard] {
        var cards = products.map { card($0, offers) }
        for index in cards.indices.prefix(Self.firstRow) { cards[index].eager = true }
        return cards
    }

    /// How many tiles the first screen shows at desktop width.
    static let firstRow = 4

    /// The offers running now (none without promotions).
    func runningOffers() async throws -> [StoredOffer] {
        try await promotions?.runningOffers() ?? []
    }

    /// Which of `offers` take `product`, as its tile and page show them.
    func tags(for product: Product, _ offers: [StoredOffer]) -> [ProductCard.OfferTag] {
        offers.filter { $0.takes(productID: product.id, aisle: product.aisleSlug) }.map { offer in
            // The last day it runs: the day before it ends when it ends at midnight.
            ProductCard.OfferTag(label: offer.label, until: shop.day(offer.endsAt.addingTimeInterval(-1)))
        }
    }

    /// Renders the error page for `status`, suggesting aisles when the catalogue can be read.
    public func errorPage(status: HTTPResponse.Status, heading: String, message: String, context: Context) async -> Response {
        let aisles = (try? await catalog.aisles()) ?? []
        let model = ErrorPageModel(
            shop: ShopView(name: shop.name),
            meta: PageMeta(title: "\(heading) | \(shop.name)", description: message, canonicalURL: "\(shop.publicBaseURL)/", noIndex: true),
            header: (try? await chrome.header(context, aisles: aisles)) ?? chrome.fallbackHeader(context, aisles: aisles),
            status: Int(status.code),
            heading: heading,
            message: message,
            suggestedAisles: aisles,
            hasAisles: !aisles.isEmpty
        )
        let html = (try? renderer.render(model, template: "error")) ?? "<!DOCTYPE html><title>\(status.code)</title><h1>\(status.code)</h1>"
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// This page's path and query, for forms that come back here; long addresses fall back to the path.
    static func returnPath(_ request: Request) -> String {
        let full = request.uri.query.map { "\(request.uri.path)?\($0)" } ?? request.uri.path
        return full.count <= 200 ? full : request.uri.path
    }

    static func summary(_ page: ProductPage) -> String {
        guard page.totalCount > 0 else { return "No products found" }
        let first = (page.query.page - 1) * page.query.pageSize + 1
        let last = min(page.totalCount, first + page.products.count - 1)
        guard page.products.count > 0 else { return "\(page.totalCount) products — this page is past the end" }
        let noun = page.totalCount == 1 ? "product" : "products"
        return "Showing \(first)–\(last) of \(page.totalCount) \(noun)"
    }

    /// Aisles whose name shares a word prefix with the search, or every aisle if none does.
    static func suggestions(for search: String?, in aisles: [Aisle]) -> [Aisle] {
        guard let search else { return aisles }
        let terms = search.lowercased().split(whereSeparator: { !$0.isLetter }).filter { $0.count >= 3 }
        let matching = aisles.filter { aisle in
            let words = aisle.name.lowercased().split(whereSeparator: { !$0.isLetter })
            return terms.contains { term in words.contains { $0.hasPrefix(String(term.prefix(4))) } }
        }
        return matching.isEmpty ? aisles : matching
    }
}

/// "Recommended for you" rows as rendered, by the products they show, as UTF-8 pieces between
/// the places where each request's CSRF token goes.
final class RenderedRows: Sendable {
    /// About 6 KB a row: a few megabytes at most.
    static let capacity = 500
    private let rows = BoundedCache<String, Rendered>(name: "recommended-rows", capacity: RenderedRows.capacity)

    /// A row's pieces, and a hash of them for ETags.
    struct Rendered: Sendable {
        var pieces: [[UInt8]]
        var tag: UInt64
    }

    /// The row stored under `key`, rendering it and splitting it at every `marker` first if needed.
    func pieces(for key: String, splitAt marker: String, render: () throws -> String) rethrows -> Rendered {
        if let rendered = rows.value(for: key) { return rendered }
        let html = try render()
        let rendered = Rendered(pieces: html.components(separatedBy: marker).map { Array($0.utf8) }, tag: FNV1a.hash(html.utf8))
        rows.store(rendered, for: key)
        return rendered
    }

    /// The row's bytes with `token` between the pieces: one copy, no text search per request.
    static func join(_ pieces: [[UInt8]], with token: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(pieces.reduce(0) { $0 + $1.count } + token.count * max(pieces.count - 1, 0))
        for (index, piece) in pieces.enumerated() {
            if index > 0 { bytes += token }
            bytes += piece
        }
        return bytes
    }
}
