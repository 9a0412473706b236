import Accounts
import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Hummingbird
import Payments
import Security
import Slots
import Web

/// The checkout page, order confirmation and order history.
public struct CheckoutController: Sendable {
    public typealias Context = ShopRequestContext
    let checkout: CheckoutService
    let cart: CartService
    let fulfilment: FulfilmentService
    let renderer: PageRenderer
    let shop: ShopSettings
    let chrome: PageChromeBuilder

    /// Creates the controller.
    public init(checkout: CheckoutService, cart: CartService, catalog: CatalogService, renderer: PageRenderer, shop: ShopSettings) {
        self.checkout = checkout
        self.cart = cart
        self.fulfilment = FulfilmentService(checkout: checkout)
        self.renderer = renderer
        self.shop = shop
        self.chrome = PageChromeBuilder(catalog: catalog, cart: cart, shop: shop)
    }

    /// Adds the routes to `router`.
    public func addRoutes(to router: Router<Context>) {
        router.get("/checkout", use: showCheckout)
        router.post("/checkout", use: placeOrder)
        router.get("/orders", use: orders)
        router.get("/orders/:id", use: order)
        router.post("/orders/:id/cancel", use: cancel)
        router.post("/orders/:id/change", use: change)
        router.post("/orders/:id/substitutes/:line", use: answerSubstitute)
    }

    /// The shopper cancels their order, until picking starts: stock back, payment refunded.
    @Sendable func cancel(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        guard let id = OrderID(publicString: try context.parameters.require("id")) else { throw CheckoutError.orderNotFound }
        try await fulfilment.move(id, .cancel, by: .customer, customerID: session.customer.internalID)
        return .redirect(to: "/orders/\(id.publicString)", type: .normal)
    }

