import BackOffice
import Foundation
import GoMartModels
import Hummingbird
import Web

/// Staff management for the owner: the team, adding members (with their second factor shown
/// once), changing roles, disabling and enabling.
public struct AdminStaffController: Sendable {
    public typealias Context = ShopRequestContext
    let staff: StaffService
    let pages: AdminPages

    /// Creates the controller.
    public init(staff: StaffService, renderer: PageRenderer, shop: ShopSettings) {
        self.staff = staff
        self.pages = AdminPages(staff: staff, renderer: renderer, shop: shop)
    }

    /// Adds the routes under `/admin/staff`.
    public func addRoutes(to router: Router<Context>) {
        router.get("/admin/staff", use: list)
        router.post("/admin/staff", use: add)
        router.post("/admin/staff/:id/role", use: changeRole)
        router.post("/admin/staff/:id/disable", use: disable)
        router.post("/admin/staff/:id/enable", use: enable)
    }

    struct Page: Sendable {
        struct Row: Sendable {
            var id: String
            var name: String
            var email: String
            var role: String
            var roles: [Option]
            var disabled: Bool
            var isYou: Bool
        }

        struct Option: Sendable {
            var value: String
            var selected: Bool
        }

        struct Enrolment: Sendable {
            var name: String
            var secret: String
            var uri: String
            var codes: [String]
        }

        var chrome: AdminPages.Chrome
        var rows: [Row]
        var roles: [Option]
        var enrolment: Enrolment?
        var error: String?
        var fieldErrors: [String]
        var email: String
        var name: String
    }

    func page(_ request: Request, _ context: Context, _ member: StaffMember, enrolment: Page.Enrolment? = nil, error: String? = nil,
              fieldErrors: [String: String] = [:], email: String = "", name: String = "") async throws -> Page {
        let members = try await staff.members(for: member)
        return Page(
            chrome: pages.chrome("Staff", member, context, request: request),
            rows: members.map { row in
                Page.Row(id: row.id.publicString, name: row.name, email: row.email, role: row.role.rawValue,
                         roles: StaffRole.allCases.map { .init(value: $0.rawValue, selected: $0 == row.role) }, disabled: row.isDisabled,
                         isYou: row.id == member.id)
            },
            roles: StaffRole.allCases.map { .init(value: $0.rawValue, selected: $0 == .picker) },
            enrolment: enrolment, error: error,
            fieldErrors: fieldErrors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }, email: email, name: name
        )
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            try pages.html(try await page(request, context, member), template: "admin-staff", request: request, context: context)
        }
    }

    @Sendable func add(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let email = context.formValue("email"), name = context.formValue("name")
            do {
                guard let role = StaffRole(rawValue: context.formValue("role")) else { throw StaffError.invalidFields(["role": "choose a role"]) }
                let added = try await staff.add(email: email, name: name, password: context.formValue("password"), role: role, by: .staff(member))
                let enrolment = added.secondFactor.map {
                    Page.Enrolment(name: added.member.name, secret: $0.secret, uri: $0.provisioningURI, codes: $0.recoveryCodes)
                }
                return try pages.html(try await page(request, context, member, enrolment: enrolment), template: "admin-staff", request: request, context: context)
            } catch let error as StaffError {
                let fields: [String: String]
                switch error {
                case .invalidFields(let problems): fields = problems
                case .emailTaken: fields = ["email": error.description]
                default: throw error
                }
                return try pages.html(try await page(request, context, member, fieldErrors: fields, email: email, name: name), template: "admin-staff",
                                      status: error == .emailTaken ? .conflict : .unprocessableContent, request: request, context: context)
            }
        }
    }

    @Sendable func changeRole(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let id = try Self.memberID(context)
            guard let role = StaffRole(rawValue: context.formValue("role")), let current = StaffRole(rawValue: context.formValue("current")) else {
                return try pages.message(request, context, member, status: .badRequest, heading: "Unknown role", message: "Choose one of the roles.")
            }
            do {
                let enrolment = try await staff.changeRole(of: id, from: current, to: role, by: member).map {
                    Page.Enrolment(name: "the member", secret: $0.secret, uri: $0.provisioningURI, codes: $0.recoveryCodes)
                }
                guard let enrolment else { return .redirect(to: "/admin/staff", type: .normal) }
                return try pages.html(try await page(request, context, member, enrolment: enrolment), template: "admin-staff", request: request, context: context)
            } catch let error as StaffError where error == .lastOwner || error == .changedMeanwhile {
                return try pages.html(try await page(request, context, member, error: error.description), template: "admin-staff",
                                      status: .conflict, request: request, context: context)
            }
        }
    }

    @Sendable func disable(_ request: Request, context: Context) async throws -> Response {
        try await setDisabled(request, context, true)
    }

    @Sendable func enable(_ request: Request, context: Context) async throws -> Response {
        try await setDisabled(request, context, false)
    }

    func setDisabled(_ request: Request, _ context: Context, _ disabled: Bool) async throws -> Response {
        try await pages.page(request, context) { member in
            do {
                try await staff.setDisabled(try Self.memberID(context), disabled, by: member)
                return .redirect(to: "/admin/staff", type: .normal)
            } catch let error as StaffError where error == .lastOwner {
                return try pages.html(try await page(request, context, member, error: error.description), template: "admin-staff",
                                      status: .conflict, request: request, context: context)
            }
        }
    }

    static func memberID(_ context: Context) throws -> UUID {
        guard let id = UUID(publicString: try context.parameters.require("id")) else { throw StaffError.memberNotFound }
        return id
    }
}
