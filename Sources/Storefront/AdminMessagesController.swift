import BackOffice
import Foundation
import GoMartModels
import Hummingbird
import Notifications
import Web

/// The back office's messages: e-mails (and later texts and webhooks) that failed or were given
/// up on, why, and a button to send each again.
public struct AdminMessagesController: Sendable {
    public typealias Context = ShopRequestContext
    let desk: MessageDesk
    let pages: AdminPages

    /// Creates the controller.
    public init(desk: MessageDesk, staff: StaffService, renderer: PageRenderer, shop: ShopSettings) {
        self.desk = desk
        self.pages = AdminPages(staff: staff, renderer: renderer, shop: shop)
    }

    /// Adds the routes under `/admin/messages`.
    public func addRoutes(to router: Router<Context>) {
        router.get("/admin/messages", use: list)
        router.post("/admin/messages/:id/retry", use: retry)
    }

    struct Page: Sendable {
        struct Count: Sendable { var channel: String; var pending: Int; var sent: Int; var dead: Int }
        struct Row: Sendable {
            var id: Int64
            var kind: String
            var channel: String
            var state: String
            var dead: Bool
            var attempts: Int
            var lastError: String
            var created: String
            var nextAttempt: String?
            var orderID: String?
        }
        var chrome: AdminPages.Chrome
        var notice: String?
        var counts: [Count]
        var rows: [Row]
        var hasRows: Bool
    }

    static func time(_ seconds: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds))
            .formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let (troubled, counts) = try await desk.overview(for: member)
            let query = FormURLEncoded.parse(request.uri.query)
            let notice = query["retried"]?.first.map { "Message \($0) is back in line: the worker sends it within seconds." }
                ?? (query["sent"]?.first.map { "Message \($0) was sent already." })
            let page = Page(
                chrome: pages.chrome("Messages", member, context, request: request), notice: notice,
                counts: Channel.allCases.compactMap { channel in
                    guard let states = counts[channel] else { return nil }
                    return .init(channel: channel.rawValue, pending: states[.pending] ?? 0, sent: states[.sent] ?? 0, dead: states[.dead] ?? 0)
                },
                rows: troubled.map { item in
                    let message = item.message
                    return Page.Row(
                        id: message.id, kind: MessageKind(rawValue: message.kind)?.label ?? message.kind, channel: message.channel.rawValue,
                        state: message.state == .dead ? "Given up" : "Retrying", dead: message.state == .dead, attempts: message.attempts,
                        lastError: message.lastError ?? "", created: Self.time(message.createdAt),
                        nextAttempt: message.state == .pending ? Self.time(message.nextAttemptAt) : nil,
                        orderID: item.topic?.hasPrefix("order_") == true ? item.aggregateID : nil
                    )
                },
                hasRows: !troubled.isEmpty
            )
            return try pages.html(page, template: "admin-messages", request: request, context: context)
        }
    }

    @Sendable func retry(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.notFound) }
            let retried = try await desk.retry(id, for: member)
            return .redirect(to: "/admin/messages?\(retried ? "retried" : "sent")=\(id)", type: .normal)
        }
    }
}
