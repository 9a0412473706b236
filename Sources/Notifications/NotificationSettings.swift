import Mail

/// How the notifications worker sends: who from, how often it retries, how long a claim lasts.
public struct NotificationSettings: Sendable {
    /// The shop's name, in every message.
    public var shopName: String
    /// The shop's public address, for links (no trailing slash).
    public var publicURL: String
    /// The sender of e-mails (`GOMART_MAIL_FROM`).
    public var from: MailAddress
    /// Attempts before a message is dead (`GOMART_NOTIFY_ATTEMPTS`).
    public var maxAttempts = 8
    /// The first retry's delay; each next one doubles, up to ``retryCapSeconds``, with jitter
    /// (`GOMART_NOTIFY_RETRY_SECONDS`).
    public var retryBaseSeconds: Int64 = 30
    /// The longest delay between two attempts.
    public var retryCapSeconds: Int64 = 3_600
    /// How long a worker holds a claimed message before another may take it (a worker killed
    /// mid-send) (`GOMART_NOTIFY_LEASE_SECONDS`).
    public var leaseSeconds: Int64 = 120
    /// How often an idle worker looks for new events.
    public var pollInterval: Duration = .seconds(1)
    /// Messages claimed and sent side by side in one round.
    public var batchSize = 20

    public init(shopName: String, publicURL: String, from: MailAddress) {
        self.shopName = shopName
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.from = from
    }

    /// The host of the public address, for message ids.
    public var host: String {
        let rest = publicURL.split(separator: "://", maxSplits: 1).last.map(String.init) ?? publicURL
        return String(rest.prefix { $0 != "/" && $0 != ":" })
    }
}
