/// Why a staff operation was refused; controllers map these to 4xx answers.
public enum StaffError: Error, Equatable, CustomStringConvertible {
    /// Fields that are not acceptable, by field name.
    case invalidFields([String: String])
    /// A member of staff already has this e-mail.
    case emailTaken
    /// The e-mail and password do not match an enabled account.
    case wrongCredentials
    /// The member's role does not grant this.
    case forbidden(StaffPermission)
    /// The password was right; now the code from the authenticator app (or a recovery code) is needed.
    case oneTimeCodeRequired
    /// The code is not the current one, was used already, or is not an unused recovery code.
    case wrongOneTimeCode
    /// The request carries no valid staff session.
    case notSignedIn
    /// No such member of staff.
    case memberNotFound
    /// The change would leave the shop without an enabled owner.
    case lastOwner
    /// Someone else changed the member meanwhile.
    case changedMeanwhile

    public var description: String {
        switch self {
        case .invalidFields(let problems): problems.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        case .emailTaken: "A member of staff already has that e-mail address."
        case .wrongCredentials: "The e-mail or password is not right."
        case .forbidden(let permission): "Your role does not allow this (\(permission.rawValue))."
        case .oneTimeCodeRequired: "Enter the code from your authenticator app, or one of your recovery codes."
        case .wrongOneTimeCode: "That code is not right, or was used already."
        case .memberNotFound: "We could not find that member of staff."
        case .lastOwner: "The shop must keep at least one enabled owner."
        case .changedMeanwhile: "Someone else changed this member meanwhile; reload and try again."
        case .notSignedIn: "This needs a staff session: sign in with POST /api/v1/admin/sessions and send its token as a bearer token."
        }
    }
}
