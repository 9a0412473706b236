import Foundation

/// How long sessions last.
public struct SessionPolicy: Sendable {
    /// A session unused for this long ends.
    public var idleTimeout: TimeInterval
    /// A session ends this long after sign-in, however active.
    public var absoluteTimeout: TimeInterval
    /// `last_seen_at` is written at most this often, to spare the database a write per request.
    public var touchInterval: TimeInterval

    /// Creates a policy; the defaults suit a shop: 7 days idle, 30 days at most.
    public init(idleTimeout: TimeInterval = 7 * 86_400, absoluteTimeout: TimeInterval = 30 * 86_400, touchInterval: TimeInterval = 300) {
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
        self.touchInterval = touchInterval
    }
}
