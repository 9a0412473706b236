import Foundation
import Web

/// What the storefront needs to know about the shop itself.
public struct ShopSettings: Sendable {
    /// The shop's name, shown in the header and titles.
    public var name: String
    /// The public base URL for canonical links, without a trailing slash.
    public var publicBaseURL: String
    /// Whether customers may choose text messages for their order's progress.
    public var sendsTextMessages = false
    /// The shop's time zone, for the days shoppers read (an offer's last day).
    public var timeZone = TimeZone(identifier: "Europe/London")!

    /// Creates shop settings.
    public init(name: String = "GoMart", publicBaseURL: String) {
        self.name = name
        self.publicBaseURL = publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL
    }

    /// `date` as shoppers read a day in the shop's time zone, e.g. "Tuesday 8 December" (with
    /// the year when it is not this year's).
    public func day(_ date: Date, now: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        formatter.dateFormat = calendar.component(.year, from: date) == calendar.component(.year, from: now) ? "EEEE d MMMM" : "EEEE d MMMM yyyy"
        return formatter.string(from: date)
    }

    /// How cookies are named and written: Secure and prefixed when the public address is HTTPS.
    public var cookies: CookieSettings { CookieSettings(secure: publicBaseURL.lowercased().hasPrefix("https://")) }
}
