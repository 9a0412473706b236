import Foundation
import HTTPTypes
import Synchronization

/// The kinds of request that get their own rate limit.
public enum RouteClass: String, CaseIterable, Sendable, Hashable {
    /// Signing in, shoppers and staff, pages and API.
    case signIn = "sign-in"
    /// Opening an account.
    case signUp = "sign-up"
    /// Changing or resetting a password.
    case password
    /// Placing and validating orders.
    case checkout
    /// Searching the catalogue.
    case search
    /// Every request to the JSON API.
    case api

    /// The variable that sets this class's limit: `GOMART_RATE_LIMIT_SIGN_IN`, …
    public var variable: String { "GOMART_RATE_LIMIT_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_") }

    /// The classes a request counts against: at most one specific class, plus ``api`` for
    /// anything under `/api/`.
    public static func classes(method: String, path: String, query: String?) -> [RouteClass] {
        let isAPI = path.hasPrefix("/api/")
        var classes: [RouteClass] = []
        switch (method, path) {
        case ("POST", "/account/sign-in"), ("POST", "/admin/sign-in"), ("POST", "/api/v1/sessions"), ("POST", "/api/v1/admin/sessions"):
            classes.append(.signIn)
        case ("POST", "/account/sign-up"), ("POST", "/api/v1/customers"):
            classes.append(.signUp)
        case ("POST", "/account/password"), ("PUT", "/api/v1/me/password"), ("POST", "/account/password/forgot"), ("POST", "/account/password/reset"):
            classes.append(.password)
        case ("POST", "/checkout"), ("POST", "/api/v1/orders"), ("POST", "/api/v1/orders/validate"):
            classes.append(.checkout)
        case ("GET", "/search"), ("HEAD", "/search"):
            classes.append(.search)
        case ("GET", "/api/v1/products") where query?.split(separator: "&").contains(where: { $0.hasPrefix("q=") }) == true:
            classes.append(.search)
        default:
            break
        }
        if isAPI { classes.append(.api) }
        return classes
    }
}

/// A limit: at most `requests` in any `period`, spent as a burst or spread out.
public struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    /// How many requests a full bucket holds.
    public var requests: Int
    /// How long an empty bucket takes to fill again.
    public var period: Duration

    /// Creates a limit.
    public init(requests: Int, per period: Duration) {
        self.requests = max(requests, 1)
        self.period = period
    }

    /// Reads `N/PERIOD`, the period a number of seconds, minutes or hours: `10/1m`, `600/60s`, `20/1h`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let requests = Int(parts[0]), requests > 0, requests <= 1_000_000,
              let unit = parts[1].last, let amount = Int(parts[1].dropLast()), amount > 0, amount <= 86_400 else { return nil }
        switch unit {
        case "s": self.init(requests: requests, per: .seconds(amount))
        case "m": self.init(requests: requests, per: .seconds(amount * 60))
        case "h": self.init(requests: requests, per: .seconds(amount * 3_600))
        default: return nil
        }
    }

    /// The period in whole seconds.
    public var periodSeconds: Int64 { period.components.seconds }

    public var description: String { "\(requests)/\(periodSeconds)s" }
}

/// Which limits apply: one per route class, or none at all.
public struct RateLimitPolicy: Sendable, Equatable {
    /// The limit of each class; a class without one is unlimited.
    public var limits: [RouteClass: RateLimit]

    /// Creates a policy.
    public init(limits: [RouteClass: RateLimit]) {
        self.limits = limits
    }

    /// The defaults, per client address: generous for a person, tight for a script.
    public static let defaults = RateLimitPolicy(limits: [
        .signIn: RateLimit(requests: 20, per: .seconds(60)),
        .signUp: RateLimit(requests: 20, per: .seconds(3_600)),
        .password: RateLimit(requests: 10, per: .seconds(900)),
        .checkout: RateLimit(requests: 60, per: .seconds(60)),
        .search: RateLimit(requests: 120, per: .seconds(60)),
        .api: RateLimit(requests: 1_200, per: .seconds(60)),
    ])

    /// No limits (benchmarks, tests of other things).
    public static let off = RateLimitPolicy(limits: [:])

    /// True when no class is limited.
    public var isOff: Bool { limits.isEmpty }
}

/// What a limiter decided about one request, with what the `RateLimit-*` headers report: the
/// tightest of the limits the request counted against.
public struct RateLimitDecision: Sendable, Equatable {
    /// Whether the request may go on.
    public var allowed: Bool
    /// The class whose limit is reported.
    public var routeClass: RouteClass
    /// That class's limit.
    public var limit: RateLimit
    /// Requests left before it refuses.
    public var remaining: Int
    /// Whole seconds until the bucket is full again (`RateLimit-Reset`).
    public var resetSeconds: Int64
    /// Whole seconds until a refused request would be accepted (`Retry-After`); zero when allowed.
    public var retryAfterSeconds: Int64

