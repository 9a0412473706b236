import Foundation

/// What was done, as the audit log names it.
public enum AuditAction: String, Sendable, Hashable, CaseIterable {
    /// A member of staff was added.
    case staffAdded = "staff.added"
    /// A member of staff was given another role.
    case staffRoleChanged = "staff.role_changed"
    /// A member of staff was disabled.
    case staffDisabled = "staff.disabled"
    /// A disabled member of staff was enabled again.
    case staffEnabled = "staff.enabled"
    /// An order took a step: picking, packed, out for delivery, delivered, refused, cancelled.
    case orderMoved = "order.moved"
    /// Money was given back on an order.
    case orderRefunded = "order.refunded"
    /// A note was added to an order.
    case orderNoteAdded = "order.note_added"
    /// A member of staff opened a customer's personal data (an order's delivery details).
    case customerDataRead = "customer.data_read"
    /// A customer's personal data was exported on their request.
    case customerDataExported = "customer.data_exported"
    /// A customer's personal data was erased on their request.
    case customerErased = "customer.erased"
    /// A product was added to the catalogue.
    case productCreated = "product.created"
    /// A product's details or price changed.
    case productChanged = "product.changed"
    /// A product was taken off sale.
    case productWithdrawn = "product.withdrawn"
    /// A withdrawn product was put back on sale.
    case productReinstated = "product.reinstated"
    /// Stock was adjusted, with a reason.
    case stockAdjusted = "stock.adjusted"
    /// An aisle was added, renamed or moved.
    case aisleChanged = "aisle.changed"
    /// A synonym group for search was added or removed.
    case synonymsChanged = "synonyms.changed"
    /// A catalogue file was imported from the back office.
    case catalogueImported = "catalogue.imported"
    /// A failed or given-up message to a customer was put back in line.
    case messageRetried = "message.retried"
    /// A webhook endpoint was registered.
    case webhookAdded = "webhook.added"
    /// A webhook endpoint was turned off or back on by staff.
    case webhookChanged = "webhook.changed"
    /// A delivery area, collection point, slot template or slot's capacity was changed.
    case slotsChanged = "slots.changed"
    /// An offer was created or ended.
    case offerChanged = "offer.changed"
    /// A voucher code was created or ended.
    case voucherChanged = "voucher.changed"
}

/// One line of the audit log: who did what to what, when, with the values before and after.
public struct AuditEntry: Sendable, Hashable {
    /// When.
    public var at: Date
    /// Who: a member of staff's name, or the command line for `gomart` commands run on the server.
    public var actor: String
    /// What was done.
    public var action: AuditAction
    /// What it was done to, e.g. `staff 3f2a…`.
    public var subject: String
    /// The values before the change (empty for something new).
    public var before: [String: String]
    /// The values after the change (empty for something removed).
    public var after: [String: String]
}

/// Who acts, for the audit log.
public enum AuditActor: Sendable {
    /// A signed-in member of staff.
    case staff(StaffMember)
    /// A `gomart` command run by someone with access to the server.
    case commandLine

    var staffID: Int64? {
        if case .staff(let member) = self { return member.internalID }
        return nil
    }

    var name: String {
        switch self {
        case .staff(let member): member.name
        case .commandLine: "command line"
        }
    }
}
