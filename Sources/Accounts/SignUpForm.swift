import Foundation

/// What a shopper types to open an account.
public struct SignUpForm: Sendable, Codable, Equatable {
    public var name: String
    public var email: String
    public var password: String
    public var phone: String?

    /// Creates a form.
    public init(name: String, email: String, password: String, phone: String? = nil) {
        self.name = name
        self.email = email
        self.password = password
        self.phone = phone
    }

    /// The e-mail as stored and looked up: trimmed, NFKC and lower-cased.
    var normalisedEmail: String { EmailAddress.normalise(email) }
    var trimmedName: String { name.trimmingCharacters(in: .whitespacesAndNewlines) }
    var trimmedPhone: String? {
        let value = phone?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return value.isEmpty ? nil : value
    }

    /// Every problem with the form, keyed by field; empty when it is acceptable.
    func problems(policy: PasswordPolicy) -> [String: String] {
        var problems: [String: String] = [:]
        let name = trimmedName
        if name.isEmpty { problems["name"] = "Please tell us your name." }
        else if name.count > 100 { problems["name"] = "Your name must be at most 100 characters." }
        let email = normalisedEmail
        if EmailAddress.hasHiddenCharacters(self.email) || !Self.looksLikeEmail(email) {
            problems["email"] = "Please enter an e-mail address such as name@example.com."
        }
        if let reason = policy.problem(with: password) { problems["password"] = "Your password \(reason)." }
        if let phone = trimmedPhone {
            let digits = phone.filter(\.isNumber)
            let allowed = phone.allSatisfy { $0.isNumber || " +-()".contains($0) }
            if !allowed || digits.count < 7 || digits.count > 15 {
                problems["phone"] = "Please enter a phone number of 7 to 15 digits, or leave it empty."
            }
        }
        return problems
    }

    /// True when `email` has the shape of an address (one @, a dotted domain, no spaces).
    public static func looksLikeEmail(_ email: String) -> Bool {
        guard email.count <= 254, !email.contains(where: { $0.isWhitespace }) else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }
}
