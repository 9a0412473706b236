import Accounts
import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Hummingbird
import Lists
import Web

/// A signed-in shopper's ways back to what they buy: favourites (the hearts), "Buy it again"
/// with their usuals, reordering a past order, named shopping lists and back-in-stock alerts.
/// Every page is an ordinary form page that works without JavaScript.
public struct ListsController: Sendable {
    public typealias Context = ShopRequestContext
    let lists: ListsService
    let checkout: CheckoutService
    let catalog: CatalogService
    let renderer: PageRenderer
    let shop: ShopSettings
    let chrome: PageChromeBuilder

    /// Creates the controller.
    public init(lists: ListsService, checkout: CheckoutService, cart: CartService, catalog: CatalogService, renderer: PageRenderer, shop: ShopSettings) {
        self.lists = lists
        self.checkout = checkout
        self.catalog = catalog
        self.renderer = renderer
        self.shop = shop
        self.chrome = PageChromeBuilder(catalog: catalog, cart: cart, shop: shop)
    }

    /// Adds the routes.
    public func addRoutes(to router: Router<Context>) {
        router.get("/favourites", use: favourites)
        router.post("/favourites/:id", use: setFavourite)
        router.get("/buy-again", use: buyAgain)
        router.post("/buy-again/usuals", use: addUsuals)
        router.post("/orders/:id/reorder", use: reorder)
        router.get("/lists", use: showLists)
        router.post("/lists", use: createList)
        router.get("/lists/add", use: chooseList)
        router.get("/lists/:id", use: showList)
        router.post("/lists/:id/items", use: setItem)
        router.post("/lists/:id/cart", use: listToCart)
        router.post("/lists/:id/delete", use: deleteList)
        router.get("/stock-alerts", use: alerts)
        router.post("/stock-alerts/:id", use: requestAlert)
        router.post("/stock-alerts/:id/cancel", use: cancelAlert)
    }

    // MARK: - Page models

    struct ProductsPage: Sendable {
        var shop: ShopView
        var meta: PageMeta
        var header: HeaderModel
        var returnTo: String
        var heading: String
        var lede: String
        var products: [ProductCard]
        var hasProducts: Bool
        var empty: String
        /// "Buy it again": the shopper has usuals to add at once.
        var usuals: Int
        var hasUsuals: Bool
    }

    struct ListsPage: Sendable {
        struct Row: Sendable {
            var id: String
            var name: String
            var items: Int
            var updated: String
            /// On the "add to a list" page: the form adds the product to this list.
            var productID: String?
        }

        var shop: ShopView
        var meta: PageMeta
        var header: HeaderModel
        var rows: [Row]
        var hasRows: Bool
        /// Choosing a list for this product ("add to a list"), or nil on the lists page.
        var product: ProductCard?
        var error: String?
    }

    struct ListPage: Sendable {
        struct Item: Sendable {
            var card: ProductCard
            var quantity: Int
            var quantityText: String
        }

        var shop: ShopView
        var meta: PageMeta
        var header: HeaderModel
        var returnTo: String
        var id: String
        var name: String
        var items: [Item]
        var hasItems: Bool
    }

    struct AddedPage: Sendable {
        struct Missed: Sendable {
            var name: String
            var reason: String
        }

        var shop: ShopView
        var meta: PageMeta
        var header: HeaderModel
        var heading: String
        var added: String
        var missed: [Missed]
        var hasMissed: Bool
    }

    // MARK: - Favourites and buying again

    @Sendable func favourites(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        let ids = try await lists.favourites(customerID: session.customer.internalID)
        let products = try await catalog.currentProducts(ids: ids)
        var cards = ids.compactMap { products[$0].map(renderer.card) }
        for index in cards.indices { cards[index].favouriteSlot = Self.favouriteMark }
        return try await productsPage(request, context, path: "/favourites", title: "Your favourites",
                                      lede: "Products you saved with the heart. Tap a heart again to take it off.", cards: cards,
                                      empty: "Nothing here yet: tap the heart on any product to keep it here.")
    }

    @Sendable func setFavourite(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        let id = try Self.productID(try context.parameters.require("id"))
        try await lists.setFavourite(id, context.formValue("favourite") != "0", customerID: session.customer.internalID)
        return .redirect(to: Self.back(context, or: "/favourites"), type: .normal)
    }

