import Foundation
import HummingbirdCore
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle
import Synchronization

/// How the shop's listener takes new connections.
///
/// The framework's own server hands accepted connections to one accepting task through an async
/// sequence that buffers 10 of them and accepts 4 per read. Under load that task waits its turn
/// on the cooperative pool behind every request in flight, so a burst of new connections waits
/// in the kernel's queue. Against a bare Hummingbird app serving one page at 1,000 connections
/// that was a p99 of 0.7–2.0 s against 58–72 ms with these figures (bench/RESULTS.md, issue 14).
public enum AcceptSettings {
    /// The kernel's queue of connections not yet accepted (capped by `net.core.somaxconn`): a
    /// burst of a thousand new visitors fits instead of having their SYNs dropped and retried a
    /// second later.
    public static let backlog: Int32 = 1024
    /// Connections accepted per readiness event of the listening socket.
    public static let acceptsPerRead: UInt = 64
    /// Accepted connections buffered for the accepting task: reading stops above the high mark
    /// and starts again below the low one.
    public static let buffered = NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark(lowWatermark: 256, highWatermark: 1024)
}

/// A response that could not be written; the connection closes.
public struct ResponseNotWritten: Error {
    public init() {}
}

/// The listening socket and its accept loop: each accepted connection is served by its own
/// child task until it closes. On graceful shutdown it stops accepting, asks open connections
/// to close after their request in flight, and returns once they have.
public struct ShopListener<Connection: ServerChildChannel>: Service {
    let connection: Connection
    let host: String
    let port: Int
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    /// Steps that must succeed before the socket opens (migrations, the first-run seed).
    let prelude: [@Sendable () async throws -> Void]
    let onRunning: @Sendable (any Channel) async -> Void

    public init(
        connection: Connection, host: String, port: Int, eventLoopGroup: any EventLoopGroup, logger: Logger,
        prelude: [@Sendable () async throws -> Void] = [], onRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) {
        self.connection = connection
        self.host = host
        self.port = port
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.prelude = prelude
        self.onRunning = onRunning
    }

    public func run() async throws {
        for step in prelude {
            try await step()
        }
        let quiescing = ServerQuiescingHelper(group: eventLoopGroup)
        let (connection, logger) = (self.connection, self.logger)
        let server = try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(ChannelOptions.backlog, value: AcceptSettings.backlog)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.maxMessagesPerRead, value: AcceptSettings.acceptsPerRead)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .bind(host: host, port: port, serverBackPressureStrategy: AcceptSettings.buffered) { channel in
                connection.setup(channel: channel, logger: logger)
            }
        logger.info("Server started and listening on \(host):\(server.channel.localAddress?.port ?? port)")
        await withGracefulShutdownHandler {
            await onRunning(server.channel)
            await withDiscardingTaskGroup { group in
                do {
                    try await server.executeThenClose { inbound in
                        for try await accepted in inbound {
                            group.addTask { await connection.handle(value: accepted, logger: logger) }
                        }
                    }
                } catch {
                    logger.error("the listening socket failed", metadata: ["error": "\(error)"])
                }
            }
        } onGracefulShutdown: {
            quiescing.initiateShutdown(promise: nil)
        }
    }
}

/// The `Date` header's value (RFC 9110's IMF-fixdate), formatted once a second.
public final class HTTPDate: Sendable {
    private let cached = Mutex<(second: Int, text: String)>((-1, ""))

    public init() {}

    public func now() -> String {
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        let second = clock.tv_sec
        return cached.withLock { cache in
            if cache.second != second {
                cache = (second, Self.format(second))
            }
            return cache.text
        }
    }

    public static func format(_ second: Int) -> String {
        var time = time_t(second)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
