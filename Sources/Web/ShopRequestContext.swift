import Accounts
import Hummingbird
import NIOCore

/// What every storefront and API handler knows about the request besides the request itself:
/// the visitor, their session (if signed in), the CSRF token for forms and any parsed form body.
public struct ShopRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// A random id kept in the visitor cookie; anonymous carts and CSRF tokens hang off it.
    public var visitorID: String = ""
    /// True when this request minted the visitor id, so the response must set the cookie.
    public var isNewVisitor = false
    /// The signed-in session, if any.
    public var session: AuthenticatedSession?
    /// The token that state-changing forms on this visitor's pages must carry.
    public var csrfToken: String = ""
    /// The URL-encoded form body of a POST, parsed once by ``ShopperMiddleware`` (the text
    /// fields of a multipart form too).
    public var form: [String: [String]] = [:]
    /// The files of a multipart form (an upload), by field name.
    public var files: [String: MultipartForm.File] = [:]

    /// The connection's remote address (nil in tests without a socket); see ``TrustedProxies``
    /// for the client's.
    public var peerAddress: SocketAddress?

    public init(source: Source) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress
    }

    /// The first value of form field `name`, or an empty string.
    public func formValue(_ name: String) -> String {
        form[name]?.first ?? ""
    }

    /// The signed-in session, or ``Accounts/AccountsError/notSignedIn``.
    public func requireSession() throws -> AuthenticatedSession {
        guard let session else { throw AccountsError.notSignedIn }
        return session
    }
}

extension ShopRequestContext {
    /// Whose cart this request works on: the signed-in customer's, else the visitor's.
    ///
    /// Visitor carts are keyed by a hash of the visitor cookie, so the database never holds a
    /// value that could be replayed as the cookie.
    public var cartOwner: CartOwner {
        if let session { return .customer(id: session.customer.internalID) }
        return visitorCartOwner
    }

    /// The signed-in customer's cart, or ``Accounts/AccountsError/notSignedIn``.
    public func requireCustomerCart() throws -> CartOwner {
        .customer(id: try requireSession().customer.internalID)
    }

    /// The anonymous cart of this browser, whoever is signed in.
    public var visitorCartOwner: CartOwner {
        .visitor(key: RandomToken.hash(visitorID))
    }
}

import Cart
import Security
