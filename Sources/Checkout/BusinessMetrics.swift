import GoMartModels
import Metrics
import Payments

/// What the shop sells, as Prometheus counters (counted once the change has committed):
/// `gomart_orders_total{event="placed|paid|cancelled|refunded"}`, `gomart_order_lines_total` (with the
/// placed orders, the average basket), `gomart_revenue_minor_total{currency}` (paid orders'
/// totals in minor units), `gomart_payment_declines_total{reason}`, and money given back:
/// `gomart_refunds_total` and `gomart_refunded_minor_total{currency}`, once the provider confirmed.
enum BusinessMetrics {
    /// An order placed, with its lines, and how many products it took the last unit of
    /// (`gomart_stock_outs_total`).
    static func placed(lines: Int, soldOut: Int) {
        Counter(label: "gomart_orders_total", dimensions: [("event", "placed")]).increment()
        Counter(label: "gomart_order_lines_total").increment(by: lines)
        if soldOut > 0 { Counter(label: "gomart_stock_outs_total").increment(by: soldOut) }
    }

    static func paid(_ total: Money) {
        Counter(label: "gomart_orders_total", dimensions: [("event", "paid")]).increment()
        Counter(label: "gomart_revenue_minor_total", dimensions: [("currency", total.currency.code)]).increment(by: Int(total.minorUnits))
    }

    /// Money taken from an authorisation after picking.
    static func captured(_ amount: Money) {
        Counter(label: "gomart_captured_minor_total", dimensions: [("currency", amount.currency.code)]).increment(by: Int(amount.minorUnits))
    }

    static func cancelled() {
        Counter(label: "gomart_orders_total", dimensions: [("event", "cancelled")]).increment()
    }

    /// An order whose whole remaining amount was refunded (`gomart_orders_total{event="refunded"}`).
    static func refundedInFull() {
        Counter(label: "gomart_orders_total", dimensions: [("event", "refunded")]).increment()
    }

    static func refunded(_ amount: Money) {
        Counter(label: "gomart_refunds_total").increment()
        Counter(label: "gomart_refunded_minor_total", dimensions: [("currency", amount.currency.code)]).increment(by: Int(amount.minorUnits))
    }

    /// A charge asked of the payment provider and its outcome: `succeeded`, `declined`, or
    /// `failed` (an error or no answer), in `gomart_payment_charges_total{outcome}`.
    static func charged(_ outcome: String) {
        Counter(label: "gomart_payment_charges_total", dimensions: [("outcome", outcome)]).increment()
    }

    static func declined(_ reason: DeclineReason) {
        Counter(label: "gomart_payment_declines_total", dimensions: [("reason", reason.rawValue)]).increment()
    }
}
