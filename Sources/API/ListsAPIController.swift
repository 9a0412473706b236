import Accounts
import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Hummingbird
import Lists
import Web

/// The signed-in customer's favourites, "buy it again", shopping lists and back-in-stock
/// alerts under `/api/v1/me/…`, and reordering a past order.
public struct ListsAPIController: Sendable {
    public typealias Context = ShopRequestContext
    let lists: ListsService
    let checkout: CheckoutService
    let cart: CartService
    let catalog: CatalogService

    /// Creates the controller.
    public init(lists: ListsService, checkout: CheckoutService, cart: CartService, catalog: CatalogService) {
        self.lists = lists
        self.checkout = checkout
        self.cart = cart
        self.catalog = catalog
    }

    /// Adds the routes.
    public func addRoutes(to router: Router<Context>) {
        let api = router.group("api/v1")
        api.get("me/favourites", use: favourites)
        api.put("me/favourites/:productId", use: addFavourite)
        api.delete("me/favourites/:productId", use: removeFavourite)
        api.get("me/buy-again", use: buyAgain)
        api.post("me/buy-again/usuals", use: addUsuals)
        api.post("orders/:id/reorder", use: reorder)
        api.get("me/lists", use: allLists)
        api.post("me/lists", use: createList)
        api.get("me/lists/:id", use: showList)
        api.delete("me/lists/:id", use: deleteList)
        api.put("me/lists/:id/items/:productId", use: setItem)
        api.post("me/lists/:id/cart", use: listToCart)
        api.get("me/stock-alerts", use: alerts)
        api.put("me/stock-alerts/:productId", use: requestAlert)
        api.delete("me/stock-alerts/:productId", use: cancelAlert)
    }

    // MARK: - Favourites and buying again

    @Sendable func favourites(_ request: Request, context: Context) async throws -> ProductsDTO {
        try await favouritesDTO(try context.requireSession().customer.internalID)
    }

    @Sendable func addFavourite(_ request: Request, context: Context) async throws -> ProductsDTO {
        let customer = try context.requireSession().customer.internalID
        try await lists.setFavourite(try Self.productID(context, "productId"), true, customerID: customer)
        return try await favouritesDTO(customer)
    }

    @Sendable func removeFavourite(_ request: Request, context: Context) async throws -> ProductsDTO {
        let customer = try context.requireSession().customer.internalID
        try await lists.setFavourite(try Self.productID(context, "productId"), false, customerID: customer)
        return try await favouritesDTO(customer)
    }

    @Sendable func buyAgain(_ request: Request, context: Context) async throws -> BuyAgainDTO {
        let bought = try await checkout.boughtBefore(customerID: try context.requireSession().customer.internalID)
        let products = try await catalog.currentProducts(ids: bought.map(\.productID))
        return BuyAgainDTO(items: bought.compactMap { item in
            products[item.productID].map {
                BuyAgainDTO.Item(product: ProductDTO($0), orders: item.orders, lastBoughtAt: item.lastBought, lastQuantity: item.lastQuantity,
                                 usual: item.isUsual)
            }
        })
    }

    @Sendable func addUsuals(_ request: Request, context: Context) async throws -> AddedDTO {
        let customer = try context.requireSession().customer.internalID
        let outcome = try await checkout.addUsuals(customerID: customer)
        return AddedDTO(added: outcome.added, notAdded: outcome.notAdded, cart: try await cart.cart(for: .customer(id: customer)))
    }

    @Sendable func reorder(_ request: Request, context: Context) async throws -> AddedDTO {
        let customer = try context.requireSession().customer.internalID
        guard let id = OrderID(publicString: try context.parameters.require("id")) else { throw CheckoutError.orderNotFound }
        let outcome = try await checkout.reorder(id, customerID: customer)
        return AddedDTO(added: outcome.added, notAdded: outcome.notAdded, cart: try await cart.cart(for: .customer(id: customer)))
    }

    // MARK: - Lists

    @Sendable func allLists(_ request: Request, context: Context) async throws -> ListsDTO {
        ListsDTO(lists: try await lists.lists(customerID: try context.requireSession().customer.internalID).map(ShoppingListDTO.init))
    }

    @Sendable func createList(_ request: Request, context: Context) async throws -> EditedResponse<ShoppingListDTO> {
        let customer = try context.requireSession().customer.internalID
        let body = try await request.decode(as: CreateListRequest.self, context: context)
        return EditedResponse(status: .created, response: ShoppingListDTO(try await lists.createList(named: body.name, customerID: customer)))
    }

    @Sendable func showList(_ request: Request, context: Context) async throws -> ShoppingListDTO {
        ShoppingListDTO(try await lists.list(id: try context.parameters.require("id"), customerID: try context.requireSession().customer.internalID))
    }

