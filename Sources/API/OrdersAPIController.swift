import Accounts
import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Hummingbird
import Pricing
import HTTPTypes
import Payments
import Slots
import Web

/// Order validation, placing orders and order history in the JSON API.
public struct OrdersAPIController: Sendable {
    public typealias Context = ShopRequestContext
    let checkout: CheckoutService
    let fulfilment: FulfilmentService

    /// Creates the controller.
    public init(checkout: CheckoutService) {
        self.checkout = checkout
        self.fulfilment = FulfilmentService(checkout: checkout)
    }

    /// Adds the routes under `/api/v1/orders`.
    public func addRoutes(to router: Router<Context>) {
        let api = router.group("api/v1/orders")
        api.post("validate", use: validate)
        api.post(use: place)
        api.get(use: list)
        api.get(":id", use: show)
        api.post(":id/cancel", use: cancel)
        api.put(":id/items", use: changeItems)
        api.post(":id/substitutes/:line", use: answerSubstitute)
    }

    struct SubstituteAnswer: Decodable, Sendable {
        var accept: Bool
    }

    /// The customer accepts or rejects a substitute until the order leaves the shop.
    @Sendable func answerSubstitute(_ request: Request, context: Context) async throws -> OrderDTO {
        let session = try context.requireSession()
        guard let id = OrderID(publicString: try context.parameters.require("id")) else { throw CheckoutError.orderNotFound }
        // A line number too large for any order is no line of it: the order is looked up first
        // (404 when it is not theirs), then the line (422).
        let line = Int(try context.parameters.require("line")) ?? 0
        let body = try await request.decode(as: SubstituteAnswer.self, context: context)
        return OrderDTO(try await fulfilment.answerSubstitute(id, line: line, accept: body.accept, by: .customer, customerID: session.customer.internalID))
    }

    /// The customer changes their order's items until its slot's cut-off.
    @Sendable func changeItems(_ request: Request, context: Context) async throws -> OrderDTO {
        let session = try context.requireSession()
        guard let id = OrderID(publicString: try context.parameters.require("id")) else { throw CheckoutError.orderNotFound }
        let body = try await request.decode(as: ChangeOrderRequest.self, context: context)
        var problems: [String: String] = [:]
        if body.version < 0 { problems["version"] = "The version must be 0 or more." }
        if !(1...100).contains(body.items.count) { problems["items"] = "Give from 1 to 100 products." }
        var items: [StockItem] = []
        for line in body.items {
            guard let product = ProductID(publicString: line.productId) else {
                problems["items"] = "'\(line.productId.prefix(40))' is not a product id."
                continue
            }
            guard (0...100_000).contains(line.quantity) else {
                problems["items"] = "A quantity must be from 0 (take it out) to 100000."
                continue
            }
            items.append(StockItem(productID: product, quantity: line.quantity))
        }
        guard problems.isEmpty else { throw CheckoutError.invalidFields(problems) }
        return OrderDTO(try await checkout.amend(id, customerID: session.customer.internalID, to: items, version: body.version,
                                                 ageDeclared: body.ageDeclaration ?? false))
    }

    /// The customer cancels their order until picking starts: stock back, payment refunded.
    @Sendable func cancel(_ request: Request, context: Context) async throws -> OrderDTO {
        let session = try context.requireSession()
        guard let id = OrderID(publicString: try context.parameters.require("id")) else { throw CheckoutError.orderNotFound }
        return OrderDTO(try await fulfilment.move(id, .cancel, by: .customer, customerID: session.customer.internalID))
    }

    /// 200 with the server's pricing when the order can be placed, 422 with the same body listing
    /// every problem when it cannot.
    @Sendable func validate(_ request: Request, context: Context) async throws -> EditedResponse<OrderValidationDTO> {
        let body = try await request.decode(as: ValidateRequest.self, context: context)
        let quote: OrderQuote
        if let lines = body.lines {
            var items: [StockItem] = []
            for line in lines {
                guard let id = ProductID(publicString: line.productId) else {
                    throw CheckoutError.invalidFields(["lines": "'\(line.productId.prefix(40))' is not a product id."])
                }
                items.append(StockItem(productID: id, quantity: line.quantity))
            }
            // A question before checkout: answered from cached catalogue reads where they prove
            // the answer. Placing the order reads everything fresh.
            quote = try await checkout.validate(items, reading: .cachedWhereExact)
        } else {
            quote = try await checkout.validateCart(of: try context.requireCustomerCart())
        }
        return EditedResponse(status: quote.isValid ? .ok : .unprocessableContent, response: OrderValidationDTO(quote))
    }

