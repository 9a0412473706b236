/// Request-level refusals that are not about any one domain.
public enum WebError: Error, Equatable, CustomStringConvertible {
    /// A state-changing form arrived without a valid CSRF token.
    case csrfRejected
    /// A form body was larger than the shop accepts.
    case formTooLarge
    /// A multipart form body was not well-formed.
    case malformedForm

    public var description: String {
        switch self {
        case .csrfRejected: "This form has expired or did not come from this shop. Go back, reload the page and try again."
        case .formTooLarge: "The form was too large."
        case .malformedForm: "The form could not be read."
        }
    }
}
