import Accounts
import Foundation
import GoMartModels
import Hummingbird
import Web

/// Accounts in the JSON API: sign up, sign in (a bearer token), sign out and "me".
public struct AccountsAPIController: Sendable {
    public typealias Context = ShopRequestContext
    let accounts: AccountsService

    /// Creates the controller.
    public init(accounts: AccountsService) {
        self.accounts = accounts
    }

    /// Adds the routes under `/api/v1`.
    public func addRoutes(to router: Router<Context>) {
        let api = router.group("api/v1")
        api.post("customers", use: signUp)
        api.post("sessions", use: signIn)
        api.delete("sessions/current", use: signOut)
        api.get("me", use: me)
        api.put("me/password", use: changePassword)
        api.delete("sessions", use: signOutEverywhere)
    }

    /// What sign-up answers when the shop requires e-mail confirmation: the same bytes for a
    /// new e-mail and a taken one.
    static let confirmationSent = #"{"detail":"Follow the link in the e-mail we sent to finish opening the account. If the e-mail already has an account, its owner was told instead.","status":"confirmation_sent"}"#

    @Sendable func signUp(_ request: Request, context: Context) async throws -> Response {
        let form = try await request.decode(as: SignUpForm.self, context: context)
        if accounts.requiresEmailConfirmation {
            try await accounts.signUpAwaitingConfirmation(form)
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .accepted, headers: headers, body: .init(byteBuffer: ByteBuffer(string: Self.confirmationSent)))
        }
        let issued = try await accounts.signUp(form)
        return try EditedResponse(status: .created, response: SessionDTO(issued)).response(from: request, context: context)
    }

    @Sendable func signIn(_ request: Request, context: Context) async throws -> EditedResponse<SessionDTO> {
        let credentials = try await request.decode(as: SignInRequest.self, context: context)
        let issued = try await accounts.signIn(email: credentials.email, password: credentials.password)
        return EditedResponse(status: .created, response: SessionDTO(issued))
    }

    @Sendable func signOut(_ request: Request, context: Context) async throws -> HTTPResponse.Status {
        let session = try context.requireSession()
        try await accounts.signOut(tokenHash: session.tokenHash)
        return .noContent
    }

    struct PasswordChange: Decodable, Sendable {
        var currentPassword: String
        var newPassword: String
    }

    /// Changes the password; every other session ends, this token stays valid.
    @Sendable func changePassword(_ request: Request, context: Context) async throws -> HTTPResponse.Status {
        let session = try context.requireSession()
        let body = try await request.decode(as: PasswordChange.self, context: context)
        try await accounts.changePassword(session: session, current: body.currentPassword, new: body.newPassword)
        return .noContent
    }

    /// Ends every session of the caller, this token's too.
    @Sendable func signOutEverywhere(_ request: Request, context: Context) async throws -> HTTPResponse.Status {
        try await accounts.signOutEverywhere(customerID: try context.requireSession().customer.internalID)
        return .noContent
    }

    @Sendable func me(_ request: Request, context: Context) async throws -> CustomerDTO {
        CustomerDTO(try context.requireSession().customer)
    }
}

/// The body of `POST /sessions`.
struct SignInRequest: Decodable, Sendable {
    var email: String
    var password: String
}

/// A customer as the API shows it to that customer.
struct CustomerDTO: ResponseEncodable, Sendable {
    var id: String
    var name: String
    var email: String
    var phone: String?
    var createdAt: Date

    init(_ customer: Customer) {
        id = customer.id.publicString
        name = customer.name
        email = customer.email
        phone = customer.phone
        createdAt = customer.createdAt
    }
}

/// A new session: the bearer token, when it ends, and whose it is.
struct SessionDTO: ResponseEncodable, Sendable {
    var token: String
    var expiresAt: Date
    var customer: CustomerDTO

    init(_ issued: IssuedSession) {
        token = issued.token
        expiresAt = issued.expiresAt
        customer = CustomerDTO(issued.customer)
    }
}