    @Sendable func place(_ request: Request, context: Context) async throws -> EditedResponse<OrderDTO> {
        let session = try context.requireSession()
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else { throw CheckoutError.invalidIdempotencyKey }
        let body = try await request.decode(as: PlaceOrderRequest.self, context: context)
        let card = CardDetails(number: body.card.number, expiryMonth: body.card.expiryMonth, expiryYear: body.card.expiryYear, cvc: body.card.cvc)
        let placed = try await checkout.placeOrder(customerID: session.customer.internalID, delivery: body.delivery, card: card, idempotencyKey: key,
                                                   ageDeclared: body.ageDeclaration ?? false)
        return EditedResponse(status: placed.replayed ? .ok : .created, response: OrderDTO(placed.order))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> OrderListDTO {
        let session = try context.requireSession()
        return OrderListDTO(orders: try await checkout.orders(customerID: session.customer.internalID).map(OrderSummaryDTO.init))
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> OrderDTO {
        let session = try context.requireSession()
        guard let id = OrderID(publicString: try context.parameters.require("id")) else { throw CheckoutError.orderNotFound }
        return OrderDTO(try await checkout.order(id: id, customerID: session.customer.internalID))
    }
}

struct ValidateRequest: Decodable, Sendable {
    struct Line: Decodable, Sendable {
        var productId: String
        var quantity: Int
    }
    var lines: [Line]?
}

/// The order's items as they should be (`PUT /orders/{id}/items`).
struct ChangeOrderRequest: Decodable, Sendable {
    var version: Int
    var items: [ValidateRequest.Line]
    var ageDeclaration: Bool?
}

struct PlaceOrderRequest: Decodable, Sendable {
    struct Card: Decodable, Sendable {
        var number: String
        var expiryMonth: Int
        var expiryYear: Int
        var cvc: String
    }
    var delivery: DeliveryDetails
    var card: Card
    /// The shopper confirms they are old enough for the order's age-restricted goods.
    var ageDeclaration: Bool?
}

/// A priced line.
struct PricedLineDTO: Encodable, Sendable {
    var productId: String
    var sku: String
    var name: String
    var quantity: Int
    var unitPrice: MoneyDTO
    var lineTotal: MoneyDTO
    /// What offers take off the line.
    var saving: MoneyDTO

    init(productID: ProductID, sku: String, name: String, quantity: Int, unitPrice: Money, lineTotal: Money, saving: Money) {
        productId = productID.publicString
        self.sku = sku
        self.name = name
        self.quantity = quantity
        self.unitPrice = MoneyDTO(unitPrice)
        self.lineTotal = MoneyDTO(lineTotal)
        self.saving = MoneyDTO(saving)
    }

    init(_ line: QuotedLine) {
        self.init(productID: line.productID, sku: line.sku, name: line.name, quantity: line.quantity, unitPrice: line.unitPrice, lineTotal: line.lineTotal,
                  saving: line.saving ?? Money(minorUnits: 0, currency: line.unitPrice.currency))
    }

}

/// One problem found by validation.
struct OrderProblemDTO: Encodable, Sendable {
    var code: String
    var productId: String?
    var message: String
}

/// The server's pricing of an order and every problem with it.
struct OrderValidationDTO: ResponseEncodable, Sendable {
    var valid: Bool
    var problems: [OrderProblemDTO]
    var lines: [PricedLineDTO]
    var subtotal: MoneyDTO
    /// Offers, as labelled savings (negative amounts), in the total.
    var savings: [ChargeDTO]
    var deliveryFee: MoneyDTO
    var total: MoneyDTO

    init(_ quote: OrderQuote) {
        valid = quote.isValid
        problems = quote.problems.map { OrderProblemDTO(code: $0.code.rawValue, productId: $0.productID?.publicString, message: $0.message) }
        lines = quote.lines.map(PricedLineDTO.init)
        subtotal = MoneyDTO(quote.subtotal)
        savings = ChargeDTO.list(quote.quote.adjustments.filter(\.kind.isSaving))
        deliveryFee = MoneyDTO(quote.deliveryFee)
        total = MoneyDTO(quote.total)
    }
}

/// An order as its customer sees it in the API.
struct OrderDTO: ResponseEncodable, Sendable {
    struct Payment: Encodable, Sendable {
        var brand: String
        var lastFour: String
    }

    /// A line with what became of it after the order.
    struct Line: Encodable, Sendable {
        var lineNumber: Int
        var productId: String
        var sku: String
        var name: String
        var quantity: Int
        var unitPrice: MoneyDTO
        var lineTotal: MoneyDTO
        var pickedQuantity: Int?
        var refundedQuantity: Int
        /// For loose goods: how the line was bought and weighed; absent for packs.
        var weighed: Weighed?
        /// What the shopper wanted if it was not on the shelf: `none`, `any` or a product's id.
        var substitution: String
        /// For a substitute: the line it stands in for and the shopper's answer.
        var substitute: Substitute?
        /// What offers took off the line when it was sold.
        var saving: MoneyDTO
    }

    struct Substitute: Encodable, Sendable {
        var forLine: Int
        var state: String
    }

    /// A weighed line: `quantity` is grams (mode `weight`) or items (mode `count`).
    struct Weighed: Encodable, Sendable {
        var mode: String
        var orderedGrams: Int
        var pickedGrams: Int?
        var tolerancePercent: Int
        var estimatedTotal: MoneyDTO
    }

    struct Event: Encodable, Sendable {
        var status: String
        var at: Date
        var note: String?
    }

    struct Refund: Encodable, Sendable {
        var amount: MoneyDTO
        var reason: String
        var state: String
        var createdAt: Date
    }

    var id: String
    var number: String
    var status: String
    var lines: [Line]
    var subtotal: MoneyDTO
    var deliveryFee: MoneyDTO
    var total: MoneyDTO
    var refunded: MoneyDTO
    var payment: Payment?
    var failureReason: String?
    var delivery: DeliveryDetails
    var createdAt: Date
    var paidAt: Date?
    var timeline: [Event]
    var refunds: [Refund]
    var slot: BookedSlot?
    var cardPayment: CardPayment?
    /// The age to check at the door; absent when the order has no age-restricted goods.
    var idCheckAge: Int?
    /// Charges besides delivery, in the total.
    var charges: [ChargeDTO]
    /// Offers and the voucher, as labelled savings (negative amounts), in the total.
    var savings: [ChargeDTO]
    /// The voucher the order used.
    var voucherCode: String?
    /// How many times the customer has changed the order; a change names the version it was made from.
    var version: Int
    /// True while the customer may change the order, until `changeableUntil` (the slot's cut-off).
    var changeable: Bool
    var changeableUntil: Date?

    /// The card payment: reserved at checkout, captured for what was picked.
    struct CardPayment: Encodable, Sendable {
        var state: String
        var authorised: MoneyDTO
        var captured: MoneyDTO
    }

    /// The delivery or collection slot the order was booked into.
    struct BookedSlot: Encodable, Sendable {
        var method: String
        var place: String
        var startsAt: Date
        var endsAt: Date
        var window: String
    }

    init(_ order: Order) {
        id = order.id.publicString
        number = order.number
        status = order.status.rawValue
        lines = order.lines.map { line in
            Line(lineNumber: line.number, productId: line.productID.publicString, sku: line.sku, name: line.name, quantity: line.quantity,
                 unitPrice: MoneyDTO(line.unitPrice), lineTotal: MoneyDTO(line.lineTotal), pickedQuantity: line.pickedQuantity,
                 refundedQuantity: line.refundedQuantity,
                 weighed: line.weighed.map { Weighed(mode: $0.mode.rawValue, orderedGrams: $0.orderedGrams, pickedGrams: $0.pickedGrams,
                                                     tolerancePercent: $0.tolerancePercent, estimatedTotal: MoneyDTO($0.estimatedTotal)) },
                 substitution: line.substitution.stored, substitute: line.substitute.map { Substitute(forLine: $0.forLine, state: $0.state.rawValue) },
                 saving: MoneyDTO(Money(minorUnits: line.saving, currency: line.unitPrice.currency)))
        }
        refunded = MoneyDTO(order.refunded)
        timeline = order.timeline.map { Event(status: $0.status.rawValue, at: $0.at, note: $0.note) }
        refunds = order.refunds.map { Refund(amount: MoneyDTO($0.amount), reason: $0.reason, state: $0.state.rawValue, createdAt: $0.createdAt) }
        subtotal = MoneyDTO(order.subtotal)
        deliveryFee = MoneyDTO(order.deliveryFee)
        total = MoneyDTO(order.total)
        payment = order.cardBrand.flatMap { brand in order.cardLastFour.map { Payment(brand: brand, lastFour: $0) } }
        failureReason = order.failureReason
        delivery = order.delivery
        createdAt = order.createdAt
        paidAt = order.paidAt
        idCheckAge = order.idCheckAge > 0 ? order.idCheckAge : nil
        charges = ChargeDTO.list(order.charges)
        savings = ChargeDTO.list(order.savings)
        voucherCode = order.voucherCode
        version = order.version
        changeable = order.isChangeable
        changeableUntil = order.changeDeadline
        cardPayment = order.payment.map { CardPayment(state: $0.state.rawValue, authorised: MoneyDTO($0.authorised), captured: MoneyDTO($0.captured)) }
        slot = order.slot.map { BookedSlot(method: $0.method.rawValue, place: $0.place, startsAt: $0.startsAt, endsAt: $0.endsAt, window: $0.window) }
    }
}

/// An order in a customer's history.
struct OrderSummaryDTO: Encodable, Sendable {
    var id: String
    var number: String
    var status: String
    var total: MoneyDTO
    var itemCount: Int
    var createdAt: Date

    init(_ summary: OrderSummary) {
        id = summary.id.publicString
        number = summary.number
        status = summary.status.rawValue
        total = MoneyDTO(summary.total)
        itemCount = summary.itemCount
        createdAt = summary.createdAt
    }
}

/// The customer's orders, newest first.
struct OrderListDTO: ResponseEncodable, Sendable {
    var orders: [OrderSummaryDTO]
}
