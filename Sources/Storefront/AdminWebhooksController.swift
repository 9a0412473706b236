import BackOffice
import Foundation
import GoMartModels
import Hummingbird
import Notifications
import Web

/// The back office's webhooks: integrators' endpoints, their signing secrets (shown once), and
/// each endpoint's deliveries.
public struct AdminWebhooksController: Sendable {
    public typealias Context = ShopRequestContext
    let desk: WebhookDesk
    let pages: AdminPages

    public init(desk: WebhookDesk, staff: StaffService, renderer: PageRenderer, shop: ShopSettings) {
        self.desk = desk
        self.pages = AdminPages(staff: staff, renderer: renderer, shop: shop)
    }

    public func addRoutes(to router: Router<Context>) {
        router.get("/admin/webhooks", use: list)
        router.post("/admin/webhooks", use: register)
        router.get("/admin/webhooks/:id", use: show)
        router.post("/admin/webhooks/:id/enabled", use: setEnabled)
    }

    struct EndpointRow: Sendable {
        var id: Int64
        var url: String
        var events: String
        var enabled: Bool
        var state: String
        var failures: Int
    }

    struct EventChoice: Sendable {
        var value: String
        var checked: Bool
    }

    struct ListPage: Sendable {
        var chrome: AdminPages.Chrome
        var endpoints: [EndpointRow]
        var hasEndpoints: Bool
        var events: [EventChoice]
        var url: String
        var error: String?
        var secret: String?
        var created: EndpointRow?
    }

    static func row(_ endpoint: WebhookEndpoint) -> EndpointRow {
        EndpointRow(id: endpoint.id, url: endpoint.url, events: endpoint.eventTypes.joined(separator: ", "), enabled: endpoint.enabled,
                    state: endpoint.enabled ? "On" : "Off: \(endpoint.disabledReason ?? "turned off")", failures: endpoint.consecutiveFailures)
    }

    private func listPage(_ request: Request, _ context: Context, _ member: StaffMember, url: String = "", chosen: [String] = [],
                          error: String? = nil, made: (WebhookEndpoint, String)? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let endpoints = try await desk.endpoints(for: member)
        let page = ListPage(
            chrome: pages.chrome("Webhooks", member, context, request: request), endpoints: endpoints.map(Self.row), hasEndpoints: !endpoints.isEmpty,
            events: WebhookEventType.all.map { EventChoice(value: $0, checked: chosen.contains($0)) }, url: url, error: error,
            secret: made?.1, created: made.map { Self.row($0.0) }
        )
        return try pages.html(page, template: "admin-webhooks", status: status, request: request, context: context)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in try await listPage(request, context, member) }
    }

    @Sendable func register(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let url = context.formValue("url")
            let chosen = context.form["event"] ?? []
            do {
                let made = try await desk.register(url: url, eventTypes: chosen, for: member)
                return try await listPage(request, context, member, made: made, status: .created)
            } catch let error as WebhookError {
                return try await listPage(request, context, member, url: url, chosen: chosen, error: error.description, status: .unprocessableContent)
            }
        }
    }

    struct EndpointPage: Sendable {
        struct Delivery: Sendable {
            var id: Int64
            var event: String
            var state: String
            var attempts: Int
            var lastError: String
            var at: String
        }
        var chrome: AdminPages.Chrome
        var endpoint: EndpointRow
        var deliveries: [Delivery]
        var hasDeliveries: Bool
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            guard let id = context.parameters.get("id", as: Int64.self), let found = try await desk.endpoint(id, for: member) else {
                throw HTTPError(.notFound)
            }
            let page = EndpointPage(
                chrome: pages.chrome("Webhook \(id)", member, context, request: request), endpoint: Self.row(found.endpoint),
                deliveries: found.deliveries.map {
                    .init(id: $0.id, event: $0.kind, state: $0.state == .sent ? "Delivered" : $0.state == .dead ? "Given up" : ($0.attempts > 0 ? "Retrying" : "Waiting"),
                          attempts: $0.attempts, lastError: $0.lastError ?? "", at: AdminMessagesController.time($0.sentAt ?? $0.createdAt))
                },
                hasDeliveries: !found.deliveries.isEmpty
            )
            return try pages.html(page, template: "admin-webhook", request: request, context: context)
        }
    }

    @Sendable func setEnabled(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.notFound) }
            guard try await desk.setEnabled(id, context.formValue("enabled") == "1", for: member) else { throw HTTPError(.notFound) }
            return .redirect(to: "/admin/webhooks/\(id)", type: .normal)
        }
    }
}
