import Cart
import Catalog
import Foundation
import GoMartModels
import Hummingbird
import Pricing
import Web

/// The signed-in customer's cart in the JSON API.
///
/// API carts belong to customers (bearer token); anonymous carts are a browser feature, kept by
/// the visitor cookie and merged into the customer's cart on sign-in.
public struct CartAPIController: Sendable {
    public typealias Context = ShopRequestContext
    let cart: CartService

    /// Creates the controller.
    public init(cart: CartService) {
        self.cart = cart
    }

    /// Adds the routes under `/api/v1/cart`.
    public func addRoutes(to router: Router<Context>) {
        let api = router.group("api/v1/cart")
        api.get(use: show)
        api.post("items", use: add)
        api.put("items/:id", use: update)
        api.delete("items/:id", use: remove)
        api.put("items/:id/substitution", use: substitution)
    }

    @Sendable func substitution(_ request: Request, context: Context) async throws -> CartDTO {
        let owner = try context.requireCustomerCart()
        let id = try Self.productID(context)
        let body = try await request.decode(as: SetSubstitutionRequest.self, context: context)
        guard let choice = SubstitutionChoice(stored: body.substitution) else {
            throw CartError.invalidSubstitute("substitution must be none, any, or a product's id.")
        }
        try await cart.setSubstitution(productID: id, to: choice, for: owner)
        return CartDTO(try await cart.cart(for: owner))
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> CartDTO {
        CartDTO(try await cart.cart(for: try context.requireCustomerCart()))
    }

    @Sendable func add(_ request: Request, context: Context) async throws -> CartDTO {
        let owner = try context.requireCustomerCart()
        let body = try await request.decode(as: AddItemRequest.self, context: context)
        guard let id = ProductID(publicString: body.productId) else { throw CartError.unknownProduct }
        try await cart.add(productID: id, quantity: body.quantity ?? 1, to: owner)
        return CartDTO(try await cart.cart(for: owner))
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> CartDTO {
        let owner = try context.requireCustomerCart()
        let id = try Self.productID(context)
        let body = try await request.decode(as: SetQuantityRequest.self, context: context)
        try await cart.setQuantity(productID: id, quantity: body.quantity, for: owner)
        return CartDTO(try await cart.cart(for: owner))
    }

    @Sendable func remove(_ request: Request, context: Context) async throws -> CartDTO {
        let owner = try context.requireCustomerCart()
        try await cart.remove(productID: try Self.productID(context), from: owner)
        return CartDTO(try await cart.cart(for: owner))
    }

    static func productID(_ context: Context) throws -> ProductID {
        guard let id = ProductID(publicString: try context.parameters.require("id")) else { throw CartError.unknownProduct }
        return id
    }
}

struct AddItemRequest: Decodable, Sendable {
    var productId: String
    var quantity: Int?
}

struct SetQuantityRequest: Decodable, Sendable {
    var quantity: Int
}

struct SetSubstitutionRequest: Decodable, Sendable {
    var substitution: String
}

/// A cart as the API returns it: lines priced now, with warnings, and totals.
struct CartDTO: ResponseEncodable, Sendable {
    struct Line: Encodable, Sendable {
        var productId: String
        var product: ProductDTO?
        var quantity: Int
        /// What `quantity` counts: `each`, or `g` for goods sold by weight.
        var unit: String
        var lineTotal: MoneyDTO
        /// True for weighed goods: the line's total is an estimate.
        var estimated: Bool
        /// `none`, `any` or the named product's id.
        var substitution: String
        var warnings: [String]
    }

    var lines: [Line]
    var itemCount: Int
    var subtotal: MoneyDTO
    var deliveryFee: MoneyDTO
    var charges: [ChargeDTO]
    var total: MoneyDTO
    /// True when weighed goods make the total an estimate.
    var estimated: Bool
    /// What checkout reserves on the card: the total plus what weighed goods may add.
    var authorisation: MoneyDTO

    init(_ summary: CartSummary) {
        lines = summary.lines.map {
            Line(productId: $0.productID.publicString, product: $0.product.map(ProductDTO.init), quantity: $0.quantity, unit: $0.unit,
                 lineTotal: MoneyDTO($0.lineTotal), estimated: $0.isBuyable && $0.product?.weighing != nil, substitution: $0.substitution.stored,
                 warnings: $0.warnings.map(\.message))
        }
        itemCount = summary.itemCount
        subtotal = MoneyDTO(summary.subtotal)
        deliveryFee = MoneyDTO(summary.deliveryFee)
        charges = ChargeDTO.list(summary.quote.charges)
        total = MoneyDTO(summary.total)
        estimated = summary.isEstimate
        authorisation = MoneyDTO(summary.authorisation)
    }
}
