import Checkout
import Foundation
import GoMartModels
import Storage

/// Orders as staff work them: every call checks the member's role first, and every change is
/// written to the audit log in the same transaction as the change itself.
public struct OrderDesk: Sendable {
    let staff: StaffService
    let fulfilment: FulfilmentService
    let database: Database

    /// Creates the desk.
    public init(staff: StaffService, fulfilment: FulfilmentService, database: Database) {
        self.staff = staff
        self.fulfilment = fulfilment
        self.database = database
    }

    /// The permission a step needs.
    public static func permission(for transition: OrderTransition) -> StaffPermission {
        switch transition {
        case .startPicking, .pack: .pickOrders
        case .dispatch, .deliver, .deliverWithoutRestricted, .refuse: .deliverOrders
        case .cancel: .cancelOrders
        }
    }

    /// The steps `member` may take on an order in `status`.
    public static func steps(for member: StaffMember, from status: OrderStatus) -> [OrderTransition] {
        OrderTransition.available(from: status).filter { member.may(permission(for: $0)) }
    }

    /// Orders in any of `statuses` (all when empty), newest first.
    public func orders(for member: StaffMember, statuses: [OrderStatus] = [], limit: Int = 200) async throws -> [OrderSummary] {
        try staff.authorize(member, to: .viewOrders)
        return try await fulfilment.orders(statuses: statuses, limit: limit)
    }

    /// Orders packed and waiting for the van, and orders out for delivery, oldest first: a
    /// driver's round.
    public func deliveries(for member: StaffMember) async throws -> [OrderSummary] {
        try staff.authorize(member, to: .deliverOrders)
        return try await fulfilment.orders(statuses: [.packed, .outForDelivery]).sorted { ($0.createdAt, $0.number) < ($1.createdAt, $1.number) }
    }

    /// One order with its delivery details. Opening them is reading a customer's personal data,
    /// so it is written to the audit log.
    public func order(_ id: OrderID, for member: StaffMember) async throws -> Order {
        try staff.authorize(member, to: .viewOrders)
        let order = try await fulfilment.order(id: id)
        let entry = try staff.auditEntry(actor: .staff(member), action: .customerDataRead, subject: Self.subject(order.id), before: [:],
                                         after: ["fields": "delivery details"])
        try await database.transaction { sql in try await StaffRepository.append(entry, now: staff.timestamp(), sql: sql) }
        return order
    }

    /// Takes a step (``OrderTransition``) on an order, from the state `expecting` the member saw.
    @discardableResult
    public func move(_ id: OrderID, _ transition: OrderTransition, expecting: OrderStatus?, by member: StaffMember) async throws -> Order {
        try staff.authorize(member, to: Self.permission(for: transition))
        return try await fulfilment.move(id, transition, expecting: expecting, by: .staff(id: member.id.publicString), also: audit(id, .orderMoved, member))
    }

    /// Records what was picked per line (nil: everything) and marks the order packed.
    @discardableResult
    public func pack(_ id: OrderID, picked: [Int: Int]?, weights: [Int: Int] = [:], substitutes: [Int: ProductID] = [:], expecting: OrderStatus?,
                     by member: StaffMember) async throws -> Order {
        try staff.authorize(member, to: .pickOrders)
        return try await fulfilment.pack(id, picked: picked, weights: weights, substitutes: substitutes, expecting: expecting,
                                         by: .staff(id: member.id.publicString), also: audit(id, .orderMoved, member))
    }

    /// A substitute handed back at the door (or rejected for the shopper who asked by phone):
    /// off the order, back to stock, not charged.
    @discardableResult
    public func rejectSubstitute(_ id: OrderID, line: Int, by member: StaffMember) async throws -> Order {
        try staff.authorize(member, to: .deliverOrders)
        return try await fulfilment.answerSubstitute(id, line: line, accept: false, by: .staff(id: member.id.publicString),
                                                     also: audit(id, .orderRefunded, member))
    }

    /// Refunds units of lines (and the delivery charge when `delivery`), once per `idempotencyKey`.
    @discardableResult
    public func refund(_ id: OrderID, lines: [Int: Int], delivery: Bool, reason: String, idempotencyKey: String,
                       by member: StaffMember) async throws -> Order {
        try staff.authorize(member, to: .refundOrders)
        return try await fulfilment.refund(id, lines: lines, delivery: delivery, reason: reason, idempotencyKey: idempotencyKey,
                                           by: .staff(id: member.id.publicString), also: audit(id, .orderRefunded, member))
    }

    /// Orders placed in `[from, before)` as CSV (no personal data), for reports.
    public func exportOrders(from: Date, before: Date, for member: StaffMember) async throws -> String {
        try staff.authorize(member, to: .viewReports)
        return try await fulfilment.exportOrders(from: from, before: before)
    }

    /// Adds a note to an order (for staff only).
    public func addNote(to id: OrderID, text: String, by member: StaffMember) async throws {
        try staff.authorize(member, to: .addNotes)
        let staff = staff
        try await fulfilment.addNote(to: id, text: text, author: member.name) { sql, _ in
            let entry = try staff.auditEntry(actor: .staff(member), action: .orderNoteAdded, subject: Self.subject(id), before: [:],
                                             after: ["note": text.trimmingCharacters(in: .whitespacesAndNewlines)])
            try await StaffRepository.append(entry, now: staff.timestamp(), sql: sql)
        }
    }

    /// The notes on an order.
    public func notes(on id: OrderID, for member: StaffMember) async throws -> [OrderNote] {
        try staff.authorize(member, to: .viewOrders)
        return try await fulfilment.notes(on: id)
    }

    /// What to pick for the orders paid on `day` (a date as ``FulfilmentService/pickingList(day:)``
    /// takes it; nil: today in the shop's time zone), and the day it is for.
    public func pickingList(day: Date?, for member: StaffMember) async throws -> (day: Date, list: PickingList) {
        try staff.authorize(member, to: .pickOrders)
        let day = day ?? fulfilment.today()
        return (day, try await fulfilment.pickingList(day: day))
    }

    /// Writes the audit line of a change, in the change's transaction.
    private func audit(_ id: OrderID, _ action: AuditAction, _ member: StaffMember) -> AlsoInTransaction {
        let staff = staff
        return { sql, change in
            var after = ["status": change.to.rawValue]
            if let refunded = change.refunded { after["refunded"] = refunded.formatted }
            let entry = try staff.auditEntry(actor: .staff(member), action: action, subject: Self.subject(id),
                                             before: ["status": change.from.rawValue], after: after)
            try await StaffRepository.append(entry, now: staff.timestamp(), sql: sql)
        }
    }

    static func subject(_ id: OrderID) -> String {
        "order \(id.publicString)"
    }
}
