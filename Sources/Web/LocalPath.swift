/// Checks addresses that forms ask to be sent back to after they finish.
public enum LocalPath {
    /// `value` if it is a path on this site (`/…`, not `//host` or `\`), else an empty string,
    /// so that no form can redirect a shopper to another site.
    public static func safe(_ value: String?) -> String {
        guard let value, value.hasPrefix("/"), !value.hasPrefix("//"), !value.contains("\\"), value.count <= 200,
              !value.contains(where: { $0.isNewline || $0 == "\r" })
        else { return "" }
        return value
    }
}
