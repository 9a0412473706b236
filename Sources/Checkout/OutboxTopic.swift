/// What an outbox event says happened; its raw value is what the `outbox` table stores and what
/// deliverers read.
public enum OutboxTopic: String, Sendable, CaseIterable {
    /// An order was written and awaits payment.
    case orderPlaced = "order_placed"
    /// An order's payment went through.
    case orderPaid = "order_paid"
    /// An order was cancelled and its stock returned.
    case orderCancelled = "order_cancelled"
}
