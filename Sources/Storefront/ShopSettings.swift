import Web

/// What the storefront needs to know about the shop itself.
public struct ShopSettings: Sendable {
    /// The shop's name, shown in the header and titles.
    public var name: String
    /// The public base URL for canonical links, without a trailing slash.
    public var publicBaseURL: String
    /// Whether customers may choose text messages for their order's progress.
    public var sendsTextMessages = false

    /// Creates shop settings.
    public init(name: String = "GoMart", publicBaseURL: String) {
        self.name = name
        self.publicBaseURL = publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL
    }

    /// How cookies are named and written: Secure and prefixed when the public address is HTTPS.
    public var cookies: CookieSettings { CookieSettings(secure: publicBaseURL.lowercased().hasPrefix("https://")) }
}