    @Sendable func deleteList(_ request: Request, context: Context) async throws -> HTTPResponse.Status {
        try await lists.deleteList(id: try context.parameters.require("id"), customerID: try context.requireSession().customer.internalID)
        return .noContent
    }

    @Sendable func setItem(_ request: Request, context: Context) async throws -> ShoppingListDTO {
        let customer = try context.requireSession().customer.internalID
        let product = try Self.productID(context, "productId")
        let body = try await request.decode(as: SetListQuantityRequest.self, context: context)
        return ShoppingListDTO(try await lists.setItem(product, quantity: body.quantity, onList: try context.parameters.require("id"), customerID: customer))
    }

    @Sendable func listToCart(_ request: Request, context: Context) async throws -> AddedDTO {
        let customer = try context.requireSession().customer.internalID
        let id = try context.parameters.require("id")
        let (list, missed) = try await lists.addToCart(list: id, customerID: customer)
        return AddedDTO(added: list.items.count - missed.count, notAdded: missed, cart: try await cart.cart(for: .customer(id: customer)))
    }

    // MARK: - Back-in-stock alerts

    @Sendable func alerts(_ request: Request, context: Context) async throws -> ProductsDTO {
        try await productsDTO(try await lists.alerts(customerID: try context.requireSession().customer.internalID))
    }

    @Sendable func requestAlert(_ request: Request, context: Context) async throws -> HTTPResponse.Status {
        try await lists.requestAlert(for: try Self.productID(context, "productId"), customerID: try context.requireSession().customer.internalID)
        return .noContent
    }

    @Sendable func cancelAlert(_ request: Request, context: Context) async throws -> HTTPResponse.Status {
        try await lists.cancelAlert(for: try Self.productID(context, "productId"), customerID: try context.requireSession().customer.internalID)
        return .noContent
    }

    // MARK: - Shared

    private func favouritesDTO(_ customer: CustomerID) async throws -> ProductsDTO {
        try await productsDTO(try await lists.favourites(customerID: customer))
    }

    /// The products on sale among `ids`, in their order.
    private func productsDTO(_ ids: [ProductID]) async throws -> ProductsDTO {
        let products = try await catalog.currentProducts(ids: ids)
        return ProductsDTO(products: ids.compactMap { products[$0].map(ProductDTO.init) })
    }

    static func productID(_ context: Context, _ name: String) throws -> ProductID {
        guard let id = ProductID(publicString: try context.parameters.require(name)) else { throw ListsError.unknownProduct }
        return id
    }
}

struct CreateListRequest: Decodable, Sendable {
    var name: String

    private enum CodingKeys: String, CodingKey { case name }

    init(from decoder: any Decoder) throws {
        try decoder.onlyProperties(["name"])
        name = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .name)
    }
}

struct SetListQuantityRequest: Decodable, Sendable {
    var quantity: Int

    private enum CodingKeys: String, CodingKey { case quantity }

    init(from decoder: any Decoder) throws {
        try decoder.onlyProperties(["quantity"])
        quantity = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .quantity)
    }
}

/// Products, in the order the answer gives them.
struct ProductsDTO: ResponseEncodable, Sendable {
    var products: [ProductDTO]
}

/// What the customer bought before, ranked.
struct BuyAgainDTO: ResponseEncodable, Sendable {
    struct Item: Encodable, Sendable {
        var product: ProductDTO
        var orders: Int
        var lastBoughtAt: Date
        var lastQuantity: Int
        var usual: Bool
    }

    var items: [Item]
}

/// What went into the cart, and what could not and why.
struct AddedDTO: ResponseEncodable, Sendable {
    struct Missed: Encodable, Sendable {
        var productId: String
        var reason: String
    }

    var added: Int
    var notAdded: [Missed]
    var cart: CartDTO

    init(added: Int, notAdded: [NotAdded], cart: CartSummary) {
        self.added = added
        self.notAdded = notAdded.map { Missed(productId: $0.productID.publicString, reason: $0.reason) }
        self.cart = CartDTO(cart)
    }
}

struct ShoppingListDTO: ResponseEncodable, Sendable {
    struct Item: Encodable, Sendable {
        var productId: String
        var quantity: Int
    }

    var id: String
    var name: String
    var updatedAt: Date
    var items: [Item]

    init(_ list: ShoppingList) {
        id = list.id
        name = list.name
        updatedAt = list.updatedAt
        items = list.items.map { Item(productId: $0.productID.publicString, quantity: $0.quantity) }
    }
}

struct ListsDTO: ResponseEncodable, Sendable {
    var lists: [ShoppingListDTO]
}
