import Cart
import Catalog
import Foundation
import GoMartModels
import Pricing
import Slots

/// Where an order stands. After payment it moves
/// `paid → picking → packed → out for delivery → delivered` (or `refused` at the door), and it
/// can be `cancelled` or `refunded` on the way (see ``OrderTransition``).
public enum OrderStatus: String, Sendable, Codable, CaseIterable {
    /// Stock is reserved; the payment has not completed.
    case pendingPayment = "pending_payment"
    /// Paid; fulfilment follows.
    case paid
    /// A picker is gathering the goods.
    case picking
    /// Picked and packed, waiting for the van.
    case packed
    /// On its way to the customer.
    case outForDelivery = "out_for_delivery"
    /// Handed over.
    case delivered
    /// The customer refused it at the door.
    case refused
    /// Cancelled: payment failed, or the shopper or the shop called it off; stock was returned.
    case cancelled
    /// Every penny was given back after the goods left the shelf.
    case refunded

    /// The status in words.
    public var label: String {
        switch self {
        case .pendingPayment: "Awaiting payment"
        case .paid: "Paid"
        case .picking: "Being picked"
        case .packed: "Packed"
        case .outForDelivery: "Out for delivery"
        case .delivered: "Delivered"
        case .refused: "Refused at delivery"
        case .cancelled: "Cancelled"
        case .refunded: "Refunded"
        }
    }

    /// The states of an order whose goods count as sold: paid and on their way or delivered.
    public static let sold: [OrderStatus] = [.paid, .picking, .packed, .outForDelivery, .delivered]

    /// True when the shop may refund lines of the order: it has left the shelf (before that,
    /// cancelling is the way).
    public var allowsRefund: Bool { [.packed, .outForDelivery, .delivered, .refused].contains(self) }

    /// True while the order is still being worked (awaiting payment up to out for delivery).
    public var isInProgress: Bool { [.pendingPayment, .paid, .picking, .packed, .outForDelivery].contains(self) }
}

/// One line of an order, with the price it was sold at.
public struct OrderLine: Sendable, Hashable {
    public var productID: ProductID
    public var sku: String
    public var name: String
    public var packSize: String
    public var unitPrice: Money
    public var quantity: Int
    public var lineTotal: Money
    /// How many the picker found, once the order is packed.
    public var pickedQuantity: Int? = nil
    /// How many of this line were refunded (a picking shortfall, or a refund by the shop).
    public var refundedQuantity: Int = 0
    /// The line's number in its order, from 1.
    public var number: Int = 0
    /// The age its buyer must be (0: anyone); such lines are handed over after an ID check.
    public var minimumAge: Int = 0
    /// The returnable deposit on one unit's containers, in minor units (0: none), charged in the
    /// order's deposits and given back with the unit.
    public var deposit: Int64 = 0
    /// What offers took off the whole line when it was sold, in minor units (0: none); a unit
    /// refunded gives back its price less its share of it.
    public var saving: Int64 = 0
    /// What the shopper wanted if it was not on the shelf.
    public var substitution: SubstitutionChoice = .anySimilar
    /// For a substitute the picker chose: the line it stands in for, and what the shopper made of it.
    public var substitute: Substitute? = nil

    /// A line the picker put in for one not on the shelf.
    public struct Substitute: Sendable, Hashable {
        /// What the shopper (or, at the door, the driver for them) made of it.
        public enum State: String, Sendable, Hashable {
            case proposed, accepted, rejected
        }

        /// The number of the line it stands in for.
        public var forLine: Int
        public var state: State

        /// Creates a substitute's record.
        public init(forLine: Int, state: State) {
            self.forLine = forLine
            self.state = state
        }
    }
    /// For goods sold loose (``unitPrice`` per kilogram): the weights and the estimate; nil for packs.
    public var weighed: Weighed? = nil

    /// A weighed line: ``quantity`` is grams (bought by weight) or items (bought by count), and
    /// the line is priced for what the picker weighs, within the tolerance of the estimate.
    public struct Weighed: Sendable, Hashable {
        /// How it was bought.
        public var mode: Weighing.Mode
        /// The weight it was estimated at.
        public var orderedGrams: Int
        /// The weight picked, once weighed.
        public var pickedGrams: Int?
        /// How far, in per cent, the picked weight may be from the estimate.
        public var tolerancePercent: Int
        /// What the line came to when the order was placed.
        public var estimatedTotal: Money