    /// The shopper changes their order until the slot's cut-off: new quantities for its lines
    /// (`quantity.<product id>`; 0 takes a line out), or everything in their cart added
    /// (`add_cart`). A refusal shows the order page again with the reason.
    @Sendable func change(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        guard let id = OrderID(publicString: try context.parameters.require("id")) else { throw CheckoutError.orderNotFound }
        guard let version = Int(context.formValue("version")) else { throw WebError.malformedForm }
        let customerID = session.customer.internalID
        let ageDeclared = context.formValue("age_declaration") == "yes"
        let failure: (message: String, askAge: String?, status: HTTPResponse.Status)
        do {
            if context.formValue("add_cart") == "1" {
                try await checkout.addCart(to: id, customerID: customerID, version: version, ageDeclared: ageDeclared)
            } else {
                var items: [StockItem] = []
                for (name, values) in context.form.sorted(by: { $0.key < $1.key }) where name.hasPrefix("quantity.") {
                    guard let product = ProductID(publicString: String(name.dropFirst("quantity.".count))) else { throw WebError.malformedForm }
                    guard let quantity = values.first.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), quantity >= 0 else {
                        throw CheckoutError.invalidFields(["items": "Enter a whole number of 0 or more for each item."])
                    }
                    items.append(StockItem(productID: product, quantity: quantity))
                }
                try await checkout.amend(id, customerID: customerID, to: items, version: version, ageDeclared: ageDeclared)
            }
            return .redirect(to: "/orders/\(id.publicString)?changed=1", type: .normal)
        } catch let error as AmendmentError {
            let status: HTTPResponse.Status = switch error {
            case .closed, .changedMeanwhile: .conflict
            case .nothingLeft: .unprocessableContent
            case .declined: .paymentRequired
            }
            failure = (error.description, nil, status)
        } catch CheckoutError.orderInvalid(let quote) {
            failure = (quote.problems.map(\.message).joined(separator: " "), nil, .conflict)
        } catch CheckoutError.invalidFields(let fields) {
            failure = (fields.sorted { $0.key < $1.key }.map(\.value).joined(separator: " "), fields["age_declaration"], .unprocessableContent)
        } catch CheckoutError.paymentFailed {
            failure = (CheckoutError.paymentFailed.description, nil, .badGateway)
        }
        let order = try await checkout.order(id: id, customerID: customerID)
        return try await orderPage(order, context: context, changing: try await changeContext(context, error: failure.message, askAge: failure.askAge),
                                   status: failure.status).response(from: request, context: context)
    }

    /// The shopper accepts or rejects a substitute (`answer` = `accept` or `reject`) until the order leaves.
    @Sendable func answerSubstitute(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        guard let id = OrderID(publicString: try context.parameters.require("id")) else { throw CheckoutError.orderNotFound }
        guard let line = Int(try context.parameters.require("line")), ["accept", "reject"].contains(context.formValue("answer")) else {
            throw FulfilmentError.invalidPicks("Accept or reject the substitute.")
        }
        try await fulfilment.answerSubstitute(id, line: line, accept: context.formValue("answer") == "accept", by: .customer,
                                              customerID: session.customer.internalID)
        return .redirect(to: "/orders/\(id.publicString)", type: .normal)
    }

    @Sendable func showCheckout(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        let quote = try await checkout.validateCart(of: context.cartOwner)
        if quote.lines.isEmpty && quote.problems.allSatisfy({ $0.code == .emptyOrder }) {
            return .redirect(to: "/cart", type: .normal)
        }
        var values = CheckoutFormValues()
        values.name = session.customer.name
        values.phone = session.customer.phone ?? ""
        return try await page(context: context, quote: quote, values: values, status: .ok).response(from: request, context: context)
    }

    @Sendable func placeOrder(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        let values = CheckoutFormValues(context)
        let delivery = DeliveryDetails(name: values.name, line1: values.line1, line2: values.line2, city: values.city,
                                       postcode: values.postcode, phone: values.phone)
        var fieldErrors: [String: String] = [:]
        let expiry = Self.expiry(context.formValue("card_expiry"))
        if expiry == nil { fieldErrors["card_expiry"] = "Please enter the expiry date as MM/YY." }
        let card = CardDetails(number: context.formValue("card_number"), expiryMonth: expiry?.month ?? 0, expiryYear: expiry?.year ?? 0,
                               cvc: context.formValue("card_cvc"))
        do {
            if !fieldErrors.isEmpty {
                throw CheckoutError.invalidFields(fieldErrors.merging(delivery.problems().merging(card.problems()) { a, _ in a }) { a, _ in a })
            }
            let placed = try await checkout.placeOrder(customerID: session.customer.internalID, delivery: delivery, card: card,
                                                       idempotencyKey: values.idempotencyKey, ageDeclared: values.ageDeclared)
            return .redirect(to: "/orders/\(placed.order.id.publicString)?placed=1", type: .normal)
        } catch CheckoutError.invalidFields(let fields) {
            let quote = try await checkout.validateCart(of: context.cartOwner)
            return try await page(context: context, quote: quote, values: values, fieldErrors: fields, status: .unprocessableContent)
                .response(from: request, context: context)
        } catch CheckoutError.orderInvalid(let quote) {
            return try await page(context: context, quote: quote, values: values, status: .conflict).response(from: request, context: context)
        } catch CheckoutError.slot(let error) {
            let quote = try await checkout.validateCart(of: context.cartOwner)
            return try await page(context: context, quote: quote, values: values, slotError: error.description, status: .conflict)
                .response(from: request, context: context)
        } catch let error as CheckoutError {
            // A decline or failure used up this key: the next attempt gets a fresh one.
            var retry = values
            retry.idempotencyKey = RandomToken.make(bytes: 16)
            let quote = try await checkout.validateCart(of: context.cartOwner)
            let status: HTTPResponse.Status = switch error {
            case .paymentDeclined: .paymentRequired
            case .paymentFailed: .badGateway
            case .invalidIdempotencyKey: .badRequest
            default: .conflict
            }
            return try await page(context: context, quote: quote, values: retry, paymentError: error.description, status: status)
                .response(from: request, context: context)
        }
    }

    @Sendable func orders(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        let orders = try await checkout.orders(customerID: session.customer.internalID)
        let model = OrderHistoryPageModel(
            shop: chrome.shopView,
            meta: PageMeta(title: "Your orders | \(shop.name)", description: "Your orders at \(shop.name).",
                           canonicalURL: "\(shop.publicBaseURL)/orders", noIndex: true),
            header: try await chrome.header(context),
            orders: orders.map(OrderHistoryPageModel.Row.init),
            hasOrders: !orders.isEmpty
        )
        return try HTMLResponse(html: renderer.render(model, template: "orders"), privatePage: true).response(from: request, context: context)
    }

    @Sendable func order(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSession()
        guard let id = OrderID(publicString: try context.parameters.require("id")) else { throw CheckoutError.orderNotFound }
        let order = try await checkout.order(id: id, customerID: session.customer.internalID)
        let query = FormURLEncoded.parse(request.uri.query)
        var changing = try await changeContext(context)
        changing.justChanged = query["changed"]?.first == "1"
        return try await orderPage(order, context: context, justPlaced: query["placed"]?.first == "1" && order.status == .paid, changing: changing)
            .response(from: request, context: context)
    }

    private func changeContext(_ context: Context, error: String? = nil, askAge: String? = nil) async throws -> OrderPageModel.ChangeContext {
        OrderPageModel.ChangeContext(timeZone: checkout.slots.timeZone, cartItems: try await cart.itemCount(for: context.cartOwner), error: error, askAge: askAge)
    }

    private func orderPage(_ order: Order, context: Context, justPlaced: Bool = false, changing: OrderPageModel.ChangeContext,
                           status: HTTPResponse.Status = .ok) async throws -> HTMLResponse {
        let model = OrderPageModel(
            shop: chrome.shopView,
            meta: PageMeta(title: "Order \(order.number) | \(shop.name)", description: "Order \(order.number) at \(shop.name).",
                           canonicalURL: "\(shop.publicBaseURL)/orders/\(order.id.publicString)", noIndex: true),
            header: try await chrome.header(context),
            order: order,
            justPlaced: justPlaced,
            changing: changing
        )
        return HTMLResponse(html: try renderer.render(model, template: "order"), status: status, privatePage: true)
    }

    private func page(
        context: Context, quote: OrderQuote, values: CheckoutFormValues, fieldErrors: [String: String] = [:],
        paymentError: String? = nil, slotError: String? = nil, status: HTTPResponse.Status
    ) async throws -> HTMLResponse {
        let slots = checkout.slots
        let offered = try await slots.offersSlots()
        let model = CheckoutPageModel(
            shop: chrome.shopView,
            meta: PageMeta(title: "Checkout | \(shop.name)", description: "Check out at \(shop.name).",
                           canonicalURL: "\(shop.publicBaseURL)/checkout", noIndex: true),
            header: try await chrome.header(context),
            quote: quote, values: values, fieldErrors: fieldErrors, paymentError: paymentError,
            slots: (offered, slots.requirement == .required, slots.timeZone), slotError: slotError
        )
        return HTMLResponse(html: try renderer.render(model, template: "checkout"), status: status, privatePage: true)
    }

    /// Parses `MM/YY` or `MM/YYYY`.
    static func expiry(_ text: String) -> (month: Int, year: Int)? {
        let parts = text.split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, parts[0].count <= 2, [2, 4].contains(parts[1].count),
              let month = Int(parts[0]), let year = Int(parts[1]), (1...12).contains(month) else { return nil }
        return (month, year < 100 ? 2000 + year : year)
    }
}
