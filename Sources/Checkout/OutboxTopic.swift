/// What an outbox event says happened; its raw value is what the `outbox` table stores and what
/// deliverers read.
public enum OutboxTopic: String, Sendable, CaseIterable {
    /// An order was written and awaits payment.
    case orderPlaced = "order_placed"
    /// An order's payment went through.
    case orderPaid = "order_paid"
    /// An order was cancelled and its stock returned.
    case orderCancelled = "order_cancelled"
    /// The shopper changed the order before its cut-off (lines, quantities, total).
    case orderAmended = "order_amended"
    /// A picker started on the order.
    case orderPicking = "order_picking"
    /// The order was picked and packed (with any shortfall refunded).
    case orderPacked = "order_packed"
    /// The picker put substitutes in for items not on the shelf, for the shopper to accept or reject.
    case orderSubstituted = "order_substituted"
    /// The order left in a van.
    case orderOutForDelivery = "order_out_for_delivery"
    /// The order was handed over.
    case orderDelivered = "order_delivered"
    /// The customer refused the order at the door.
    case orderRefused = "order_refused"
    /// Money was given back on the order (in full or in part).
    case orderRefunded = "order_refunded"
}
