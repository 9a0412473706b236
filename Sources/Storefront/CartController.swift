import Cart
import Catalog
import Foundation
import GoMartModels
import Hummingbird
import Pricing
import Promotions
import Web

/// The cart page and the forms that change the cart.
///
/// Forms post and redirect back (303), so everything works without JavaScript; a script that
/// sends `Accept: application/json` gets the new item count instead, to update the header in place.
public struct CartController: Sendable {
    public typealias Context = ShopRequestContext
    let cart: CartService
    let renderer: PageRenderer
    let shop: ShopSettings
    let chrome: PageChromeBuilder

    /// Creates the controller.
    public init(cart: CartService, catalog: CatalogService, renderer: PageRenderer, shop: ShopSettings) {
        self.cart = cart
        self.renderer = renderer
        self.shop = shop
        self.chrome = PageChromeBuilder(catalog: catalog, cart: cart, shop: shop)
    }

    /// Adds the cart routes to `router`.
    public func addRoutes(to router: Router<Context>) {
        router.get("/cart", use: show)
        router.post("/cart/items", use: add)
        router.post("/cart/items/:id", use: update)
        router.post("/cart/items/:id/remove", use: remove)
        router.post("/cart/items/:id/substitute", use: substitute)
        router.post("/cart/voucher", use: applyVoucher)
        router.post("/cart/voucher/remove", use: removeVoucher)
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        try await page(request, context: context)
    }

    /// The cart page; with a voucher the shopper just typed that cannot be used, the page says
    /// why beside the code, with the problem's status.
    private func page(_ request: Request, context: Context, typed: String = "", problem: VoucherProblem? = nil) async throws -> Response {
        let summary = try await cart.cart(for: context.cartOwner)
        let model = CartPageModel(
            shop: chrome.shopView,
            meta: PageMeta(title: "Your cart | \(shop.name)", description: "Your shopping cart at \(shop.name).",
                           canonicalURL: "\(shop.publicBaseURL)/cart", noIndex: true),
            header: try await chrome.header(context),
            summary: summary,
            policy: cart.policy,
            image: { $0.map(renderer.productImage) ?? renderer.aisleImage("") },
            voucherTyped: typed, voucherError: problem?.description
        )
        return try HTMLResponse(html: renderer.render(model, template: "cart"), status: problem?.status ?? .ok, privatePage: true).response(from: request, context: context)
    }

    /// Puts a voucher code on the cart; one that cannot be used is shown on the cart page with why.
    @Sendable func applyVoucher(_ request: Request, context: Context) async throws -> Response {
        let typed = String(context.formValue("code").prefix(40))
        do {
            try await cart.applyVoucher(code: typed, to: context.cartOwner)
        } catch CartError.voucher(let problem) {
            return try await page(request, context: context, typed: typed, problem: problem)
        }
        return try await done(request, context: context, redirectTo: "/cart", message: "Your voucher was added.")
    }

    @Sendable func removeVoucher(_ request: Request, context: Context) async throws -> Response {
        try await cart.removeVoucher(from: context.cartOwner)
        return try await done(request, context: context, redirectTo: "/cart", message: "Your voucher was removed.")
    }

    @Sendable func add(_ request: Request, context: Context) async throws -> Response {
        let productID = try Self.productID(context.formValue("product_id"))
        let quantity = try Self.quantity(context.formValue("quantity"), default: 1, maximum: cart.policy.maximumQuantityPerLine)
        try await cart.add(productID: productID, quantity: quantity, to: context.cartOwner)
        return try await done(request, context: context, redirectTo: LocalPath.safe(context.formValue("return_to")), message: "Added to your cart.")
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        let productID = try Self.productID(context.parameters.require("id"))
        let quantity = try Self.quantity(context.formValue("quantity"), default: nil, maximum: cart.policy.maximumQuantityPerLine)
        try await cart.setQuantity(productID: productID, quantity: quantity, for: context.cartOwner)
        return try await done(request, context: context, redirectTo: "/cart", message: "Your cart was updated.")
    }

    /// What the shopper wants if the line's product is not on the shelf: `none`, `any`, or a product's id.
    @Sendable func substitute(_ request: Request, context: Context) async throws -> Response {
        let productID = try Self.productID(context.parameters.require("id"))
        guard let choice = SubstitutionChoice(stored: context.formValue("substitute")) else {
            throw CartError.invalidSubstitute("Choose any similar product, no substitute, or a product.")
        }
        try await cart.setSubstitution(productID: productID, to: choice, for: context.cartOwner)
        return try await done(request, context: context, redirectTo: "/cart", message: "Your choice is saved.")
    }

    @Sendable func remove(_ request: Request, context: Context) async throws -> Response {
        let productID = try Self.productID(context.parameters.require("id"))
        try await cart.remove(productID: productID, from: context.cartOwner)
        return try await done(request, context: context, redirectTo: "/cart", message: "Removed from your cart.")
    }

    private func done(_ request: Request, context: Context, redirectTo: String, message: String) async throws -> Response {
        guard request.headers[.accept]?.contains("application/json") == true else {
            return .redirect(to: redirectTo.isEmpty ? "/cart" : redirectTo, type: .normal)
        }
        let count = try await cart.itemCount(for: context.cartOwner)
        let body = try JSONSerialization.data(withJSONObject: ["itemCount": count, "message": message] as [String: Any], options: .sortedKeys)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func productID(_ text: String) throws -> ProductID {
        guard let id = ProductID(publicString: text) else { throw CartError.unknownProduct }
        return id
    }

    static func quantity(_ text: String, default fallback: Int?, maximum: Int) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty, let fallback { return fallback }
        guard trimmed.count <= 5, let value = Int(trimmed), value >= 0 else { throw CartError.invalidQuantity(maximum: maximum) }
        return value
    }
}