        /// Creates the weighing of a line.
        public init(mode: Weighing.Mode, orderedGrams: Int, pickedGrams: Int?, tolerancePercent: Int, estimatedTotal: Money) {
            self.mode = mode
            self.orderedGrams = orderedGrams
            self.pickedGrams = pickedGrams
            self.tolerancePercent = tolerancePercent
            self.estimatedTotal = estimatedTotal
        }

        /// The weights a picker may record: within the tolerance of the estimate.
        public var acceptableGrams: ClosedRange<Int> {
            Weighing(mode: mode, stepGrams: 0, minimumGrams: 0, maximumGrams: 0, averageGrams: 0, tolerancePercent: tolerancePercent)
                .acceptableGrams(ordered: orderedGrams)
        }
    }

    /// The items the line counts for: a line bought by weight counts once.
    public var items: Int { weighed?.mode == .weight ? 1 : quantity }

    /// The quantity in words: "750 g", "4 (about 720 g)" or the number of packs.
    public var quantityText: String {
        guard let weighed else { return String(quantity) }
        return weighed.mode == .weight ? Weighing.format(grams: quantity) : "\(quantity) (about \(Weighing.format(grams: weighed.orderedGrams)))"
    }

    /// What the line took from stock: grams (as picked once weighed) for goods sold loose, else units.
    public var stockUnits: Int { weighed.map { $0.pickedGrams ?? $0.orderedGrams } ?? quantity }

    /// The line for ``Pricing``: `units` packs, or the whole weighed line at its weight (as
    /// picked once weighed).
    public func pricedLine(units: Int) -> PricedLine {
        let saved = Money(minorUnits: saving, currency: unitPrice.currency)
        guard let weighed else {
            var line = PricedLine(unitPrice: unitPrice, quantity: units)
            line.deposit = deposit > 0 ? Money(minorUnits: deposit, currency: unitPrice.currency) : nil
            line.saving = saving > 0 ? Pricing.share(of: saved, units: units, of: quantity) : nil
            return line
        }
        var line = PricedLine(pricePerKilogram: unitPrice, grams: units == 0 ? 0 : weighed.pickedGrams ?? weighed.orderedGrams, items: units,
                              tolerancePercent: weighed.tolerancePercent)
        line.saving = saving > 0 && units > 0 ? saved : nil
        return line
    }
}

/// An order as its customer sees it.
public struct Order: Sendable {
    /// The unguessable id used in addresses.
    public var id: OrderID
    /// The short number to quote, e.g. `GM-7KQ4XN`.
    public var number: String
    public var status: OrderStatus
    public var lines: [OrderLine]
    public var subtotal: Money
    public var deliveryFee: Money
    public var total: Money
    /// The card's brand and last four digits, once paid.
    public var cardBrand: String?
    public var cardLastFour: String?
    /// Why the order was cancelled, if it was.
    public var failureReason: String?
    public var delivery: DeliveryDetails
    public var createdAt: Date
    public var paidAt: Date?
    /// How much of the total has been refunded.
    public var refunded: Money
    /// What happened to the order, oldest first.
    public var timeline: [OrderEvent] = []
    /// Every refund, oldest first.
    public var refunds: [OrderRefund] = []
    /// The delivery or collection slot booked for it, if any.
    public var slot: OrderSlot? = nil
    /// How its card payment stands, for an order authorised at checkout and captured after
    /// picking (nil for an order charged in full at checkout).
    public var payment: OrderPayment? = nil
    /// The age to check at the door (0: no ID check): the order holds age-restricted goods.
    public var idCheckAge: Int = 0
    /// The shop's charges besides delivery (carrier bags, a small-basket charge), in the total.
    public var charges: [Adjustment] = []
    /// What offers and the voucher took off, as labelled savings (negative amounts), in the total.
    public var savings: [Adjustment] = []
    /// The voucher the order used, if any.
    public var voucherCode: String? = nil

