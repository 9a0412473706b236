import API
import Catalog
import Hummingbird
import Logging
import Storefront

/// Turns every error into a clear answer: problem+json under `/api/`, an HTML page elsewhere.
///
/// Domain errors are mapped to status codes here, in one place; anything unexpected is logged
/// and answered with a 500 that reveals nothing internal.
struct ErrorResponseMiddleware<Context: RequestContext>: RouterMiddleware {
    let storefront: StorefrontController<Context>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Self.classify(error)
            if problem.status.code >= 500 {
                context.logger.error("unhandled error", metadata: ["error": "\(error)"])
            }
            let path = request.uri.path
            if path.hasPrefix("/api/") {
                return ProblemDetails(
                    title: problem.title, status: Int(problem.status.code), detail: problem.detail,
                    instance: path, parameter: problem.parameter
                ).response()
            }
            return await storefront.errorPage(status: problem.status, heading: problem.heading, message: problem.detail)
        }
    }

    struct Classified {
        var status: HTTPResponse.Status
        var title: String
        var heading: String
        var detail: String
        var parameter: String?
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
