import BackOffice
import Checkout
import Foundation
import GoMartModels
import HTTPTypes
import Hummingbird
import Web

/// The back office as a JSON API under `/api/v1/admin`, for a grocer's own tools: staff sign in
/// for a bearer token (with their second factor where the role needs one), and every call goes
/// through the same services, role checks and audit log as the pages.
public struct AdminAPIController: Sendable {
    public typealias Context = ShopRequestContext
    let staff: StaffService
    let desk: OrderDesk

    /// Creates the controller.
    public init(staff: StaffService, desk: OrderDesk) {
        self.staff = staff
        self.desk = desk
    }

    /// Adds the routes under `/api/v1/admin`.
    public func addRoutes(to router: Router<Context>) {
        let api = router.group("api/v1/admin")
        api.post("sessions", use: signIn)
        api.delete("sessions/current", use: signOut)
        api.get("orders", use: orders)
        api.get("orders/:id", use: order)
        api.post("orders/:id/transitions", use: transition)
        api.post("orders/:id/pack", use: pack)
        api.post("orders/:id/refunds", use: refund)
        api.get("picking-list", use: pickingList)
    }

    struct SignInRequest: Decodable, Sendable {
        var email: String
        var password: String
        var oneTimeCode: String?
    }

    struct StaffDTO: Encodable, Sendable {
        var id: String
        var name: String
        var email: String
        var role: String
        var permissions: [String]
    }

    struct StaffSessionDTO: ResponseEncodable, Sendable {
        var token: String
        var expiresAt: Date
        var staff: StaffDTO
    }

    @Sendable func signIn(_ request: Request, context: Context) async throws -> EditedResponse<StaffSessionDTO> {
        let body = try await request.decode(as: SignInRequest.self, context: context)
        let session = try await staff.signIn(email: body.email, password: body.password, oneTimeCode: body.oneTimeCode)
        let member = session.member
        return EditedResponse(status: .created, response: StaffSessionDTO(
            token: session.token, expiresAt: session.expiresAt,
            staff: StaffDTO(id: member.id.publicString, name: member.name, email: member.email, role: member.role.rawValue,
                            permissions: StaffPermission.allCases.filter(member.may).map(\.rawValue))
        ))
    }

    @Sendable func signOut(_ request: Request, context: Context) async throws -> Response {
        _ = try await member(request)
        if let token = ShopperMiddleware.bearerToken(request) { try await staff.signOut(sessionToken: token) }
        return Response(status: .noContent)
    }

    struct OrderListDTO: ResponseEncodable, Sendable {
        var orders: [OrderSummaryDTO]
    }

