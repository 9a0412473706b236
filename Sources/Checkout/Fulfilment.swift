import Catalog
import Foundation
import GoMartModels

/// Who moved an order; kept on its timeline.
public enum OrderActor: Sendable, Hashable {
    /// The shopper who placed it.
    case customer
    /// A member of staff, by their public id.
    case staff(id: String)
    /// GoMart itself: payment settlement, the reaper.
    case system

    /// How the timeline stores it.
    var label: String {
        switch self {
        case .customer: "customer"
        case .staff(let id): "staff:\(id)"
        case .system: "system"
        }
    }
}

/// A step an order can take after payment. Each is one call to
/// ``FulfilmentService/move(_:_:expecting:by:also:)`` that checks the state before and is safe to
/// repeat: asking again for the state the order is already in changes nothing.
public enum OrderTransition: String, Sendable, CaseIterable {
    /// `paid → picking`.
    case startPicking = "start_picking"
    /// `picking → packed`, with the quantities picked (see ``FulfilmentService/pack(_:picked:expecting:by:also:)``).
    case pack
    /// `packed → out for delivery`.
    case dispatch
    /// `out for delivery → delivered`.
    case deliver
    /// `out for delivery → delivered`, keeping back the age-restricted goods of an order with an
    /// ID check (no proof of age at the door): they go back to stock and are not charged.
    case deliverWithoutRestricted = "deliver_without_restricted"
    /// `out for delivery → refused`.
    case refuse
    /// `paid`, `picking` or `packed → cancelled`: stock back, money back. Shoppers may cancel only
    /// while the order is `paid`.
    case cancel

    /// Where the step leads.
    public var target: OrderStatus {
        switch self {
        case .startPicking: .picking
        case .pack: .packed
        case .dispatch: .outForDelivery
        case .deliver, .deliverWithoutRestricted: .delivered
        case .refuse: .refused
        case .cancel: .cancelled
        }
    }

    /// The states the step may start from, for `actor`.
    public func startsFrom(by actor: OrderActor) -> Set<OrderStatus> {
        switch self {
        case .startPicking: [.paid]
        case .pack: [.picking]
        case .dispatch: [.packed]
        case .deliver, .deliverWithoutRestricted, .refuse: [.outForDelivery]
        case .cancel: actor == .customer ? [.paid] : [.paid, .picking, .packed]
        }
    }

    /// The steps open to staff from `status`.
    public static func available(from status: OrderStatus) -> [OrderTransition] {
        allCases.filter { $0.startsFrom(by: .system).contains(status) }
    }

    /// The button's words.
    public var label: String {
        switch self {
        case .startPicking: "Start picking"
        case .pack: "Mark packed"
        case .dispatch: "Out for delivery"
        case .deliver: "Delivered"
        case .deliverWithoutRestricted: "Delivered without the age-restricted items (no proof of age)"
        case .refuse: "Refused at the door"
        case .cancel: "Cancel and refund"
        }
    }

    var topic: OutboxTopic {
        switch self {
        case .startPicking: .orderPicking
        case .pack: .orderPacked
        case .dispatch: .orderOutForDelivery
        case .deliver, .deliverWithoutRestricted: .orderDelivered
        case .refuse: .orderRefused
        case .cancel: .orderCancelled
        }
    }
}

/// Why an order could not be moved or refunded; controllers map these to 4xx answers.
public enum FulfilmentError: Error, Equatable, CustomStringConvertible {
    /// No such order (for this customer).
    case orderNotFound
    /// The order is not in a state the step starts from, or another member of staff moved it
    /// first: `current` is where it stands now.
    case conflict(current: OrderStatus)
    /// The picked quantities do not fit the order's lines.
    case invalidPicks(String)
    /// The refund asked for does not fit the order.
    case invalidRefund(String)
    /// A note must be 1 to 1,000 characters.
    case invalidNote

    public var description: String {
        switch self {
        case .orderNotFound: "We could not find that order."
        case .conflict(let current): "The order is now “\(current.label)”, so this step no longer applies. Reload to see where it stands."
        case .invalidPicks(let reason): reason
        case .invalidRefund(let reason): reason
        case .invalidNote: "Write a note of 1 to 1,000 characters."
        }
    }
}

/// The products to pick for a day, summed across orders and in aisle order.
public struct PickingList: Sendable {
    /// One product to pick.
    public struct Line: Sendable, Hashable {
        public var productID: ProductID
        public var sku: String
        public var name: String
        public var packSize: String
        public var aisleName: String
        /// Units across all the orders (grams for goods bought by weight).
        public var quantity: Int
        /// The orders wanting it: order number and units.
        public var orders: [Want]
        /// For loose goods: how they were bought, and the estimated grams across the orders.
        public var weighing: Weighing.Mode? = nil
        public var grams: Int = 0

        /// What to pick in words: "3", "1.5 kg", "4 (about 720 g)".
        public var amount: String { PickingList.amount(quantity, grams: grams, weighing: weighing) }
    }

    /// An order's part of a line.
    public struct Want: Sendable, Hashable {
        public var number: String
        public var quantity: Int
        /// What that order wants in words: "2", "750 g", "4 (about 720 g)".
        public var amount: String

        public init(number: String, quantity: Int, amount: String? = nil) {
            self.number = number
            self.quantity = quantity
            self.amount = amount ?? String(quantity)
        }
    }

    /// A quantity in words, with its weight for loose goods.
    static func amount(_ quantity: Int, grams: Int, weighing: Weighing.Mode?) -> String {
        switch weighing {
        case nil: String(quantity)
        case .weight?: Weighing.format(grams: grams)
        case .count?: "\(quantity) (about \(Weighing.format(grams: grams)))"
        }
    }

    /// The orders of one slot (or of standard delivery), to pick together.
    public struct Group: Sendable {
        /// E.g. "Delivery 08:00–10:00, Home delivery", or "Standard delivery".
        public var title: String
        /// When the slot opens; nil for standard delivery.
        public var startsAt: Date?
        /// The group's orders.
        public var orderNumbers: [String]
        /// In aisle order, then by name.
        public var lines: [Line]
    }

    /// The orders on the list.
    public var orderNumbers: [String]
    /// Everything to pick that day, in aisle order, then by name.
    public var lines: [Line]
    /// The same orders by slot, earliest first, standard delivery last.
    public var groups: [Group] = []
}

/// A note staff keep on an order; the shopper never sees it.
public struct OrderNote: Sendable, Hashable {
    public var at: Date
    /// Who wrote it, as the back office names them.
    public var author: String
    public var text: String
}
