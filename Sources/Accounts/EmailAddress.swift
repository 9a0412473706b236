import Foundation

/// E-mail addresses as accounts store and look them up.
public enum EmailAddress {
    /// `text` trimmed, in Unicode compatibility form (NFKC) and lower case, so that look-alike
    /// spellings of one address are one address.
    public static func normalise(_ text: String) -> String {
        text.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// True when `text` holds a control or invisible formatting character (a NUL, a zero-width
    /// space, a direction mark): such an address could pass for another one, so it is refused.
    public static func hasHiddenCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .privateUse, .unassigned, .surrogate, .lineSeparator, .paragraphSeparator: true
            default: false
            }
        }
    }
}
