import API
import HTTPProblems
import Accounts
import BackOffice
import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Hummingbird
import Lists
import Logging
import Promotions
import Slots
import Storefront
import Web

/// Turns every error into a clear answer: problem+json under `/api/`, an HTML page elsewhere.
///
/// Domain errors are mapped to status codes here, in one place; anything unexpected is logged
/// and answered with a 500 that reveals nothing internal.
struct ErrorResponseMiddleware: RouterMiddleware {
    typealias Context = ShopRequestContext
    let storefront: StorefrontController
    /// The API's documented methods per path: a documented path asked with another method is 405.
    let apiMethods: DeclaredMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return await answer(to: error, request: request, context: context)
        }
    }

    /// The answer to `error`: problem+json under `/api/`, a page elsewhere; a 500 is logged.
    func answer(to error: any Error, request: Request, context: Context) async -> Response {
        let problem = Self.classify(error)
        if problem.status == .internalServerError {
            // The cause, at error level whatever the request log's level: its type and what it
            // says (cut short; errors never carry personal data, which is sealed before storage).
            context.logger.error("unhandled error", metadata: [
                "error": "\(String(reflecting: type(of: error)))", "cause": "\(String(String(describing: error).prefix(500)))",
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
            ])
        }
        let path = request.uri.path
        if path.hasPrefix("/api/") {
            if let notFound = error as? HTTPError, notFound.status == .notFound, let allowed = apiMethods.methods(for: path),
               !allowed.contains(request.method.rawValue) {
                var response = ProblemDetails(
                    title: "Method not allowed", status: 405, detail: "\(path) takes \(allowed.sorted().joined(separator: ", ")).", instance: path
                ).response()
                response.headers[.allow] = allowed.sorted().joined(separator: ", ")
                return response
            }
            var response = ProblemDetails(
                title: problem.title, status: Int(problem.status.code), detail: problem.detail,
                instance: path, parameter: problem.parameter, errors: problem.fieldErrors, problems: problem.orderProblems
            ).response()
            if problem.status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
            if let retryAfter = problem.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
            return response
        }
        if case AccountsError.notSignedIn = error {
            let next = request.uri.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "/-_."))) ?? "/"
            return .redirect(to: "/account/sign-in?next=\(next)", type: .normal)
        }
        var page = await storefront.errorPage(status: problem.status, heading: problem.heading, message: problem.detail, context: context)
        if let retryAfter = problem.retryAfter { page.headers[.retryAfter] = String(retryAfter) }
        return page
    }

    struct Classified {
        var status: HTTPResponse.Status
        var title: String
        var heading: String
        var detail: String
        var parameter: String?
        var fieldErrors: [String: String]?
        var orderProblems: [ProblemDetails.OrderProblemEntry]?
        /// Seconds to wait before trying again (a 429 or 503).
        var retryAfter: Int?
    }

    /// A voucher that cannot be used, with the status ``VoucherProblem/status`` gives it.
    static func classify(_ problem: VoucherProblem) -> Classified {
        switch problem {
        case .unknown:
            Classified(status: problem.status, title: "Unknown voucher", heading: "Please check the code", detail: problem.description,
                       fieldErrors: ["code": problem.description])
        case .signInFirst:
            Classified(status: problem.status, title: "Not signed in", heading: "Please sign in", detail: problem.description)
        case .notYet, .expired, .usedUp, .alreadyUsed:
            Classified(status: problem.status, title: "Voucher cannot be used", heading: "That voucher cannot be used", detail: problem.description)
        }
    }

    static func classify(_ error: any Error) -> Classified {
        switch error {
        case let error as CatalogError:
            switch error {
            case .invalidQuery(let parameter, _):
                return Classified(status: .badRequest, title: "Invalid parameter", heading: "Something in that address isn't right",
                                  detail: error.description, parameter: parameter)
            case .productNotFound:
                return Classified(status: .notFound, title: "Product not found", heading: "We couldn't find that product",
                                  detail: "It may have been removed from our range. Try searching or browse an aisle.")
            case .aisleNotFound:
                return Classified(status: .notFound, title: "Aisle not found", heading: "We couldn't find that aisle",
                                  detail: "Pick one of our aisles below.")
            }
        case let error as AccountsError:
            switch error {
            case .invalidFields(let fields):
                return Classified(status: .unprocessableContent, title: "Invalid fields", heading: "Please check the form",
                                  detail: "Some fields are not valid.", fieldErrors: fields)
            case .emailTaken:
                return Classified(status: .conflict, title: "E-mail already registered", heading: "E-mail already registered", detail: error.description)
            case .wrongCredentials:
                return Classified(status: .unauthorized, title: "Wrong credentials", heading: "Sign-in failed", detail: error.description)
            case .notSignedIn:
                return Classified(status: .unauthorized, title: "Not signed in", heading: "Please sign in",
                                  detail: "This needs a valid session: sign in with POST /api/v1/sessions and send its token as a bearer token.")
            }
        case let error as PasswordHasher.Busy:
            return Classified(status: .serviceUnavailable, title: "Busy", heading: "Please try again in a moment", detail: error.description, retryAfter: 1)
        case let error as SignInThrottle.Locked:
            return Classified(status: .tooManyRequests, title: "Too many attempts", heading: "Too many attempts", detail: error.description,
                              retryAfter: error.retryAfter)
        case let error as StaffError:
            switch error {
            case .invalidFields(let fields):
                return Classified(status: .unprocessableContent, title: "Invalid fields", heading: "Please check the form",
                                  detail: "Some fields are not valid.", fieldErrors: fields)
            case .emailTaken:
                return Classified(status: .conflict, title: "E-mail already in use", heading: "E-mail already in use", detail: error.description)
            case .memberNotFound:
                return Classified(status: .notFound, title: "Not found", heading: "Not found", detail: error.description)
            case .lastOwner, .changedMeanwhile:
                return Classified(status: .conflict, title: "Conflict", heading: "That cannot be done", detail: error.description)
            case .notSignedIn:
                return Classified(status: .unauthorized, title: "Not signed in", heading: "Please sign in", detail: error.description)
            case .wrongCredentials, .oneTimeCodeRequired, .wrongOneTimeCode:
                return Classified(status: .unauthorized, title: "Sign-in failed", heading: "Sign-in failed", detail: error.description)
            case .forbidden:
                return Classified(status: .forbidden, title: "Forbidden", heading: "Not for your role", detail: error.description)
            }
        case let error as CartError:
            switch error {
            case .unknownProduct:
                return Classified(status: .notFound, title: "Product not found", heading: "That product is not available", detail: error.description)
            case .notInCart:
                return Classified(status: .notFound, title: "Not in cart", heading: "That product is not in your cart", detail: error.description)
            case .invalidSubstitute:
                return Classified(status: .unprocessableContent, title: "Not a substitute", heading: "That cannot stand in for it", detail: error.description)
            case .invalidQuantity, .invalidAmount:
                return Classified(status: .unprocessableContent, title: "Invalid quantity", heading: "Please check the quantity", detail: error.description)
            case .insufficientStock, .notEnoughLeft, .tooManyLines:
                return Classified(status: .conflict, title: "Not enough stock", heading: "We can't add that", detail: error.description)
            case .voucher(let problem):
                return classify(problem)
            }
        case let problem as VoucherProblem:
            return classify(problem)
        case let error as PromotionsError:
            switch error {
            case .invalidFields(let fields):
                return Classified(status: .unprocessableContent, title: "Invalid fields", heading: "Please check the form", detail: error.description,
                                  fieldErrors: fields)
            case .offerNotFound, .voucherNotFound:
                return Classified(status: .notFound, title: "Not found", heading: "Not found", detail: error.description)
            }
        case let error as ListsError:
            switch error {
            case .unknownProduct:
                return Classified(status: .notFound, title: "Product not found", heading: "That product is not available", detail: error.description)
            case .listNotFound:
                return Classified(status: .notFound, title: "List not found", heading: "We couldn't find that list", detail: error.description)
            case .invalidName, .invalidQuantity:
                return Classified(status: .unprocessableContent, title: "Invalid fields", heading: "Please check the form", detail: error.description)
            case .tooManyLists, .tooManyItems, .inStock:
                return Classified(status: .conflict, title: "That cannot be done", heading: "That cannot be done", detail: error.description)
            }
        case let error as CheckoutError:
            switch error {
            case .invalidFields(let fields):
                return Classified(status: .unprocessableContent, title: "Invalid fields", heading: "Please check the form",
                                  detail: "Some fields are not valid.", fieldErrors: fields)
            case .orderInvalid(let quote):
                return Classified(status: .conflict, title: "Order cannot be placed", heading: "Your order needs changes", detail: error.description,
                                  orderProblems: quote.problems.map {
                                      .init(code: $0.code.rawValue, productId: $0.productID?.publicString, message: $0.message)
                                  })
            case .paymentDeclined:
                return Classified(status: .paymentRequired, title: "Payment declined", heading: "Payment declined", detail: error.description)
            case .paymentFailed:
                return Classified(status: .badGateway, title: "Payment failed", heading: "Payment failed", detail: error.description)
            case .invalidIdempotencyKey:
                return Classified(status: .badRequest, title: "Idempotency key required", heading: "Bad request", detail: error.description)
            case .idempotencyKeyReused:
                return Classified(status: .unprocessableContent, title: "Idempotency key reused", heading: "Already used", detail: error.description)
            case .orderNotFound:
                return Classified(status: .notFound, title: "Order not found", heading: "We couldn't find that order", detail: error.description)
            case .slot(let slotError):
                return classify(slotError)
            case .voucher(let problem):
                return classify(problem)
            }
        case let error as SlotError:
            switch error {
            case .unknownSlot, .unknownPlace:
                return Classified(status: .notFound, title: "Slot not found", heading: "That slot is not available", detail: error.description)
            case .full, .closed, .noSlot, .outsideArea:
                return Classified(status: .conflict, title: "Slot unavailable", heading: "Please choose a slot", detail: error.description)
            case .invalid(let fields):
                return Classified(status: .unprocessableContent, title: "Invalid fields", heading: "Please check the form", detail: error.description,
                                  fieldErrors: fields)
            }
        case let error as CatalogueAdminError:
            switch error {
            case .productNotFound, .aisleNotFound:
                return Classified(status: .notFound, title: "Not found", heading: "Not found", detail: error.description)
            case .invalidFields(let fields):
                return Classified(status: .unprocessableContent, title: "Invalid fields", heading: "Please check the form", detail: error.description,
                                  fieldErrors: fields)
            case .stockWouldGoNegative, .changedMeanwhile:
                return Classified(status: .conflict, title: "Conflict", heading: "That cannot be done", detail: error.description)
            }
        case let error as FulfilmentError:
            switch error {
            case .orderNotFound:
                return Classified(status: .notFound, title: "Order not found", heading: "We couldn't find that order", detail: error.description)
            case .conflict:
                return Classified(status: .conflict, title: "Order has moved on", heading: "This order has moved on", detail: error.description)
            case .invalidPicks, .invalidRefund, .invalidNote:
                return Classified(status: .unprocessableContent, title: "Invalid request", heading: "That cannot be done", detail: error.description)
            }
        case let error as AmendmentError:
            switch error {
            case .closed, .changedMeanwhile:
                return Classified(status: .conflict, title: "Order cannot be changed", heading: "This order cannot be changed", detail: error.description)
            case .nothingLeft:
                return Classified(status: .unprocessableContent, title: "Nothing left", heading: "That would empty the order", detail: error.description)
            case .declined:
                return Classified(status: .paymentRequired, title: "Payment declined", heading: "Payment declined", detail: error.description)
            }
        case let error as WebError:
            switch error {
            case .csrfRejected:
                return Classified(status: .forbidden, title: "Forbidden", heading: "This form has expired", detail: error.description)
            case .formTooLarge:
                return Classified(status: .contentTooLarge, title: "Too large", heading: "That form was too large", detail: error.description)
            case .malformedForm:
                return Classified(status: .badRequest, title: "Bad request", heading: "That form could not be read", detail: error.description)
            case .rateLimited(let seconds):
                return Classified(status: .tooManyRequests, title: "Too many requests", heading: "Please slow down", detail: error.description,
                                  retryAfter: Int(seconds))
            }
        case let error as HTTPError where error.status == .notFound:
            return Classified(status: .notFound, title: "Not found", heading: "Sorry, we couldn't find that page",
                              detail: "The page may have moved, or the address may be mistyped.")
        case let error as any HTTPResponseError:
            let reason = error.status.reasonPhrase
            return Classified(status: error.status, title: reason, heading: reason,
                              detail: (error as? HTTPError)?.body ?? reason)
        default:
            return Classified(status: .internalServerError, title: "Internal error", heading: "Something went wrong on our side",
                              detail: "Please try again in a moment.")
        }
    }
}