/// The cart page.
struct CartPageModel: Sendable {
    struct Line: Sendable {
        var id: String
        var name: String
        var url: String
        var image: String
        var packSize: String
        var unitPrice: String
        var quantity: Int
        var lineTotal: String
        var warnings: [String]
        var hasWarnings: Bool
        var available: Bool
        var maximum: Int
        /// Goods sold by weight: the weights to choose from (the line's selected).
        var byWeight: Bool
        var weights: [WeightChoice]
        /// For weighed goods: "750 g, estimated price" or "4, about 720 g, estimated price".
        var estimate: String?
        /// If it is not on the shelf: any similar product, no substitute, or the one named.
        var substitutes: [WeightChoice.Named]
        var substitutable: Bool
        /// What offers take off the line, e.g. "£1.20".
        var saving: String?
    }

    /// The voucher on the cart: its code, what it takes off, or why it cannot be used.
    struct VoucherView: Sendable {
        var code: String
        var applied: String?
        var problem: String?
    }

    var shop: ShopView
    var meta: PageMeta
    var header: HeaderModel
    var lines: [Line]
    var isEmpty: Bool
    var itemCount: Int
    var subtotal: String
    var deliveryFee: String
    var freeDelivery: Bool
    var total: String
    /// True when weighed goods make the total an estimate; then what the card is reserved for.
    var isEstimate: Bool
    var authorisation: String
    var amountToFreeDelivery: String?
    var charges: [ChargeView]
    var belowMinimum: Bool
    var minimumOrder: String
    var hasWarnings: Bool
    /// Offers and the voucher, as labelled savings; what they come to.
    var savings: [ChargeView]
    var saved: String?
    var voucher: VoucherView?
    /// A code the shopper just typed that could not be used, and why.
    var voucherTyped: String
    var voucherError: String?

    init(shop: ShopView, meta: PageMeta, header: HeaderModel, summary: CartSummary, policy: CartPolicy, image: (Product?) -> String,
         voucherTyped: String = "", voucherError: String? = nil) {
        let minimumOrder = policy.pricing.minimumOrder
        self.shop = shop
        self.meta = meta
        self.header = header
        lines = summary.lines.map { line in
            let product = line.product
            return Line(
                id: line.productID.publicString,
                name: product?.name ?? "Product no longer available",
                url: product.map { "/products/\($0.slug)" } ?? "#",
                image: image(product),
                packSize: product?.packSize ?? "",
                unitPrice: product.map { $0.soldByWeight ? "\($0.price.formatted) per kg" : $0.price.formatted } ?? "",
                quantity: line.quantity,
                lineTotal: line.lineTotal.formatted,
                warnings: line.warnings.map(\.message),
                hasWarnings: !line.warnings.isEmpty,
                available: product != nil,
                maximum: min(policy.maximumQuantityPerLine, max(line.quantity, product?.stock ?? line.quantity)),
                byWeight: line.isBuyable && product?.weighing?.mode == .weight,
                weights: line.isBuyable ? (product?.weighing.map { weighing in
                    weighing.quantities.map { grams in
                        WeightChoice(grams: grams, label: Weighing.format(grams: grams), selected: grams == line.quantity)
                    }
                } ?? []) : [],
                estimate: line.isBuyable && product?.weighing != nil ? "\(line.quantityText), estimated price" : nil,
                substitutes: [
                    WeightChoice.Named(value: "any", label: "Any similar product", selected: line.substitution == .anySimilar),
                    WeightChoice.Named(value: "none", label: "No substitute", selected: line.substitution == .none),
                ] + (line.substitute.map { [WeightChoice.Named(value: $0.id.publicString, label: "\($0.name) instead", selected: true)] } ?? []),
                substitutable: line.isBuyable && product?.weighing == nil,
                saving: ChargeView.saved(line.saving)
            )
        }
        isEmpty = summary.isEmpty
        itemCount = summary.itemCount
        subtotal = summary.subtotal.formatted
        deliveryFee = summary.deliveryFee.formatted
        freeDelivery = summary.quote.deliversFree
        total = summary.total.formatted
        isEstimate = summary.isEstimate
        authorisation = summary.authorisation.formatted
        amountToFreeDelivery = summary.amountToFreeDelivery?.formatted
        charges = ChargeView.list(summary.quote.charges)
        belowMinimum = !summary.quote.meetsMinimum
        self.minimumOrder = minimumOrder.formatted
        hasWarnings = summary.hasWarnings
        savings = ChargeView.savings(summary.quote.adjustments)
        saved = ChargeView.saved(summary.quote.savings)
        voucher = summary.voucherCode.map { code in
            switch summary.quote.voucher {
            case .applied(_, let label, let saving)?: VoucherView(code: code, applied: "\(label) (\(saving.formatted) off)")
            case .belowMinimumSpend(_, let label, let short)?: VoucherView(code: code, applied: label, problem: "Spend \(short.formatted) more to use it.")
            case nil: VoucherView(code: code, problem: summary.voucherProblem?.description)
            }
        }
        self.voucherTyped = voucherTyped
        self.voucherError = voucherError
    }
}
