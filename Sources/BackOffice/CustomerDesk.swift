import Accounts
import Cart
import Checkout
import Foundation
import GoMartModels
import Storage

/// Why a customer request could not be done.
public enum CustomerDeskError: Error, Equatable, CustomStringConvertible {
    /// No such customer.
    case customerNotFound
    /// Orders are still being worked; erase once they are delivered or cancelled.
    case ordersInProgress(Int)
    /// Erasure must be confirmed.
    case notConfirmed

    public var description: String {
        switch self {
        case .customerNotFound: "We could not find that customer."
        case .ordersInProgress(let count): "The customer has \(count) order(s) in progress; erase their data once they are delivered or cancelled."
        case .notConfirmed: "Tick the box to confirm that the customer asked for their data to be erased."
        }
    }
}

/// Everything GoMart holds about a customer, as they may ask for it (GDPR's right of access).
public struct CustomerDataExport: Codable, Sendable {
    public struct Account: Codable, Sendable {
        public var id: String
        public var email: String
        public var name: String
        public var phone: String?
        public var createdAt: Date
    }

    public struct Line: Codable, Sendable {
        public var product: String
        public var packSize: String
        public var quantity: Int
        public var unitPrice: String
        public var refundedQuantity: Int
    }

    public struct PlacedOrder: Codable, Sendable {
        public var number: String
        public var placedAt: Date
        public var status: String
        public var delivery: DeliveryDetails
        public var lines: [Line]
        public var total: String
        public var refunded: String
        public var card: String?
    }

    public var exportedAt: Date
    public var account: Account
    public var orders: [PlacedOrder]
}

/// Customers as staff look after them: find one by e-mail, see their orders, export their data
/// or erase it on request. Every read of personal data and every erasure is audited.
public struct CustomerDesk: Sendable {
    let staff: StaffService
    let accounts: AccountsService
    let checkout: CheckoutService
    let cart: CartService
    let database: Database

    /// Creates the desk.
    public init(staff: StaffService, accounts: AccountsService, checkout: CheckoutService, cart: CartService, database: Database) {
        self.staff = staff
        self.accounts = accounts
        self.checkout = checkout
        self.cart = cart
        self.database = database
    }

    /// The customer with this e-mail (by its blind index, the e-mail itself is never searched).
    public func find(email: String, for member: StaffMember) async throws -> Customer? {
        try staff.authorize(member, to: .viewCustomers)
        guard let customer = try await accounts.customer(email: email) else { return nil }
        try await audit(.customerDataRead, member, customer, after: ["fields": "account"])
        return customer
    }

    /// One customer and their orders, newest first.
    public func customer(_ id: UUID, for member: StaffMember) async throws -> (customer: Customer, orders: [OrderSummary]) {
        try staff.authorize(member, to: .viewCustomers)
        guard let customer = try await accounts.customer(id: id) else { throw CustomerDeskError.customerNotFound }
        try await audit(.customerDataRead, member, customer, after: ["fields": "account, orders"])
        return (customer, try await checkout.orders(customerID: customer.internalID, limit: 500))
    }

    /// Everything held about the customer, for their request to see it.
    public func export(_ id: UUID, for member: StaffMember) async throws -> CustomerDataExport {
        try staff.authorize(member, to: .handleCustomerData)
        guard let customer = try await accounts.customer(id: id) else { throw CustomerDeskError.customerNotFound }
        var orders: [CustomerDataExport.PlacedOrder] = []
        for summary in try await checkout.orders(customerID: customer.internalID, limit: 10_000) {
            let order = try await checkout.order(id: summary.id, customerID: customer.internalID)
            orders.append(CustomerDataExport.PlacedOrder(
                number: order.number, placedAt: order.createdAt, status: order.status.rawValue, delivery: order.delivery,
                lines: order.lines.map { .init(product: $0.name, packSize: $0.packSize, quantity: $0.quantity, unitPrice: $0.unitPrice.formatted,
                                               refundedQuantity: $0.refundedQuantity) },
                total: order.total.formatted, refunded: order.refunded.formatted,
                card: order.cardBrand.map { "\($0) ending \(order.cardLastFour ?? "")" }
            ))
        }
        try await audit(.customerDataExported, member, customer, after: ["orders": String(orders.count)])
        return CustomerDataExport(
            exportedAt: Date(),
            account: .init(id: customer.id.publicString, email: customer.email, name: customer.name, phone: customer.phone, createdAt: customer.createdAt),
            orders: orders
        )
    }

    /// Erases the customer's personal data on their request (GDPR's right to erasure): the
    /// account's e-mail, name, phone and password, every session, and the delivery details of
    /// every order, in one transaction with the audit line. Orders keep their lines and money, so
    /// the shop's figures still add up. Refused while orders are in progress.
    public func erase(_ id: UUID, confirmed: Bool, by member: StaffMember) async throws {
        try staff.authorize(member, to: .handleCustomerData)
        guard confirmed else { throw CustomerDeskError.notConfirmed }
        guard let customer = try await accounts.customer(id: id) else { throw CustomerDeskError.customerNotFound }
        guard !customer.isErased else { return }
        let inProgress = try await checkout.ordersInProgress(of: customer.internalID)
        guard inProgress == 0 else { throw CustomerDeskError.ordersInProgress(inProgress) }
        let accounts = accounts, checkout = checkout, staff = staff
        try await database.transaction { sql in
            try await accounts.erase(customer.internalID, in: sql)
            let orders = try await checkout.pseudonymiseOrders(of: customer.internalID, in: sql)
            let entry = try staff.auditEntry(actor: .staff(member), action: .customerErased, subject: Self.subject(customer), before: [:],
                                             after: ["orders_pseudonymised": String(orders)])
            try await StaffRepository.append(entry, now: staff.timestamp(), sql: sql)
        }
        accounts.forgetSessions(of: customer.internalID)
        try await cart.clear(.customer(id: customer.internalID))
    }

    static func subject(_ customer: Customer) -> String {
        "customer \(customer.id.publicString)"
    }

    private func audit(_ action: AuditAction, _ member: StaffMember, _ customer: Customer, after: [String: String]) async throws {
        let entry = try staff.auditEntry(actor: .staff(member), action: action, subject: Self.subject(customer), before: [:], after: after)
        try await database.transaction { sql in try await StaffRepository.append(entry, now: staff.timestamp(), sql: sql) }
    }
}
