import Cart
import Catalog
import Accounts
import Foundation
import GoMartModels
import Logging
import Mail
import Pricing
import Slots
import Storage
import Telemetry

extension GoMartConfiguration {
    /// Where the shop listens, which parts of it run, and how it presents itself.
    public struct Server: Sendable {
        /// The address to listen on (`GOMART_HOST`); loopback by default.
        public var host = "127.0.0.1"
        /// The port to listen on (`GOMART_PORT`).
        public var port = 8080
        /// The shop's public address, used in canonical links (`GOMART_PUBLIC_URL`).
        public var publicBaseURL = "http://127.0.0.1:8080"
        /// The shop's name (`GOMART_SHOP_NAME`, at most 60 characters).
        public var shopName = "GoMart"
        /// Which parts of the shop this process runs (`GOMART_ROLE`).
        public var role = Role.all
        /// The address of the operations listener, which serves `/metrics` and the detailed
        /// readiness answer (`GOMART_ADMIN_HOST`); loopback by default, so only the machine's own
        /// monitoring reaches it.
        public var adminHost = "127.0.0.1"
        /// The operations listener's port (`GOMART_ADMIN_PORT`); nil (`off`) runs none.
        public var adminPort: Int? = 9180
        /// The PEM certificate chain and private key files (`GOMART_TLS_CERT`, `GOMART_TLS_KEY`,
        /// or `--tls-cert` and `--tls-key`): when set, the shop serves HTTPS itself.
        public var tls: (certificate: String, key: String)?
        /// Whether the operations listener offers the fault switch for alert drills
        /// (`GOMART_FAULT_SWITCH`, off by default): ``FaultSwitch``.
        public var faultSwitch = false

        /// The defaults.
        public init() {}

        init(reading settings: SettingsReader) {
            faultSwitch = settings.boolean("GOMART_FAULT_SWITCH", default: false)
            host = settings.text("GOMART_HOST") ?? host
            port = settings.integer("GOMART_PORT", default: port, range: 0...65535)
            let displayHost = host == "0.0.0.0" ? "127.0.0.1" : host
            switch (settings.text("GOMART_TLS_CERT"), settings.text("GOMART_TLS_KEY")) {
            case let (certificate?, key?): tls = (certificate, key)
            case (nil, nil): break
            default: settings.note("GOMART_TLS_CERT and GOMART_TLS_KEY (--tls-cert, --tls-key) go together: give both or neither")
            }
            publicBaseURL = "\(tls == nil ? "http" : "https")://\(displayHost):\(port)"
            if let publicURL = settings.text("GOMART_PUBLIC_URL") {
                if publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://") { publicBaseURL = publicURL } else {
                    settings.note("GOMART_PUBLIC_URL must start with http:// or https://")
                }
            }
            shopName = settings.text("GOMART_SHOP_NAME").map { String($0.prefix(60)) } ?? shopName
            role = settings.choice("GOMART_ROLE", default: role)
            adminHost = settings.text("GOMART_ADMIN_HOST") ?? adminHost
            if settings.text("GOMART_ADMIN_PORT")?.lowercased() == "off" {
                adminPort = nil
            } else {
                adminPort = settings.integer("GOMART_ADMIN_PORT", default: adminPort ?? 9180, range: 0...65535)
            }
        }

