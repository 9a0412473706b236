import Storage

/// What a message says. Each outbox topic that customers hear about maps to one kind.
public enum MessageKind: String, Sendable, CaseIterable {
    case orderConfirmation = "order_confirmation"
    case orderAmended = "order_amended"
    case orderPicking = "order_picking"
    case orderSubstituted = "order_substituted"
    case orderOutForDelivery = "order_out_for_delivery"
    case orderDelivered = "order_delivered"
    case orderRefused = "order_refused"
    case orderCancelled = "order_cancelled"
    case orderRefunded = "order_refunded"
    case passwordReset = "password_reset"
    case accountVerify = "account_verify"
    case accountTaken = "account_taken"
    case backInStock = "back_in_stock"

    /// The kind of message an outbox topic gives its customer; nil for topics they do not hear
    /// about (`order_placed`: the confirmation waits for the payment; `order_packed`).
    public init?(topic: String) {
        switch topic {
        case "order_paid": self = .orderConfirmation
        case "order_placed", "order_packed": return nil
        default: self.init(rawValue: topic)
        }
    }

    /// About an order (the event's aggregate is the order's public id).
    public var isAboutAnOrder: Bool { rawValue.hasPrefix("order_") }

    /// Progress updates a customer may turn off; everything else is transactional and always sent.
    public var isUpdate: Bool { [.orderPicking, .orderOutForDelivery, .orderDelivered].contains(self) }

    /// Short enough for a text message too.
    public var goesBySMS: Bool { [.orderOutForDelivery, .orderDelivered].contains(self) }

    /// How staff see it in the back office.
    public var label: String {
        switch self {
        case .orderConfirmation: "Order confirmation"
        case .orderAmended: "Order changed"
        case .orderPicking: "Picking started"
        case .orderSubstituted: "Substitutes to accept or reject"
        case .orderOutForDelivery: "Out for delivery"
        case .orderDelivered: "Delivered"
        case .orderRefused: "Refused at the door"
        case .orderCancelled: "Order cancelled"
        case .orderRefunded: "Refund"
        case .passwordReset: "Password reset"
        case .accountVerify: "Confirm e-mail"
        case .accountTaken: "Sign-up with a taken e-mail"
        case .backInStock: "Back in stock"
        }
    }
}