    /// Everything the savings took off (a positive amount).
    public var saved: Money { Money(minorUnits: -savings.reduce(Int64(0)) { $0 + $1.amount.minorUnits }, currency: total.currency) }
    /// How many times the shopper has changed the order; a change names the version it was
    /// made from, so that one made from an older page is refused.
    public var version: Int = 0
    /// Until when the shopper may change the order: its slot's cut-off (nil: until picking
    /// starts, for an order without a slot).
    public var changeDeadline: Date? = nil
    /// True when the shopper may change the order now: paid, not yet picked, nothing refunded,
    /// the card only authorised, and its slot's cut-off not passed.
    public var isChangeable: Bool = false

    /// The substitutes the shopper has not accepted or rejected yet.
    public var proposedSubstitutes: [OrderLine] { lines.filter { $0.substitute?.state == .proposed } }

    /// The total less refunds: what the customer paid in the end.
    public var netTotal: Money { Pricing.remaining(of: total, after: refunded) }
    /// Of ``refunded``, what was only reserved on the card and released: never charged.
    public var notCharged: Money { Pricing.sum(refunds.filter { $0.state == .released }.map(\.amount), currency: total.currency) }
    /// Of ``refunded``, what went back to the card after it was charged.
    public var refundedToCard: Money { Pricing.remaining(of: refunded, after: notCharged) }
}

/// The slot an order was booked into, as it was when the order was placed.
public struct OrderSlot: Sendable, Hashable {
    /// Delivery or collection.
    public var method: FulfilmentMethod
    /// The slot's public id.
    public var slotID: String
    /// The delivery area or collection point.
    public var place: String
    /// When the window opens and closes.
    public var startsAt: Date
    public var endsAt: Date
    /// The window in words in the shop's time zone, e.g. "Tuesday 1 December, 08:00–10:00".
    public var window: String

    /// Creates the slot of an order.
    public init(method: FulfilmentMethod, slotID: String, place: String, startsAt: Date, endsAt: Date, window: String) {
        self.method = method
        self.slotID = slotID
        self.place = place
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.window = window
    }
}

/// An order's card payment: reserved at checkout, taken after picking for what was picked.
public struct OrderPayment: Sendable, Hashable {
    /// Where the payment stands.
    public enum State: String, Sendable, Hashable {
        /// Reserved on the card; nothing taken yet.
        case authorised
        /// Packing decided the amount; the provider has yet to confirm taking it.
        case capturing
        /// Taken.
        case captured
        /// The provider refused to take it: staff must settle it with the customer.
        case failed
        /// Released: nothing will be taken.
        case voided
    }

    /// Reserved on the card.
    public var authorised: Money
    /// Taken (zero until captured).
    public var captured: Money
    public var state: State

    /// Creates a payment.
    public init(authorised: Money, captured: Money, state: State) {
        self.authorised = authorised
        self.captured = captured
        self.state = state
    }
}

/// One step of an order's timeline.
public struct OrderEvent: Sendable, Hashable {
    /// When.
    public var at: Date
    /// The status after the step.
    public var status: OrderStatus
    /// What happened, in words for the customer, e.g. "£1.20 refunded: 1 × Bananas was not available".
    public var note: String?
    /// Who: `customer`, `system`, or `staff:<staff id>`.
    public var actor: String
}

/// Money given back on an order.
public struct OrderRefund: Sendable, Hashable {
    /// Whether the payment provider has confirmed it.
    public enum State: String, Sendable {
        /// Recorded; the provider has not yet confirmed it (retried until it does).
        case pending
        /// The provider returned the money.
        case succeeded
        /// The provider refused it (for example an unknown charge): staff must settle it by hand.
        case failed
        /// The money was only reserved on the card and is let go instead of taken: never charged.
        case released
    }

    public var amount: Money
    public var reason: String
    public var state: State
    /// The provider's reference, once succeeded.
    public var providerReference: String?
    public var createdAt: Date
}

/// An order in a customer's history.
public struct OrderSummary: Sendable, Hashable {
    public var id: OrderID
    public var number: String
    /// The customer's internal id (for staff views; never shown to shoppers).
    public var customerID: CustomerID
    public var status: OrderStatus
    public var total: Money
    public var itemCount: Int
    public var createdAt: Date
}

/// The result of placing an order: the order, and whether this was a repeat of an earlier request.
public struct PlacedOrder: Sendable {
    public var order: Order
    /// True when the idempotency key had been used before and no new order was made.
    public var replayed: Bool
}
