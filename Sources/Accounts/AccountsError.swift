/// What can go wrong with accounts and sessions; controllers map these to 4xx answers.
public enum AccountsError: Error, Equatable, CustomStringConvertible {
    /// One or more sign-up fields are invalid, keyed by field name.
    case invalidFields([String: String])
    /// An account with this e-mail already exists.
    case emailTaken
    /// The e-mail or password is wrong (deliberately not saying which).
    case wrongCredentials
    /// No valid session: missing, expired or signed out.
    case notSignedIn

    public var description: String {
        switch self {
        case .invalidFields(let fields):
            fields.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        case .emailTaken: "An account with this e-mail address already exists. Sign in instead."
        case .wrongCredentials: "The e-mail address or password is not right."
        case .notSignedIn: "Please sign in to continue."
        }
    }
}
