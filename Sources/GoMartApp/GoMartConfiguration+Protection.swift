import Web

extension GoMartConfiguration {
    /// What keeps one client, or a crowd, from taking the shop down: rate limits, timeouts and
    /// caps on connections and on requests in flight.
    public struct Protection: Sendable {
        /// The limit of each route class per client (`GOMART_RATE_LIMITS=off` turns every one off;
        /// `GOMART_RATE_LIMIT_SIGN_IN=10/1m` and the like set one, or `off`).
        public var rateLimits = RateLimitPolicy.defaults
        /// The proxies whose `X-Forwarded-For` names the client (`GOMART_TRUSTED_PROXIES`, a
        /// comma-separated list of addresses and CIDR networks); none by default.
        public var trustedProxies = TrustedProxies()
        /// How long a client may take to send a request's head, from connecting or from the end of
        /// the previous answer (`GOMART_HEADER_TIMEOUT_SECONDS`).
        public var headerTimeoutSeconds = 10
        /// How long a client may take to send a request's body (`GOMART_BODY_TIMEOUT_SECONDS`).
        public var bodyTimeoutSeconds = 30
        /// How long a kept-alive connection may wait for its next request (`GOMART_IDLE_TIMEOUT_SECONDS`).
        public var idleTimeoutSeconds = 60
        /// The most open connections; beyond it, new ones get a quick 503 (`GOMART_MAX_CONNECTIONS`).
        public var maxConnections = 10_000
        /// The most requests handled at once; beyond it, a quick 503 (`GOMART_MAX_IN_FLIGHT`).
        public var maxRequestsInFlight = 2_048

        /// The defaults.
        public init() {}

        init(reading settings: SettingsReader) {
            if let text = settings.text("GOMART_RATE_LIMITS") {
                switch text.lowercased() {
                case "off": rateLimits = .off
                case "on": break
                default: settings.note("GOMART_RATE_LIMITS must be on or off, not '\(text)'")
                }
            }
            if !rateLimits.isOff {
                for routeClass in RouteClass.allCases {
                    guard let text = settings.text(routeClass.variable) else { continue }
                    if text.lowercased() == "off" {
                        rateLimits.limits[routeClass] = nil
                    } else if let limit = RateLimit(parsing: text) {
                        rateLimits.limits[routeClass] = limit
                    } else {
                        settings.note("\(routeClass.variable) must be REQUESTS/PERIOD with the period in s, m or h (e.g. 10/1m), or off; not '\(text)'")
                    }
                }
            }
            if let text = settings.text("GOMART_TRUSTED_PROXIES") {
                if let proxies = TrustedProxies(parsing: text) { trustedProxies = proxies } else {
                    settings.note("GOMART_TRUSTED_PROXIES must list IP addresses or CIDR networks separated by commas, not '\(text)'")
                }
            }
            headerTimeoutSeconds = settings.integer("GOMART_HEADER_TIMEOUT_SECONDS", default: headerTimeoutSeconds, range: 1...600)
            bodyTimeoutSeconds = settings.integer("GOMART_BODY_TIMEOUT_SECONDS", default: bodyTimeoutSeconds, range: 1...3_600)
            idleTimeoutSeconds = settings.integer("GOMART_IDLE_TIMEOUT_SECONDS", default: idleTimeoutSeconds, range: 1...3_600)
            maxConnections = settings.integer("GOMART_MAX_CONNECTIONS", default: maxConnections, range: 1...1_000_000)
            maxRequestsInFlight = settings.integer("GOMART_MAX_IN_FLIGHT", default: maxRequestsInFlight, range: 1...1_000_000)
        }
    }
}
