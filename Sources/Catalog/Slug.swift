import Foundation

/// Makes URL names: lowercase ASCII letters and digits joined by single hyphens.
enum Slug {
    /// `"Fruit & Veg"` becomes `"fruit-veg"`; accents are folded (`"Crème"` → `"creme"`).
    static func make(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en_US_POSIX")).lowercased()
        var slug = ""
        var pendingHyphen = false
        for scalar in folded.unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                if pendingHyphen && !slug.isEmpty { slug.append("-") }
                slug.unicodeScalars.append(scalar)
                pendingHyphen = false
            } else {
                pendingHyphen = true
            }
        }
        return String(slug.prefix(100))
    }
}
