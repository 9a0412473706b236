import Foundation
import GoMartModels
import Slots
import SQLKit

/// Slots as managers set them up: delivery areas, collection points, weekly templates and the
/// capacity of single slots. Each call checks the member's role first, and every change is written
/// to the audit log in the same transaction as the change itself.
public struct SlotDesk: Sendable {
    let staff: StaffService
    /// The slots service, for reading.
    public let slots: SlotService

    /// Creates the desk.
    public init(staff: StaffService, slots: SlotService) {
        self.staff = staff
        self.slots = slots
    }

    /// Places, templates and the slots of the days ahead, for the slots page.
    public func overview(for member: StaffMember, now: Date = Date()) async throws -> (places: [SlotPlace], templates: [SlotTemplate], slots: [Slot]) {
        try staff.authorize(member, to: .manageSlots)
        let coming = try await slots.slots(from: now, until: now.addingTimeInterval(TimeInterval(slots.daysAhead) * 86_400))
        return (try await slots.places(), try await slots.templates(), coming)
    }

    @discardableResult
    public func save(_ place: SlotPlace, by member: StaffMember) async throws -> SlotPlace {
        try staff.authorize(member, to: .manageSlots)
        return try await slots.save(place, also: audit(member, subject: "place \(place.code)", after: [
            "name": place.name, "method": place.method.rawValue, "postcodes": place.postcodePrefixes.joined(separator: " "),
            "address": place.address, "active": place.active ? "yes" : "no",
        ]))
    }

    @discardableResult
    public func save(_ template: SlotTemplate, by member: StaffMember) async throws -> SlotTemplate {
        try staff.authorize(member, to: .manageSlots)
        return try await slots.save(template, also: audit(member, subject: "template of place \(template.placeID)", after: [
            "weekday": SlotTemplate.weekdayNames[max(0, min(6, template.weekday - 1))],
            "window": "\(SlotTemplate.clock(template.startMinute))–\(SlotTemplate.clock(template.endMinute))",
            "capacity": String(template.capacity), "price_minor": String(template.priceMinor),
            "free_from_minor": template.freeFromMinor.map(String.init) ?? "", "cutoff_minutes": String(template.cutoffMinutes),
        ]))
    }

    public func deleteTemplate(_ id: Int64, by member: StaffMember) async throws {
        try staff.authorize(member, to: .manageSlots)
        try await slots.deleteTemplate(id: id, also: audit(member, subject: "template \(id)", after: ["deleted": "yes"]))
    }

    public func setCapacity(of slot: UUID, to capacity: Int, by member: StaffMember) async throws {
        try staff.authorize(member, to: .manageSlots)
        try await slots.setCapacity(of: slot, to: capacity, also: audit(member, subject: "slot \(slot.publicString)", after: ["capacity": String(capacity)]))
    }

    private func audit(_ member: StaffMember, subject: String, after: [String: String]) -> SlotService.AlsoInTransaction {
        let staff = staff
        return { sql in
            let entry = try staff.auditEntry(actor: .staff(member), action: .slotsChanged, subject: subject, before: [:], after: after)
            try await StaffRepository.append(entry, now: staff.timestamp(), sql: sql)
        }
    }
}