        /// Cookies get the `Secure` attribute when the shop's public address is HTTPS.
        public var secureCookies: Bool { publicBaseURL.hasPrefix("https://") }
    }

    /// Where the shop keeps its data.
    public struct Persistence: Sendable {
        /// Where the shop keeps its files (`GOMART_DATA_DIR`; the SQLite database by default).
        public var dataDirectory = "./data"
        /// The database to use (`GOMART_DATABASE_URL`, or `GOMART_DATABASE_URL_FILE`).
        public var databaseURL: DatabaseURL
        /// On PostgreSQL, the schema the shop's tables live in (`GOMART_DATABASE_SCHEMA`; default:
        /// the server's search path).
        public var databaseSchema: String?
        /// Whether `serve` applies pending migrations itself (`GOMART_AUTO_MIGRATE`). Off when the
        /// app's database role may not change the schema: then `gomart migrate` runs as the owner
        /// and `serve` refuses to start on a schema that is behind.
        public var autoMigrate = true
        /// Whether the first start of an empty database imports the demo catalogue (`GOMART_SEED_DEMO`).
        public var seedDemoCatalogue = true
        /// Whether that first start also sets up the demo offers and the `WELCOME5` voucher
        /// (`GOMART_SEED_DEMO_OFFERS`).
        public var seedDemoOffers = true

        /// The defaults, on `databaseURL`.
        public init(databaseURL: DatabaseURL) {
            self.databaseURL = databaseURL
        }

        init(reading settings: SettingsReader) {
            dataDirectory = settings.text("GOMART_DATA_DIR") ?? dataDirectory
            databaseURL = .sqliteFile(path: (dataDirectory as NSString).appendingPathComponent("gomart.sqlite"))
            if let text = settings.text("GOMART_DATABASE_URL") {
                do { databaseURL = try DatabaseURL(parsing: text) } catch { settings.note("GOMART_DATABASE_URL: \(error)") }
            }
            databaseSchema = settings.text("GOMART_DATABASE_SCHEMA")
            if let schema = databaseSchema, !(schema.count <= 63 && schema.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })) {
                settings.note("GOMART_DATABASE_SCHEMA must be a plain name of letters, digits and '_'")
            }
            autoMigrate = settings.boolean("GOMART_AUTO_MIGRATE", default: autoMigrate)
            seedDemoCatalogue = settings.boolean("GOMART_SEED_DEMO", default: seedDemoCatalogue)
            seedDemoOffers = settings.boolean("GOMART_SEED_DEMO_OFFERS", default: seedDemoOffers)
            readBackups(settings)
        }

        /// The path of the development key file.
        public var keyFilePath: String { (dataDirectory as NSString).appendingPathComponent("secret.key") }

        /// How often the worker takes a backup (`GOMART_BACKUP_INTERVAL`: `6h`, `90m`, or `off`);
        /// nil when off. SQLite only.
        public var backupIntervalMinutes: Int? = 360
        /// Where backups go (`GOMART_BACKUP_DIR`; default: `backups` in the data folder).
        public var backupDirectoryOverride: String?
        /// How many of the newest backups are kept, besides a daily one for a week and a weekly
        /// one for four weeks (`GOMART_BACKUP_KEEP`).
        public var backupKeep = 4
        /// The key that encrypts backups (`GOMART_BACKUP_KEY`, or `GOMART_BACKUP_KEY_FILE`); in
        /// development, `backup.key` in the data folder.
        public var backupKey: String?

        /// Where backups go.
        public var backupDirectory: String { backupDirectoryOverride ?? (dataDirectory as NSString).appendingPathComponent("backups") }
        /// The path of the development backup key file.
        public var backupKeyFilePath: String { (dataDirectory as NSString).appendingPathComponent("backup.key") }

        /// Reads the backup settings.
        mutating func readBackups(_ settings: SettingsReader) {
            if let text = settings.text("GOMART_BACKUP_INTERVAL") {
                if let minutes = Self.minutes(text) {
                    backupIntervalMinutes = minutes
                } else {
                    settings.note("GOMART_BACKUP_INTERVAL must be off or a time from 5m to 7d such as 6h or 90m, not '\(text)'")
                }
            }
            backupDirectoryOverride = settings.text("GOMART_BACKUP_DIR")
            backupKeep = settings.integer("GOMART_BACKUP_KEEP", default: backupKeep, range: 1...1_000)
            backupKey = settings.text("GOMART_BACKUP_KEY")
        }

        /// `off` is nil; `6h`, `90m`, `1d` are minutes (5 minutes to 7 days); anything else is invalid (nil, nil).
        static func minutes(_ text: String) -> Int?? {
            let text = text.lowercased()
            if text == "off" { return .some(nil) }
            guard let unit = text.last, let number = Int(text.dropLast()) else { return nil }
            let minutes: Int
            switch unit {
            case "m": minutes = number
            case "h": minutes = number * 60
            case "d": minutes = number * 1_440
            default: return nil
            }
            return (5...10_080).contains(minutes) ? .some(minutes) : nil
        }
    }

    /// The in-process caches.
    public struct Caches: Sendable {
        /// How long catalogue reads are cached (`GOMART_CACHE_TTL_SECONDS`); zero disables the cache.
        public var cacheTTLSeconds = 300
        /// The memory, in MiB, for rendered catalogue pages (`GOMART_PAGE_CACHE_MB`); zero renders
        /// every page afresh.
        public var pageCacheMegabytes = 24
        /// Whether each process caches shoppers' sessions and cart counts, kept exact across
        /// instances by the change feed (`GOMART_SHOPPER_CACHE`).
        public var shopperCache = true

        /// The defaults.
        public init() {}

        init(reading settings: SettingsReader) {
            cacheTTLSeconds = settings.integer("GOMART_CACHE_TTL_SECONDS", default: cacheTTLSeconds, range: 0...86_400)
            pageCacheMegabytes = settings.integer("GOMART_PAGE_CACHE_MB", default: pageCacheMegabytes, range: 0...4_096)
            shopperCache = settings.boolean("GOMART_SHOPPER_CACHE", default: shopperCache)
        }
    }

    /// Keys, passwords and sessions.
    public struct Accounts: Sendable {
        /// The base64 master key (`GOMART_SECRET_KEY`, or `GOMART_SECRET_KEY_FILE`); in development,
        /// nil means the key file in the data folder.
        public var secretKey: String?
        /// The bcrypt cost for new password hashes (`GOMART_BCRYPT_COST`, 12 or more outside tests).
        public var passwordHashCost: UInt8 = 12
        /// How repeated wrong passwords are slowed down and locked out (set in code, for tests).
        public var signInThrottle = SignInThrottle.Policy()
        /// How long a session lasts unused (`GOMART_SESSION_IDLE_SECONDS`).
        public var sessionIdleTimeoutSeconds = 7 * 86_400
        /// The longest a session lasts after sign-in (`GOMART_SESSION_MAX_SECONDS`).
        public var sessionAbsoluteTimeoutSeconds = 30 * 86_400

        /// The defaults.
        public init() {}

        init(reading settings: SettingsReader) {
            secretKey = settings.text("GOMART_SECRET_KEY")
            if let secretKey, Data(base64Encoded: secretKey)?.count != 32 {
                settings.note("GOMART_SECRET_KEY must be 32 random bytes in base64 (openssl rand -base64 32)")
            }
            passwordHashCost = UInt8(settings.integer("GOMART_BCRYPT_COST", default: Int(passwordHashCost), range: 12...16))
            sessionIdleTimeoutSeconds = settings.integer("GOMART_SESSION_IDLE_SECONDS", default: sessionIdleTimeoutSeconds, range: 60...(90 * 86_400))
            sessionAbsoluteTimeoutSeconds = settings.integer(
                "GOMART_SESSION_MAX_SECONDS", default: sessionAbsoluteTimeoutSeconds, range: 300...(365 * 86_400)
            )
        }
    }

    /// The currency, cart limits and delivery charges.
    public struct Shopping: Sendable {
        /// The currency catalogue prices are in (`GOMART_CURRENCY`).
        public var currency = Currency.gbp
        /// Cart limits and the pricing rules, in the shop's currency (`GOMART_MAX_QUANTITY_PER_LINE`,
        /// `GOMART_DELIVERY_FEE`, `GOMART_FREE_DELIVERY_FROM`, `GOMART_MINIMUM_ORDER`).
        public var cartPolicy = CartPolicy()

        /// The defaults.
        public init() {}

        init(reading settings: SettingsReader) {
            if let text = settings.text("GOMART_CURRENCY") {
                if let known = Currency(code: text) { currency = known } else {
                    settings.note("GOMART_CURRENCY must be one of \(Currency.known.map(\.code).joined(separator: ", ")), not '\(text)'")
                }
            }
            cartPolicy = CartPolicy(
                maximumQuantityPerLine: settings.integer("GOMART_MAX_QUANTITY_PER_LINE", default: 99, range: 1...999),
                deliveryFee: settings.money("GOMART_DELIVERY_FEE", default: 399, currency: currency),
                freeDeliveryThreshold: settings.money("GOMART_FREE_DELIVERY_FROM", default: 40_00, currency: currency),
                minimumOrder: settings.money("GOMART_MINIMUM_ORDER", default: 10_00, currency: currency)
            )
            cartPolicy.pricing.bagCharge = settings.money("GOMART_BAG_CHARGE", default: 0, currency: currency)
            cartPolicy.pricing.smallBasketCharge = settings.money("GOMART_SMALL_BASKET_CHARGE", default: 0, currency: currency)
            cartPolicy.pricing.smallBasketThreshold = settings.money("GOMART_SMALL_BASKET_UNDER", default: 0, currency: currency)
            cartPolicy.substitutes.priceBandPercent = settings.integer("GOMART_SUBSTITUTE_PRICE_BAND", default: 20, range: 0...100)
        }
    }

    /// Orders and payment.
    public struct Orders: Sendable {
        /// How long an order may wait for its payment before it is cancelled and its stock
        /// returned (`GOMART_PENDING_ORDER_TIMEOUT_SECONDS`).
        public var pendingOrderTimeoutSeconds = 900
        /// How long a capture or refund the provider has not confirmed waits before the worker asks
        /// again with the same key (`GOMART_PAYMENT_RETRY_AFTER_SECONDS`): long enough that one still
        /// in flight is not asked twice at once.
        public var paymentRetryAfterSeconds = 30
        /// How often the worker settles what a crash or a lost answer left half done: abandoned
        /// orders, unconfirmed refunds and captures, expiring authorisations
        /// (`GOMART_SETTLE_INTERVAL_SECONDS`). Its lease is held three rounds at most, so after a
        /// crash another worker takes over within three.
        public var settleIntervalSeconds = 60
        /// The card gateway (`GOMART_PAYMENT_PROVIDER`): `sandbox` (test mode, no real money) or
        /// `stripe` (`GOMART_STRIPE_SECRET_KEY`, and `GOMART_STRIPE_API_URL` for another address).
        public var paymentProvider = "sandbox"
        /// Stripe's secret key; a live key (`sk_live_…`) only in production.
        public var stripeSecretKey: String?
        /// Stripe's API address.
        public var stripeAPIURL = "https://api.stripe.com"
        /// The shop's time zone, in which slots are set up and shown (`GOMART_TIME_ZONE`, an IANA
        /// name such as `Europe/London`).
        public var timeZone = TimeZone(identifier: "Europe/London")!
        /// Whether orders need a booked slot once the shop offers slots (`GOMART_DELIVERY_SLOTS`:
        /// `required`, or `optional` for standard delivery at the flat charge without one).
        public var slotRequirement = SlotRequirement.required
        /// How long booking a slot holds it before an order must confirm it (`GOMART_SLOT_HOLD_MINUTES`).
        public var slotHoldMinutes = 120
        /// How many days ahead slots are generated and offered (`GOMART_SLOT_DAYS_AHEAD`).
        public var slotDaysAhead = 7
        /// The slots' clock: which days and windows are open, holds and cut-offs. The real one,
        /// except in tests that pin a day to compare whole pages.
        public var slotClock: @Sendable () -> Date = Date.init

        /// The defaults.
        public init() {}

        init(reading settings: SettingsReader, production: Bool) {
            paymentRetryAfterSeconds = settings.integer("GOMART_PAYMENT_RETRY_AFTER_SECONDS", default: paymentRetryAfterSeconds, range: 0...3_600)
            settleIntervalSeconds = settings.integer("GOMART_SETTLE_INTERVAL_SECONDS", default: settleIntervalSeconds, range: 1...3_600)
            pendingOrderTimeoutSeconds = settings.integer(
                "GOMART_PENDING_ORDER_TIMEOUT_SECONDS", default: pendingOrderTimeoutSeconds, range: 60...86_400
            )
            if let zone = settings.text("GOMART_TIME_ZONE") {
                if let known = TimeZone(identifier: zone) { timeZone = known } else {
                    settings.note("GOMART_TIME_ZONE must be a time zone name such as Europe/London, not '\(zone)'")
                }
            }
            if let text = settings.text("GOMART_DELIVERY_SLOTS")?.lowercased() {
                if let requirement = SlotRequirement(rawValue: text) { slotRequirement = requirement } else {
                    settings.note("GOMART_DELIVERY_SLOTS must be required or optional, not '\(text)'")
                }
            }
            slotHoldMinutes = settings.integer("GOMART_SLOT_HOLD_MINUTES", default: slotHoldMinutes, range: 5...(24 * 60))
            slotDaysAhead = settings.integer("GOMART_SLOT_DAYS_AHEAD", default: slotDaysAhead, range: 1...28)
            if let provider = settings.text("GOMART_PAYMENT_PROVIDER")?.lowercased() {
                if ["sandbox", "stripe"].contains(provider) { paymentProvider = provider } else {
                    settings.note("GOMART_PAYMENT_PROVIDER must be sandbox or stripe, not '\(provider)'")
                }
            }
            stripeSecretKey = settings.text("GOMART_STRIPE_SECRET_KEY")
            if let url = settings.text("GOMART_STRIPE_API_URL") { stripeAPIURL = url }
            if paymentProvider == "stripe" {
                if let key = stripeSecretKey {
                    if !(key.hasPrefix("sk_test_") || key.hasPrefix("sk_live_") || key.hasPrefix("rk_test_") || key.hasPrefix("rk_live_")) {
                        settings.note("GOMART_STRIPE_SECRET_KEY must be a Stripe secret key (sk_test_… or sk_live_…)")
                    } else if key.contains("_live_") && !production {
                        settings.note("GOMART_STRIPE_SECRET_KEY is a live key: live keys are used only with GOMART_ENV=production")
                    }
                } else {
                    settings.note("GOMART_STRIPE_SECRET_KEY is required with GOMART_PAYMENT_PROVIDER=stripe")
                }
            }
        }
    }

    /// Messages to customers: how e-mail leaves the shop, retries, and e-mail verification.
    public struct Messaging: Sendable {
        /// The SMTP server (`GOMART_SMTP_URL`, e.g. `smtp://user:pass@host:587?starttls=required`);
        /// nil keeps every e-mail in the Maildir folder `mail/` of the data directory instead
        /// (development only: production requires a server).
        public var smtpURL: String?
        /// The sender of e-mails (`GOMART_MAIL_FROM`: `Name <address>` or an address).
        public var mailFrom = "GoMart <no-reply@localhost>"
        /// Attempts before a message is given up on (`GOMART_NOTIFY_ATTEMPTS`).
        public var attempts = 8
        /// The first retry's delay, doubled for each next one (`GOMART_NOTIFY_RETRY_SECONDS`).
        public var retrySeconds = 30
        /// How long a worker holds a message it is sending before another may take it
        /// (`GOMART_NOTIFY_LEASE_SECONDS`).
        public var leaseSeconds = 120
        /// A Twilio-style SMS API (`GOMART_SMS_URL`, e.g. `https://api.twilio.com/2010-04-01`),
        /// with `GOMART_SMS_ACCOUNT`, `GOMART_SMS_TOKEN` (or `GOMART_SMS_TOKEN_FILE`) and the
        /// sender `GOMART_SMS_FROM`, all four or none. Without it, development records texts in
        /// `sms.jsonl` in the data directory (the sandbox), and production sends none.
        public var sms: (url: String, account: String, token: String, from: String)?
        /// Texts are recorded by the sandbox instead of sent (development without an SMS API).
        public var smsSandbox = false
        /// Whether customers may choose text messages.
        public var smsAvailable: Bool { sms != nil || smsSandbox }

        /// Whether webhooks may go to loopback and private addresses (`GOMART_WEBHOOK_ALLOW_PRIVATE`,
        /// off): by default an endpoint on the shop's own machine or network is refused (SSRF).
        public var webhookAllowPrivate = false
        /// Failed deliveries in a row before an endpoint is turned off (`GOMART_WEBHOOK_DISABLE_AFTER`).
        public var webhookDisableAfter = 15

        /// Whether a new account must confirm its e-mail before it can sign in
        /// (`GOMART_EMAIL_VERIFICATION`: `required` or `off`; required in production). With it,
        /// sign-up answers the same whether or not the e-mail already has an account.
        public var requireEmailVerification = false

        /// The defaults.
        public init() {}

        init(reading settings: SettingsReader, production: Bool) {
            smtpURL = settings.text("GOMART_SMTP_URL")
            if let smtpURL {
                do { _ = try SMTPSettings(url: smtpURL) } catch { settings.note("\(error)") }
            }
            mailFrom = settings.text("GOMART_MAIL_FROM") ?? mailFrom
            if MailAddress(parsing: mailFrom) == nil { settings.note("GOMART_MAIL_FROM must be an address or Name <address>, not '\(mailFrom)'") }
            attempts = settings.integer("GOMART_NOTIFY_ATTEMPTS", default: attempts, range: 1...50)
            retrySeconds = settings.integer("GOMART_NOTIFY_RETRY_SECONDS", default: retrySeconds, range: 1...86_400)
            leaseSeconds = settings.integer("GOMART_NOTIFY_LEASE_SECONDS", default: leaseSeconds, range: 5...86_400)
            let smsParts = ["GOMART_SMS_URL", "GOMART_SMS_ACCOUNT", "GOMART_SMS_TOKEN", "GOMART_SMS_FROM"].map { settings.text($0) }
            if let url = smsParts[0], let account = smsParts[1], let token = smsParts[2], let from = smsParts[3] {
                if url.hasPrefix("https://") || url.hasPrefix("http://") { sms = (url, account, token, from) } else {
                    settings.note("GOMART_SMS_URL must start with https:// or http://")
                }
            } else if smsParts.contains(where: { $0 != nil }) {
                settings.note("GOMART_SMS_URL, GOMART_SMS_ACCOUNT, GOMART_SMS_TOKEN and GOMART_SMS_FROM go together: give all four or none")
            }
            smsSandbox = sms == nil && !production
            webhookAllowPrivate = settings.boolean("GOMART_WEBHOOK_ALLOW_PRIVATE", default: false)
            webhookDisableAfter = settings.integer("GOMART_WEBHOOK_DISABLE_AFTER", default: webhookDisableAfter, range: 1...1_000)
            switch settings.text("GOMART_EMAIL_VERIFICATION")?.lowercased() {
            case nil: requireEmailVerification = production
            case "required": requireEmailVerification = true
            case "off": requireEmailVerification = false
            case let other?: settings.note("GOMART_EMAIL_VERIFICATION must be required or off, not '\(other)'")
            }
        }
    }

    /// The recommendation model: where it lives, who serves it, when it is retrained.
    public struct Recommendations: Sendable {
        /// How often the web role looks for a newer model.
        public var modelCheckIntervalSeconds = 10
        /// The model store (`GOMART_MODEL_DIR`); nil means `models/` in the data folder.
        public var modelDirectoryOverride: String?
        /// The recommender role's address (`GOMART_RECOMMENDER_URL`); nil: the model runs in this process.
        public var recommenderURL: String?
        /// How long a call to the recommender role may take before the shop falls back to
        /// popularity (`GOMART_RECOMMENDER_TIMEOUT_MS`).
        public var recommenderTimeoutMilliseconds = 250
        /// When the worker retrains the model (`GOMART_RETRAIN_AT`): nightly by default.
        public var retrainSchedule = RetrainSchedule.nightly

        /// The defaults.
        public init() {}

        init(reading settings: SettingsReader) {
            modelDirectoryOverride = settings.text("GOMART_MODEL_DIR")
            recommenderURL = settings.httpAddress("GOMART_RECOMMENDER_URL")
            recommenderTimeoutMilliseconds = settings.integer(
                "GOMART_RECOMMENDER_TIMEOUT_MS", default: recommenderTimeoutMilliseconds, range: 10...10_000
            )
            if let text = settings.text("GOMART_RETRAIN_AT") {
                if let parsed = RetrainSchedule(parsing: text) { retrainSchedule = parsed } else {
                    settings.note("GOMART_RETRAIN_AT must be a time of day HH:MM (UTC) or off, not '\(text)'")
                }
            }
        }
    }

    /// How the shop logs, and where its traces go.
    public struct Logs: Sendable {
        /// The log level (`GOMART_LOG_LEVEL`).
        public var level = Logger.Level.info
        /// How log lines look (`GOMART_LOG_FORMAT`); nil: text on a terminal, JSON lines otherwise.
        public var format: LogFormat?
        /// The OpenTelemetry collector's OTLP/HTTP address (`GOMART_OTLP_ENDPOINT`, e.g.
        /// `http://127.0.0.1:4318`); nil: no traces are recorded.
        public var otlpEndpoint: String?

        /// The defaults.
        public init() {}

        init(reading settings: SettingsReader) {
            if let text = settings.text("GOMART_LOG_LEVEL") {
                if let parsed = Logger.Level(rawValue: text.lowercased()) { level = parsed } else {
                    settings.note("GOMART_LOG_LEVEL must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
                }
            }
            if settings.text("GOMART_LOG_FORMAT") != nil {
                format = settings.choice("GOMART_LOG_FORMAT", default: LogFormat.json)
            }
            otlpEndpoint = settings.httpAddress("GOMART_OTLP_ENDPOINT")
        }
    }
}