    @Sendable func buyAgain(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        let bought = try await checkout.boughtBefore(customerID: session.customer.internalID)
        let products = try await catalog.currentProducts(ids: bought.map(\.productID))
        let cards = bought.compactMap { item -> ProductCard? in
            guard let product = products[item.productID] else { return nil }
            var card = renderer.card(product)
            card.addQuantity = item.lastQuantity
            card.note = (item.isUsual ? "One of your usuals. " : "")
                + "Bought \(item.orders == 1 ? "once" : "\(item.orders) times"), last on \(shop.day(item.lastBought))."
            return card
        }
        var model = try await productsModel(context, path: "/buy-again", title: "Buy it again",
                                            lede: "What you have bought, most often and most recently first. “Add” adds as many as last time.",
                                            cards: cards, empty: "Nothing yet: your past orders will show here.")
        model.usuals = bought.filter { $0.isUsual && products[$0.productID] != nil }.count
        model.hasUsuals = model.usuals > 0
        return try HTMLResponse(html: renderer.render(model, template: "products-list"), privatePage: true).response(from: request, context: context)
    }

    @Sendable func addUsuals(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        let outcome = try await checkout.addUsuals(customerID: session.customer.internalID)
        return try await addedPage(request, context, heading: "Your usuals are in your cart", added: outcome.added, missed: outcome.notAdded)
    }

    @Sendable func reorder(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        guard let id = OrderID(publicString: try context.parameters.require("id")) else { throw CheckoutError.orderNotFound }
        let outcome = try await checkout.reorder(id, customerID: session.customer.internalID)
        return try await addedPage(request, context, heading: "Your order is in your cart again", added: outcome.added, missed: outcome.notAdded)
    }

    // MARK: - Lists

    @Sendable func showLists(_ request: Request, context: Context) async throws -> Response {
        try await listsPage(request, context, product: nil)
    }

    @Sendable func chooseList(_ request: Request, context: Context) async throws -> Response {
        let id = try Self.productID(FormURLEncoded.parse(request.uri.query)["product"]?.first ?? "")
        guard let product = try await catalog.currentProducts(ids: [id])[id] else { throw ListsError.unknownProduct }
        return try await listsPage(request, context, product: renderer.card(product))
    }

    private func listsPage(_ request: Request, _ context: Context, product: ProductCard?, error: String? = nil,
                           status: HTTPResponse.Status = .ok) async throws -> Response {
        let session = try context.requireSession()
        let found = try await lists.lists(customerID: session.customer.internalID)
        let model = ListsPage(
            shop: chrome.shopView, meta: meta(product == nil ? "Your lists" : "Add \(product?.name ?? "") to a list", path: "/lists"),
            header: try await chrome.header(context),
            rows: found.map { ListsPage.Row(id: $0.id, name: $0.name, items: $0.items.count, updated: shop.day($0.updatedAt), productID: product?.id) },
            hasRows: !found.isEmpty, product: product, error: error
        )
        return try HTMLResponse(html: renderer.render(model, template: "lists"), status: status, privatePage: true).response(from: request, context: context)
    }

    @Sendable func createList(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        do {
            let list = try await lists.createList(named: String(context.formValue("name").prefix(200)), customerID: session.customer.internalID)
            // Created from a product's "add to a list": the product goes on it at once.
            if let product = ProductID(publicString: context.formValue("product_id")) {
                _ = try await lists.setItem(product, quantity: 1, onList: list.id, customerID: session.customer.internalID)
            }
            return .redirect(to: "/lists/\(list.id)", type: .normal)
        } catch let error as ListsError where error == .invalidName || error == .tooManyLists(ListsService.maximumLists) {
            let product = try await ProductID(publicString: context.formValue("product_id")).asyncFlatMap { try await catalog.currentProducts(ids: [$0])[$0] }
            return try await listsPage(request, context, product: product.map(renderer.card), error: error.description,
                                       status: error == .invalidName ? .unprocessableContent : .conflict)
        }
    }

    @Sendable func showList(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        let list = try await lists.list(id: try context.parameters.require("id"), customerID: session.customer.internalID)
        let products = try await catalog.currentProducts(ids: list.items.map(\.productID))
        let items = list.items.compactMap { item -> ListPage.Item? in
            guard let product = products[item.productID] else { return nil }
            return ListPage.Item(card: renderer.card(product), quantity: item.quantity, quantityText: product.describe(quantity: item.quantity))
        }
        let model = ListPage(shop: chrome.shopView, meta: meta(list.name, path: "/lists/\(list.id)"), header: try await chrome.header(context),
                             returnTo: "/lists/\(list.id)", id: list.id, name: list.name, items: items, hasItems: !items.isEmpty)
        return try HTMLResponse(html: renderer.render(model, template: "list"), privatePage: true).response(from: request, context: context)
    }

