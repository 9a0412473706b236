import HTTPTypes

/// Entity tags (RFC 9110 §8.8.3) for conditional GETs.
public enum EntityTag {
    /// True when an `If-None-Match` header names `tag` (compared weakly, as GET requires) or is `*`.
    public static func matches(_ ifNoneMatch: String?, _ tag: String) -> Bool {
        guard let ifNoneMatch else { return false }
        // GET compares weakly: W/"x" and "x" match each other.
        let wanted = tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag
        for candidate in ifNoneMatch.split(separator: ",") {
            var value = candidate.trimmed(of: " \t")
            if value == "*" { return true }
            if value.hasPrefix("W/") { value.removeFirst(2) }
            if value == wanted { return true }
        }
        return false
    }
}

extension Substring {
    func trimmed(of characters: String) -> String {
        let set = Set(characters)
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
