import Cart
import Catalog
import Foundation
import GoMartModels
import Hummingbird
import Pricing
import Promotions
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
        api.put("voucher", use: applyVoucher)
        api.delete("voucher", use: removeVoucher)
    }

    /// Puts a voucher code on the cart: 422 for an unknown code, 409 for one this customer cannot
    /// use now (ended, used up, already used); its minimum spend is checked as the cart is priced.
    @Sendable func applyVoucher(_ request: Request, context: Context) async throws -> CartDTO {
        let owner = try context.requireCustomerCart()
        let body = try await request.decode(as: ApplyVoucherRequest.self, context: context)
        try await cart.applyVoucher(code: body.code, to: owner)
        return CartDTO(try await cart.cart(for: owner))
    }

    @Sendable func removeVoucher(_ request: Request, context: Context) async throws -> CartDTO {
        let owner = try context.requireCustomerCart()
        try await cart.removeVoucher(from: owner)
        return CartDTO(try await cart.cart(for: owner))
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

struct ApplyVoucherRequest: Decodable, Sendable {
    var code: String

    private enum CodingKeys: String, CodingKey { case code }

    /// Only `code`: a body with anything else is not this request (400).
    init(from decoder: any Decoder) throws {
        try decoder.onlyProperties(["code"])
        code = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .code)
    }
}

/// The voucher on a cart: what it takes off, or why it does not.
struct VoucherDTO: Encodable, Sendable {
    var code: String
    var label: String?
    /// What it takes off now; absent when it does not apply.
    var saving: MoneyDTO?
    /// Why it does not apply (short of its minimum spend, ended, used up).
    var problem: String?

    init(code: String, summary: CartSummary) {
        self.code = code
        switch summary.quote.voucher {
        case .applied(_, let label, let saving)?:
            self.label = label
            self.saving = MoneyDTO(saving)
        case .belowMinimumSpend(_, let label, let short)?:
            self.label = label
            problem = "Spend \(short.formatted) more to use it."
        case nil:
            problem = summary.voucherProblem?.description
        }
    }
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
        /// What offers take off the line.
        var saving: MoneyDTO
    }

    var lines: [Line]
    var itemCount: Int
    var subtotal: MoneyDTO
    var deliveryFee: MoneyDTO
    var charges: [ChargeDTO]
    /// Offers and the voucher, as labelled savings (negative amounts), in the total.
    var savings: [ChargeDTO]
    var voucher: VoucherDTO?
    var total: MoneyDTO
    /// True when weighed goods make the total an estimate.
    var estimated: Bool
    /// What checkout reserves on the card: the total plus what weighed goods may add.
    var authorisation: MoneyDTO

    init(_ summary: CartSummary) {
        lines = summary.lines.map {
            Line(productId: $0.productID.publicString, product: $0.product.map(ProductDTO.init), quantity: $0.quantity, unit: $0.unit,
                 lineTotal: MoneyDTO($0.lineTotal), estimated: $0.isBuyable && $0.product?.weighing != nil, substitution: $0.substitution.stored,
                 warnings: $0.warnings.map(\.message), saving: MoneyDTO($0.saving))
        }
        savings = ChargeDTO.list(summary.quote.adjustments.filter(\.kind.isSaving))
        voucher = summary.voucherCode.map { VoucherDTO(code: $0, summary: summary) }
        itemCount = summary.itemCount
        subtotal = MoneyDTO(summary.subtotal)
        deliveryFee = MoneyDTO(summary.deliveryFee)
        charges = ChargeDTO.list(summary.quote.charges)
        total = MoneyDTO(summary.total)
        estimated = summary.isEstimate
        authorisation = MoneyDTO(summary.authorisation)
    }
}
