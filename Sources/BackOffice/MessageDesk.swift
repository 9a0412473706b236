import Foundation
import Notifications
import Storage

/// Messages to customers as staff look after them: what failed or was given up on, and sending
/// it again. Open to those who look after customers; every retry is audited.
public struct MessageDesk: Sendable {
    let staff: StaffService
    let messages: MessageStore

    /// Creates the desk.
    public init(staff: StaffService, messages: MessageStore) {
        self.staff = staff
        self.messages = messages
    }

    /// Failing and dead messages (dead first, newest first), and counts per channel and state.
    public func overview(for member: StaffMember) async throws -> (troubled: [MessageStore.Troubled], counts: [Channel: [MessageState: Int]]) {
        try staff.authorize(member, to: .viewCustomers)
        return (try await messages.troubledWithEvents(), try await messages.counts())
    }

    /// Puts message `id` back in line for an attempt now; false if it was sent meanwhile.
    public func retry(_ id: Int64, for member: StaffMember) async throws -> Bool {
        try staff.authorize(member, to: .viewCustomers)
        let staff = staff
        return try await messages.retry(id, now: staff.timestamp()) { sql, message in
            let entry = try staff.auditEntry(
                actor: .staff(member), action: .messageRetried, subject: "message \(message.id)",
                before: ["state": message.state.rawValue, "last_error": message.lastError ?? ""], after: ["state": "pending"]
            )
            try await StaffRepository.append(entry, now: staff.timestamp(), sql: sql)
        }
    }
}
