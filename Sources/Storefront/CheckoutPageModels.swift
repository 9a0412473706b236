import Catalog
import Checkout
import Foundation
import GoMartModels
import Pricing
import Security
import Slots
import Web

/// What the shopper typed at checkout, echoed back on errors (never the card).
struct CheckoutFormValues: Sendable {
    var name = ""
    var line1 = ""
    var line2 = ""
    var city = ""
    var postcode = ""
    var phone = ""
    var idempotencyKey = RandomToken.make(bytes: 16)
    var ageDeclared = false

    init() {}

    init(_ context: ShopRequestContext) {
        name = context.formValue("name")
        line1 = context.formValue("line1")
        line2 = context.formValue("line2")
        city = context.formValue("city")
        postcode = context.formValue("postcode")
        phone = context.formValue("phone")
        idempotencyKey = context.formValue("idempotency_key")
        ageDeclared = context.formValue("age_declaration") == "yes"
    }
}

/// Per-field messages on the checkout form.
struct CheckoutFieldErrors: Sendable {
    var name: String?
    var line1: String?
    var line2: String?
    var city: String?
    var postcode: String?
    var phone: String?
    var cardNumber: String?
    var cardExpiry: String?
    var cardCvc: String?
    var ageDeclaration: String?

    init(_ fields: [String: String]) {
        name = fields["name"]
        line1 = fields["line1"]
        line2 = fields["line2"]
        city = fields["city"]
        postcode = fields["postcode"]
        phone = fields["phone"]
        cardNumber = fields["card_number"]
        cardExpiry = fields["card_expiry"]
        cardCvc = fields["card_cvc"]
        ageDeclaration = fields["age_declaration"]
    }
}

/// A charge besides delivery (carrier bags, a small-basket charge) as the summaries show it.
struct ChargeView: Sendable {
    var label: String
    var amount: String

    static func list(_ charges: [Adjustment]) -> [ChargeView] {
        charges.map { ChargeView(label: $0.label, amount: $0.amount.formatted) }
    }

    /// Savings (offers, the voucher) from a quote's or an order's adjustments.
    static func savings(_ adjustments: [Adjustment]) -> [ChargeView] {
        list(adjustments.filter(\.kind.isSaving))
    }

    /// "£1.50" when something was saved, else nil.
    static func saved(_ amount: Money) -> String? {
        amount.minorUnits > 0 ? amount.formatted : nil
    }
}

/// A priced line as the checkout and order pages show it.
struct PricedLineView: Sendable {
    var name: String
    var packSize: String
    /// The quantity in words: "2", "750 g", "4 (about 720 g)".
    var quantity: String
    var unitPrice: String
    var lineTotal: String
    /// What happened to the line after the order, e.g. "2 not available, refunded".
    var note: String? = nil
    /// A substitute the shopper may still accept or reject: its line number.
    var answerable: Int? = nil
}

/// The checkout page.
struct CheckoutPageModel: Sendable {
    var shop: ShopView
    var meta: PageMeta
    var header: HeaderModel
    var lines: [PricedLineView]
    var subtotal: String
    var deliveryFee: String
    var freeDelivery: Bool
    var total: String
    /// Weighed goods make the total an estimate; the card is reserved for up to `authorisation`.
    var isEstimate: Bool
    var authorisation: String
    var problems: [String]
    var hasProblems: Bool
    var values: CheckoutFormValues
    var fieldErrors: CheckoutFieldErrors
    var errors: [FormErrorItem]
    var hasErrors: Bool
    var paymentError: String?
    /// The slot the order will use, when the shopper holds one.
    var slot: HeldSlotView?
    /// The shop asks for a slot and the shopper holds none: the order cannot be placed yet.
    var slotMissing: Bool
    /// Slots are offered but optional, and none is held: standard delivery, or choose one.
    var slotOptional: Bool
    /// Why the slot could not be used, when placing failed for it.
    var slotError: String?
    var canPlace: Bool
    var slotSection: Bool
    var charges: [ChargeView]
    /// Offers and the voucher, as labelled savings; what they come to.
    var savings: [ChargeView]
    var saved: String?
    /// The age some items need (0: none): the shopper confirms it, and ID is checked at the door.
    var minimumAge: Int
    var ageRestricted: Bool
    var ageRestrictedNames: String

