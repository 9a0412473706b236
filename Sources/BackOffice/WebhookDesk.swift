import Foundation
import Notifications
import Storage

/// Integrators' webhook endpoints as owners and managers keep them; every change is audited.
public struct WebhookDesk: Sendable {
    let staff: StaffService
    let webhooks: Webhooks
    let database: Database

    public init(staff: StaffService, webhooks: Webhooks, database: Database) {
        self.staff = staff
        self.webhooks = webhooks
        self.database = database
    }

    public func endpoints(for member: StaffMember) async throws -> [WebhookEndpoint] {
        try staff.authorize(member, to: .manageWebhooks)
        return try await webhooks.endpoints()
    }

    /// An endpoint and its delivery log, newest first.
    public func endpoint(_ id: Int64, for member: StaffMember) async throws -> (endpoint: WebhookEndpoint, deliveries: [NotificationMessage])? {
        try staff.authorize(member, to: .manageWebhooks)
        guard let endpoint = try await webhooks.endpoint(id) else { return nil }
        return (endpoint, try await webhooks.deliveries(of: id))
    }

    /// Registers an endpoint; the secret is returned once. Throws ``WebhookError``.
    public func register(url: String, eventTypes: [String], for member: StaffMember) async throws -> (endpoint: WebhookEndpoint, secret: String) {
        try staff.authorize(member, to: .manageWebhooks)
        let made = try await webhooks.register(url: url, eventTypes: eventTypes)
        try await audit(.webhookAdded, member, made.endpoint, before: [:], after: ["url": made.endpoint.url, "events": made.endpoint.eventTypes.joined(separator: ", ")])
        return made
    }

    /// Turns an endpoint off or back on (with a clean count of failures).
    public func setEnabled(_ id: Int64, _ enabled: Bool, for member: StaffMember) async throws -> Bool {
        try staff.authorize(member, to: .manageWebhooks)
        guard let endpoint = try await webhooks.endpoint(id), try await webhooks.setEnabled(id, enabled) else { return false }
        try await audit(.webhookChanged, member, endpoint, before: ["enabled": String(endpoint.enabled)], after: ["enabled": String(enabled)])
        return true
    }

    private func audit(_ action: AuditAction, _ member: StaffMember, _ endpoint: WebhookEndpoint, before: [String: String], after: [String: String]) async throws {
        let entry = try staff.auditEntry(actor: .staff(member), action: action, subject: "webhook \(endpoint.id)", before: before, after: after)
        try await database.transaction { sql in try await StaffRepository.append(entry, now: staff.timestamp(), sql: sql) }
    }
}
