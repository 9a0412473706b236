/// Checks addresses that forms ask to be sent back to after they finish.
public enum LocalPath {
    /// `value` if it is a path on this site (`/…`, not `//host` or `\`), else an empty string,
    /// so that no form can redirect a shopper to another site.
    ///
    /// Only visible ASCII is accepted: browsers drop tabs and line breaks from addresses, so
    /// `/<TAB>/evil.example/` would become `//evil.example/`, another site. Anything else a path
    /// needs arrives percent-encoded.
    public static func safe(_ value: String?) -> String {
        guard let value, value.count <= 200, value.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }),
              value.hasPrefix("/"), !value.hasPrefix("//"), !value.contains("\\")
        else { return "" }
        return value
    }
}