    init(shop: ShopView, meta: PageMeta, header: HeaderModel, quote: OrderQuote, values: CheckoutFormValues,
         fieldErrors: [String: String], paymentError: String?, slots: (offered: Bool, required: Bool, timeZone: TimeZone), slotError: String? = nil) {
        self.shop = shop
        self.meta = meta
        self.header = header
        lines = quote.lines.map {
            PricedLineView(name: $0.name, packSize: $0.packSize, quantity: $0.weighing?.describe($0.quantity) ?? String($0.quantity),
                           unitPrice: $0.unitPrice.formatted, lineTotal: $0.lineTotal.formatted, note: $0.weighing == nil ? nil : "Estimated: weighed when picked")
        }
        isEstimate = quote.quote.hasWeighedLines
        authorisation = quote.quote.authorisation.formatted
        subtotal = quote.subtotal.formatted
        deliveryFee = quote.deliveryFee.formatted
        freeDelivery = quote.deliveryFee.minorUnits == 0
        total = quote.total.formatted
        savings = ChargeView.savings(quote.quote.adjustments)
        saved = ChargeView.saved(quote.quote.savings)
        problems = quote.problems.map(\.message)
        hasProblems = !quote.problems.isEmpty
        self.values = values
        self.fieldErrors = CheckoutFieldErrors(fieldErrors)
        let order = ["name", "line1", "line2", "city", "postcode", "phone", "card_number", "card_expiry", "card_cvc", "age_declaration"]
        errors = order.compactMap { field in fieldErrors[field].map { FormErrorItem(field: field, message: $0) } }
        hasErrors = !fieldErrors.isEmpty
        self.paymentError = paymentError
        slot = quote.slot.map { HeldSlotView($0, timeZone: slots.timeZone) }
        slotMissing = quote.slot == nil && slots.offered && slots.required
        slotOptional = quote.slot == nil && slots.offered && !slots.required
        self.slotError = slotError
        canPlace = !hasProblems && !slotMissing
        slotSection = slot != nil || slotMissing || slotOptional
        charges = ChargeView.list(quote.quote.charges)
        minimumAge = quote.minimumAge
        ageRestricted = quote.minimumAge > 0
        ageRestrictedNames = quote.lines.filter { $0.minimumAge > 0 }.map(\.name).joined(separator: ", ")
    }
}

/// The order confirmation and detail page.
struct OrderPageModel: Sendable {
    var shop: ShopView
    var meta: PageMeta
    var header: HeaderModel
    var number: String
    var status: String
    var paid: Bool
    var cancelled: Bool
    var placedOn: String
    var lines: [PricedLineView]
    var subtotal: String
    var deliveryFee: String
    var total: String
    var card: String?
    var addressLines: [String]
    var phone: String
    var justPlaced: Bool
    var failure: String?
    var statusValue: String
    var refunded: String?
    /// Released from the card's authorisation: never charged (shortfalls, a cancellation before packing).
    var notCharged: String?
    /// True when something was refunded or not charged: the summary shows what was paid in the end.
    var adjusted: Bool
    var netTotal: String
    var timeline: [Step]
    /// The order can still be cancelled by the shopper (until picking starts).
    var cancellable: Bool
    var cancelNote: String
    var id: String
    var awaitingPayment: Bool
    /// The booked slot: "Delivery" or "Collection", the window and the place.
    var slot: (heading: String, window: String, place: String)?
    /// Where the card payment stands, in words.
    var paymentNote: String
    var charges: [ChargeView]
    /// Offers and the voucher, as labelled savings; what they came to.
    var savings: [ChargeView]
    var saved: String?
    /// The ID check at the door, in words.
    var idCheck: String?
    /// The form to change the order, while the shopper may (until the slot's cut-off).
    var change: ChangeForm?
    /// The shopper has just saved a change.
    var justChanged: Bool

    /// Changing an order: a quantity per line (0 takes it out), and adding the cart.
    struct ChangeForm: Sendable {
        struct Line: Sendable {
            var field: String
            var label: String
            var quantity: Int
            var unit: String?
        }

        var version: Int
        var until: String
        var lines: [Line]
        /// The items in the shopper's cart, to add to the order (nil: the cart is empty).
        var cartItems: Int?
        /// The last attempt added goods for older shoppers: the declaration to tick.
        var askAge: String?
        /// Why the last attempt was refused.
        var error: String?
    }

    /// What the change form needs besides the order.
    struct ChangeContext: Sendable {
        var timeZone: TimeZone
        var cartItems: Int
        var error: String? = nil
        var askAge: String? = nil
        var justChanged = false
    }

    /// One step of the order's timeline as the shopper sees it.
    struct Step: Sendable {
        var label: String
        var at: String
        var note: String?
    }