    /// The `RateLimit-*` headers.
    public var headers: [(name: HTTPField.Name, value: String)] {
        [
            (.rateLimitLimit, String(limit.requests)),
            (.rateLimitRemaining, String(remaining)),
            (.rateLimitReset, String(resetSeconds)),
            (.rateLimitPolicy, "\(limit.requests);w=\(limit.periodSeconds)"),
        ]
    }
}

/// Token buckets per (route class, client), kept in this process.
///
/// Each bucket is a generic cell rate algorithm: one instant per key, the time at which the
/// bucket would be full again, so a check is one dictionary read and write under the class's
/// lock. A key whose bucket is full holds no memory worth keeping: when a class reaches its
/// `capacity` keys, full buckets are dropped first, then the oldest half.
public final class RateLimiter: Sendable {
    private let policy: RateLimitPolicy
    private let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let buckets: [RouteClass: BucketTable]

    /// Creates a limiter; `now` is for tests.
    public init(policy: RateLimitPolicy, capacity: Int = 100_000, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.policy = policy
        self.capacity = max(capacity, 2)
        self.now = now
        var buckets: [RouteClass: BucketTable] = [:]
        for routeClass in policy.limits.keys { buckets[routeClass] = BucketTable() }
        self.buckets = buckets
    }

    /// True when no class is limited.
    public var isOff: Bool { policy.isOff }

    /// Spends one token of `key`'s bucket in each of `classes`, if every one of them has one;
    /// nil when none of the classes is limited. A refused request spends nothing.
    public func take(_ classes: [RouteClass], key: String) -> RateLimitDecision? {
        let instant = now()
        var tightest: RateLimitDecision?
        var admitted: [(RouteClass, Duration)] = []
        for routeClass in classes {
            guard let limit = policy.limits[routeClass], let bucket = buckets[routeClass] else { continue }
            let interval = limit.period / limit.requests
            let decision = bucket.keys.withLock { table -> RateLimitDecision in
                let full = max(table[key] ?? instant, instant)
                let after = full + interval
                let acceptsAt = after - limit.period
                guard acceptsAt <= instant else {
                    return RateLimitDecision(
                        allowed: false, routeClass: routeClass, limit: limit, remaining: 0,
                        resetSeconds: Self.ceilingSeconds(full - instant), retryAfterSeconds: max(Self.ceilingSeconds(acceptsAt - instant), 1)
                    )
                }
                if table[key] == nil && table.count >= capacity { evict(&table, at: instant) }
                table[key] = after
                let remaining = Int((limit.period - (after - instant)) / interval)
                return RateLimitDecision(
                    allowed: true, routeClass: routeClass, limit: limit, remaining: max(remaining, 0),
                    resetSeconds: Self.ceilingSeconds(after - instant), retryAfterSeconds: 0
                )
            }
            if decision.allowed { admitted.append((routeClass, interval)) }
            if let current = tightest, current.allowed && decision.allowed && current.remaining <= decision.remaining {
                // The earlier class stays the tightest.
            } else {
                tightest = decision
            }
            if !decision.allowed { break }
        }
        if let tightest, !tightest.allowed {
            // Give back what the classes before the refusing one spent.
            for (routeClass, interval) in admitted {
                buckets[routeClass]?.keys.withLock { table in
                    if let after = table[key] { table[key] = after - interval }
                }
            }
        }
        return tightest
    }

    /// One class's buckets: for each key, when its bucket is full again.
    private final class BucketTable: Sendable {
        let keys = Mutex<[String: ContinuousClock.Instant]>([:])
    }

    /// Drops full buckets; if that frees too little, the half that fills soonest.
    private func evict(_ table: inout [String: ContinuousClock.Instant], at instant: ContinuousClock.Instant) {
        table = table.filter { $0.value > instant }
        if table.count >= capacity {
            let keep = table.sorted { $0.value > $1.value }.prefix(capacity / 2)
            table = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }

    /// `duration` in whole seconds, rounded up.
    static func ceilingSeconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds + (attoseconds > 0 ? 1 : 0)
    }
}

extension HTTPField.Name {
    /// The IETF rate-limit headers (draft-ietf-httpapi-ratelimit-headers).
    static let rateLimitLimit = HTTPField.Name("RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("RateLimit-Reset")!
    static let rateLimitPolicy = HTTPField.Name("RateLimit-Policy")!
}
