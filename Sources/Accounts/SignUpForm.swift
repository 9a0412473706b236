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
    /// The phone number, if one was given: a value with no digit at all counts as none.
    var trimmedPhone: String? {
        guard let phone, phone.contains(where: Self.isPhoneDigit) else { return nil }
        return phone.trimmingCharacters(in: .whitespaces)
    }

    static func isPhoneDigit(_ character: Character) -> Bool { character.isASCII && character.isNumber }

    /// Every problem with the form, keyed by field; empty when it is acceptable.
    func problems(policy: PasswordPolicy) -> [String: String] {
        var problems: [String: String] = [:]
        let name = trimmedName
        if name.isEmpty { problems["name"] = "Please tell us your name." }
        else if self.name.unicodeScalars.count > 100 { problems["name"] = "Your name must be at most 100 characters." }
        let email = normalisedEmail
        if EmailAddress.hasHiddenCharacters(self.email) || !Self.looksLikeEmail(email) {
            problems["email"] = "Please enter an e-mail address such as name@example.com."
        }
        if let reason = policy.problem(with: password) { problems["password"] = "Your password \(reason)." }
        if let phone {
            // Digits 0-9 and the separators people type; 7 to 15 digits, or none at all.
            let digits = phone.filter(Self.isPhoneDigit).count
            let allowed = phone.allSatisfy { Self.isPhoneDigit($0) || " +-()".contains($0) }
            if !allowed || phone.unicodeScalars.count > 20 || digits > 0 && !(7...15).contains(digits) {
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
