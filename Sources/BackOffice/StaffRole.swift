/// What a member of staff does; each role grants a fixed set of ``StaffPermission``s.
public enum StaffRole: String, Sendable, Hashable, CaseIterable, Codable {
    /// Everything, including managing staff and reading the audit log.
    case owner
    /// Catalogue, prices, offers, stock, orders, refunds and reports.
    case manager
    /// Picking and packing lists, recording picks, marking orders packed.
    case picker
    /// Today's deliveries, marking orders delivered or refused.
    case driver
    /// Orders and customers (read), cancellations and notes.
    case support

    /// What the role may do.
    public var permissions: Set<StaffPermission> {
        switch self {
        case .owner:
            Set(StaffPermission.allCases)
        case .manager:
            [.editCatalogue, .adjustStock, .viewOrders, .pickOrders, .deliverOrders, .cancelOrders, .refundOrders,
             .viewCustomers, .addNotes, .viewReports, .manageWebhooks, .manageSlots, .managePromotions]
        case .picker:
            [.viewOrders, .pickOrders]
        case .driver:
            [.viewOrders, .deliverOrders]
        case .support:
            [.viewOrders, .viewCustomers, .cancelOrders, .addNotes, .handleCustomerData]
        }
    }

    /// Owners and managers can change money and people: they must sign in with a second factor.
    public var requiresTwoFactor: Bool { self == .owner || self == .manager }
}

/// One thing a member of staff may be allowed to do. Services check these, not the pages.
public enum StaffPermission: String, Sendable, Hashable, CaseIterable, Codable {
    /// Add staff, change their roles, disable them.
    case manageStaff = "manage_staff"
    /// Read the audit log.
    case readAuditLog = "read_audit_log"
    /// Create and edit products and aisles, change prices.
    case editCatalogue = "edit_catalogue"
    /// Record stock deliveries, counts, waste and corrections.
    case adjustStock = "adjust_stock"
    /// See orders and their lines.
    case viewOrders = "view_orders"
    /// Picking lists, recording picks, marking orders packed.
    case pickOrders = "pick_orders"
    /// Marking orders out for delivery, delivered or refused.
    case deliverOrders = "deliver_orders"
    /// Cancelling orders.
    case cancelOrders = "cancel_orders"
    /// Refunding orders, in full or per line.
    case refundOrders = "refund_orders"
    /// Finding customers and reading their personal data.
    case viewCustomers = "view_customers"
    /// Exporting or erasing a customer's personal data on their request.
    case handleCustomerData = "handle_customer_data"
    /// Notes on orders and customers.
    case addNotes = "add_notes"
    /// The dashboard and reports.
    case viewReports = "view_reports"
    /// Integrators' webhook endpoints: register, turn off and on, see deliveries.
    case manageWebhooks = "manage_webhooks"
    /// Delivery areas, collection points, weekly slot templates and slots' capacity.
    case manageSlots = "manage_slots"
    /// Offers and voucher codes: create them with their dates and limits, end them.
    case managePromotions = "manage_promotions"
}