    @Sendable func setItem(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        let listID = try context.parameters.require("id")
        let product = try Self.productID(context.formValue("product_id"))
        let text = context.formValue("quantity").trimmingCharacters(in: .whitespaces)
        guard let quantity = text.isEmpty ? 1 : Int(text) else { throw ListsError.invalidQuantity }
        _ = try await lists.setItem(product, quantity: quantity, onList: listID, customerID: session.customer.internalID)
        return .redirect(to: "/lists/\(listID)", type: .normal)
    }

    @Sendable func listToCart(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        let id = try context.parameters.require("id")
        let (list, missed) = try await lists.addToCart(list: id, customerID: session.customer.internalID)
        return try await addedPage(request, context, heading: "“\(list.name)” is in your cart", added: list.items.count - missed.count, missed: missed)
    }

    @Sendable func deleteList(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        try await lists.deleteList(id: try context.parameters.require("id"), customerID: session.customer.internalID)
        return .redirect(to: "/lists", type: .normal)
    }

    // MARK: - Back-in-stock alerts

    @Sendable func alerts(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        let ids = try await lists.alerts(customerID: session.customer.internalID)
        let products = try await catalog.currentProducts(ids: ids)
        let cards = ids.compactMap { products[$0].map(renderer.card) }
        return try await productsPage(request, context, path: "/stock-alerts", title: "Back-in-stock alerts",
                                      lede: "We e-mail you once when each of these is back in stock.", cards: cards,
                                      empty: "You are not waiting for anything: on a product that is out of stock, choose “E-mail me when it is back”.")
    }

    @Sendable func requestAlert(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        try await lists.requestAlert(for: try Self.productID(try context.parameters.require("id")), customerID: session.customer.internalID)
        return .redirect(to: "/stock-alerts", type: .normal)
    }

    @Sendable func cancelAlert(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        try await lists.cancelAlert(for: try Self.productID(try context.parameters.require("id")), customerID: session.customer.internalID)
        return .redirect(to: "/stock-alerts", type: .normal)
    }

    // MARK: - Shared

    /// What goes before a favourite's heart on a page rendered for one shopper.
    static let favouriteMark = String(decoding: PageCache.PersonalParts.favouriteMark, as: UTF8.self)

    private func meta(_ title: String, path: String) -> PageMeta {
        PageMeta(title: "\(title) | \(shop.name)", description: "\(title) at \(shop.name).", canonicalURL: "\(shop.publicBaseURL)\(path)", noIndex: true)
    }

    private func productsModel(_ context: Context, path: String, title: String, lede: String, cards: [ProductCard], empty: String) async throws -> ProductsPage {
        ProductsPage(shop: chrome.shopView, meta: meta(title, path: path), header: try await chrome.header(context), returnTo: path, heading: title,
                     lede: lede, products: cards, hasProducts: !cards.isEmpty, empty: empty, usuals: 0, hasUsuals: false)
    }

    private func productsPage(_ request: Request, _ context: Context, path: String, title: String, lede: String, cards: [ProductCard],
                              empty: String) async throws -> Response {
        let model = try await productsModel(context, path: path, title: title, lede: lede, cards: cards, empty: empty)
        return try HTMLResponse(html: renderer.render(model, template: "products-list"), privatePage: true).response(from: request, context: context)
    }

    private func addedPage(_ request: Request, _ context: Context, heading: String, added: Int, missed: [NotAdded]) async throws -> Response {
        let products = try await catalog.products(ids: missed.map(\.productID))
        let model = AddedPage(
            shop: chrome.shopView, meta: meta(heading, path: "/cart"), header: try await chrome.header(context), heading: heading,
            added: added == 1 ? "1 product was added to your cart." : "\(added) products were added to your cart.",
            missed: missed.map { AddedPage.Missed(name: products[$0.productID]?.name ?? "A product no longer sold", reason: $0.reason) },
            hasMissed: !missed.isEmpty
        )
        return try HTMLResponse(html: renderer.render(model, template: "added"), privatePage: true).response(from: request, context: context)
    }

    static func productID(_ text: String) throws -> ProductID {
        guard let id = ProductID(publicString: text) else { throw ListsError.unknownProduct }
        return id
    }

    /// Where a form came from (a page of this shop), else `fallback`.
    static func back(_ context: Context, or fallback: String) -> String {
        let raw = context.formValue("return_to")
        return raw.isEmpty ? fallback : LocalPath.safe(raw)
    }
}
