import Foundation

/// Parses `application/x-www-form-urlencoded` text, as browsers send in query strings and forms.
public enum FormURLEncoded {
    /// Splits `text` into names and their values in order; `+` is a space and `%XX` is decoded.
    ///
    /// Malformed percent escapes are kept as written rather than rejected.
    public static func parse(_ text: String?) -> [String: [String]] {
        guard let text, !text.isEmpty else { return [:] }
        var result: [String: [String]] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            guard !name.isEmpty else { continue }
            let value = parts.count > 1 ? decode(parts[1]) : ""
            result[name, default: []].append(value)
        }
        return result
    }

    static func decode(_ component: Substring) -> String {
        let spaced = component.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