    @Sendable func orders(_ request: Request, context: Context) async throws -> OrderListDTO {
        let member = try await member(request)
        let query = FormURLEncoded.parse(request.uri.query)
        var statuses: [OrderStatus] = []
        for text in (query["status"] ?? []).flatMap({ $0.split(separator: ",") }) {
            guard let status = OrderStatus(rawValue: String(text)) else {
                throw HTTPError(.badRequest, message: "Unknown status '\(text.prefix(40))'; use one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            statuses.append(status)
        }
        let limit = try query["limit"]?.first.map { text in
            guard let limit = Int(text), (1...1_000).contains(limit) else { throw HTTPError(.badRequest, message: "limit must be from 1 to 1000.") }
            return limit
        } ?? 200
        return OrderListDTO(orders: try await desk.orders(for: member, statuses: statuses, limit: limit).map(OrderSummaryDTO.init))
    }

    @Sendable func order(_ request: Request, context: Context) async throws -> OrderDTO {
        let member = try await member(request)
        return OrderDTO(try await desk.order(try Self.orderID(context), for: member))
    }

    struct TransitionRequest: Decodable, Sendable {
        var transition: String
        var expectedStatus: String?
    }

    @Sendable func transition(_ request: Request, context: Context) async throws -> OrderDTO {
        let member = try await member(request)
        let body = try await request.decode(as: TransitionRequest.self, context: context)
        guard let transition = OrderTransition(rawValue: body.transition) else {
            throw HTTPError(.badRequest, message: "Unknown transition; use one of \(OrderTransition.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return OrderDTO(try await desk.move(try Self.orderID(context), transition, expecting: try Self.status(body.expectedStatus), by: member))
    }

    struct LineQuantity: Decodable, Sendable {
        var lineNumber: Int
        var quantity: Int
    }

    struct LineWeight: Decodable, Sendable {
        var lineNumber: Int
        var grams: Int
    }

    struct LineSubstitute: Decodable, Sendable {
        var lineNumber: Int
        var productId: String
    }

    struct PackRequest: Decodable, Sendable {
        var picked: [LineQuantity]?
        var weights: [LineWeight]?
        var substitutes: [LineSubstitute]?
        var expectedStatus: String?
    }

    @Sendable func pack(_ request: Request, context: Context) async throws -> OrderDTO {
        let member = try await member(request)
        let body = try await request.decode(as: PackRequest.self, context: context)
        let picked = try body.picked.map(Self.counts)
        let weights = try Self.counts((body.weights ?? []).map { LineQuantity(lineNumber: $0.lineNumber, quantity: $0.grams) })
        var substitutes: [Int: ProductID] = [:]
        for line in body.substitutes ?? [] {
            guard let product = ProductID(publicString: line.productId) else { throw HTTPError(.badRequest, message: "productId must be a product's id.") }
            guard substitutes.updateValue(product, forKey: line.lineNumber) == nil else { throw HTTPError(.badRequest, message: "Line \(line.lineNumber) is given twice.") }
        }
        return OrderDTO(try await desk.pack(try Self.orderID(context), picked: picked, weights: weights, substitutes: substitutes,
                                            expecting: try Self.status(body.expectedStatus), by: member))
    }

    struct RefundRequest: Decodable, Sendable {
        var lines: [LineQuantity]?
        var delivery: Bool?
        var reason: String
    }

    @Sendable func refund(_ request: Request, context: Context) async throws -> OrderDTO {
        let member = try await member(request)
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else {
            throw FulfilmentError.invalidRefund("An Idempotency-Key header of 8 to 100 letters, digits, '-' or '_' is required.")
        }
        let body = try await request.decode(as: RefundRequest.self, context: context)
        return OrderDTO(try await desk.refund(try Self.orderID(context), lines: try Self.counts(body.lines ?? []), delivery: body.delivery ?? false,
                                              reason: body.reason, idempotencyKey: key, by: member))
    }

    struct PickingListDTO: ResponseEncodable, Sendable {
        struct Line: Encodable, Sendable {
            struct Want: Encodable, Sendable {
                var number: String
                var quantity: Int
                var amount: String
            }

            var productId: String
            var sku: String
            var name: String
            var packSize: String
            var aisle: String
            var quantity: Int
            /// In words, with the weight of loose goods: "3", "1.5 kg", "4 (about 720 g)".
            var amount: String
            var orders: [Want]
        }

        struct Group: Encodable, Sendable {
            var title: String
            var startsAt: String?
            var orders: [String]
            var lines: [Line]
        }

        var day: String
        var orders: [String]
        var lines: [Line]
        var groups: [Group]
    }

    @Sendable func pickingList(_ request: Request, context: Context) async throws -> PickingListDTO {
        let member = try await member(request)
        let text = FormURLEncoded.parse(request.uri.query)["day"]?.first ?? ""
        let style = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day().dateSeparator(.dash)
        let asked: Date?
        if text.isEmpty {
            asked = nil
        } else if text.count == 10, let parsed = try? style.parse(text) {
            asked = parsed
        } else {
            throw HTTPError(.badRequest, message: "day must be a date as YYYY-MM-DD.")
        }
        let (day, list) = try await desk.pickingList(day: asked, for: member)
        let lines = { (lines: [PickingList.Line]) in
            lines.map { line in
                PickingListDTO.Line(productId: line.productID.publicString, sku: line.sku, name: line.name, packSize: line.packSize, aisle: line.aisleName,
                                    quantity: line.quantity, amount: line.amount,
                                    orders: line.orders.map { .init(number: $0.number, quantity: $0.quantity, amount: $0.amount) })
            }
        }
        return PickingListDTO(day: day.formatted(style), orders: list.orderNumbers, lines: lines(list.lines), groups: list.groups.map { group in
            PickingListDTO.Group(title: group.title, startsAt: group.startsAt?.formatted(.iso8601), orders: group.orderNumbers, lines: lines(group.lines))
        })
    }

    // MARK: - Helpers

    /// The member of staff whose bearer token the request carries.
    func member(_ request: Request) async throws -> StaffMember {
        try await Self.member(request, staff: staff)
    }

    /// The member of staff whose bearer token `request` carries, or ``StaffError/notSignedIn``.
    static func member(_ request: Request, staff: StaffService) async throws -> StaffMember {
        guard let token = ShopperMiddleware.bearerToken(request), !token.isEmpty, let member = try await staff.member(sessionToken: token) else {
            throw StaffError.notSignedIn
        }
        return member
    }

    static func orderID(_ context: Context) throws -> OrderID {
        guard let id = OrderID(publicString: try context.parameters.require("id")) else { throw FulfilmentError.orderNotFound }
        return id
    }

    static func status(_ text: String?) throws -> OrderStatus? {
        guard let text else { return nil }
        guard let status = OrderStatus(rawValue: text) else { throw HTTPError(.badRequest, message: "Unknown expectedStatus '\(text.prefix(40))'.") }
        return status
    }

    static func counts(_ lines: [LineQuantity]) throws -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for line in lines {
            guard counts.updateValue(line.quantity, forKey: line.lineNumber) == nil else {
                throw HTTPError(.badRequest, message: "Line \(line.lineNumber) is given twice.")
            }
        }
        return counts
    }
}
