/// Request-level refusals that are not about any one domain.
public enum WebError: Error, Equatable, CustomStringConvertible {
    /// A state-changing form arrived without a valid CSRF token.
    case csrfRejected
    /// A form body was larger than the shop accepts.
    case formTooLarge
    /// A multipart form body was not well-formed.
    case malformedForm
    /// The client sent more requests of a kind than its rate limit allows.
    case rateLimited(retryAfterSeconds: Int64)

    public var description: String {
        switch self {
        case .csrfRejected: "This form has expired or did not come from this shop. Go back, reload the page and try again."
        case .formTooLarge: "The form was too large."
        case .malformedForm: "The form could not be read."
        case .rateLimited(let seconds):
            "Too many requests of this kind from your connection. Please wait \(seconds) second\(seconds == 1 ? "" : "s") and try again."
        }
    }
}