    init(shop: ShopView, meta: PageMeta, header: HeaderModel, order: Order, justPlaced: Bool, changing: ChangeContext) {
        self.shop = shop
        self.meta = meta
        self.header = header
        number = order.number
        status = order.status.label
        paid = order.status == .paid
        cancelled = order.status == .cancelled
        placedOn = order.createdAt.formatted(.dateTime.day().month(.wide).year().hour().minute())
        lines = order.lines.map { line in
            var note: String?
            if let weighed = line.weighed {
                note = weighed.pickedGrams.map { "Weighed \(Weighing.format(grams: $0)); estimated \(weighed.estimatedTotal.formatted)" }
                    ?? "Estimated: weighed when picked"
            }
            if line.refundedQuantity > 0 {
                let short = max((line.pickedQuantity.map { line.quantity - $0 }) ?? 0, 0)
                // On a card authorised at checkout, what was not picked was never charged.
                let settled = order.payment == nil ? "refunded" : "not charged"
                note = short == line.refundedQuantity ? "\(short) not available, \(settled)" : "\(line.refundedQuantity) refunded"
            }
            if let substitute = line.substitute {
                let original = order.lines.first { $0.number == substitute.forLine }?.name ?? "an item"
                note = switch substitute.state {
                case .proposed: "Substitute for \(original): accept or reject it before we send your order"
                case .accepted: "Substitute for \(original), accepted"
                case .rejected: "Substitute for \(original), rejected: not charged"
                }
            }
            return PricedLineView(name: line.name, packSize: line.packSize, quantity: line.quantityText,
                                  unitPrice: line.weighed == nil ? line.unitPrice.formatted : "\(line.unitPrice.formatted) per kg",
                                  lineTotal: line.lineTotal.formatted, note: note,
                                  answerable: order.status == .packed && line.substitute.map { $0.state != .rejected } == true ? line.number : nil)
        }
        subtotal = order.subtotal.formatted
        deliveryFee = order.deliveryFee.minorUnits == 0 ? "Free" : order.deliveryFee.formatted
        total = order.total.formatted
        card = order.cardBrand.flatMap { brand in order.cardLastFour.map { "\(brand) ending \($0)" } }
        addressLines = order.delivery.addressLines
        phone = order.delivery.phone
        self.justPlaced = justPlaced
        failure = order.status == .cancelled ? Self.explain(order.failureReason) : nil
        statusValue = order.status.rawValue
        notCharged = order.notCharged.minorUnits > 0 ? order.notCharged.formatted : nil
        refunded = order.refundedToCard.minorUnits > 0 ? order.refundedToCard.formatted : nil
        adjusted = order.refunded.minorUnits > 0
        netTotal = order.netTotal.formatted
        timeline = order.timeline.map { event in
            Step(label: event.status == .pendingPayment ? "Order placed" : event.status == .paid && event.actor == "customer" ? "Changed by you" : event.status.label,
                 at: event.at.formatted(.dateTime.day().month(.wide).year().hour().minute()), note: event.note)
        }
        cancellable = order.status == .paid
        cancelNote = order.payment == nil ? "Your payment is refunded in full." : "Nothing is charged: the amount reserved on your card is released."
        id = order.id.publicString
        awaitingPayment = order.status == .pendingPayment
        slot = order.slot.map { slot in (slot.method == .delivery ? "Delivery slot" : "Collection", slot.window, slot.place) }
        paymentNote = Self.paymentNote(order)
        charges = ChargeView.list(order.charges)
        savings = ChargeView.list(order.savings)
        saved = ChargeView.saved(order.saved)
        idCheck = order.idCheckAge > 0 ? "Please have ID ready: some items are for people aged \(order.idCheckAge) or over." : nil
        justChanged = changing.justChanged
        change = order.isChangeable ? ChangeForm(
            version: order.version,
            until: order.changeDeadline.map { Slot.moment($0, in: changing.timeZone) } ?? "we start picking it",
            lines: order.lines.map { line in
                ChangeForm.Line(field: "quantity.\(line.productID.publicString)", label: "\(line.name), \(line.packSize)", quantity: line.quantity,
                                unit: line.weighed?.mode == .weight ? "g" : nil)
            },
            cartItems: changing.cartItems > 0 ? changing.cartItems : nil, askAge: changing.askAge, error: changing.error
        ) : nil
    }

    /// Where the card payment stands, for the shopper.
    static func paymentNote(_ order: Order) -> String {
        guard let payment = order.payment else { return "We have taken payment of \(order.total.formatted)." }
        return switch payment.state {
        case .authorised where order.idCheckAge > 0 || order.lines.contains { $0.substitute != nil }:
            "We have reserved \(payment.authorised.formatted) on your card. You pay only for what we hand over, when we deliver your order."
        case .authorised: "We have reserved \(payment.authorised.formatted) on your card. You pay only for what we pick, when we pack your order."
        case .capturing, .captured: "You paid \(Pricing.remaining(of: order.total, after: order.refunded).formatted) for what we picked."
        case .failed: "We could not take the payment for what we picked; we will be in touch."
        case .voided: "Nothing was charged: the amount reserved on your card is released."
        }
    }

    static func explain(_ reason: String?) -> String {
        switch reason {
        case "card_declined": "The card was declined."
        case "insufficient_funds": "The card was declined for insufficient funds."
        case "payment_processing_error": "The payment could not be processed."
        case "abandoned": "The payment was never completed."
        default: "The order was cancelled."
        }
    }
}

/// The order history page.
struct OrderHistoryPageModel: Sendable {
    struct Row: Sendable {
        var url: String
        var number: String
        var date: String
        var status: String
        var total: String
        var itemCount: Int

        init(_ summary: OrderSummary) {
            url = "/orders/\(summary.id.publicString)"
            number = summary.number
            date = summary.createdAt.formatted(.dateTime.day().month(.abbreviated).year())
            status = summary.status.label
            total = summary.total.formatted
            itemCount = summary.itemCount
        }
    }

    var shop: ShopView
    var meta: PageMeta
    var header: HeaderModel
    var orders: [Row]
    var hasOrders: Bool
}
