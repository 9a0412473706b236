import HTTPTypes
import Hummingbird
import Metrics
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Synchronization

/// The server's limits on connections, shared by every connection's ``ConnectionGuard``.
final class ConnectionLimits: Sendable {
    /// How long a client may take to send a request's head on a new connection.
    let headerTimeout: TimeAmount
    /// How long a client may take to send a request's body, from its head.
    let bodyTimeout: TimeAmount
    /// How long a kept-alive connection may wait for the next request's head.
    let idleTimeout: TimeAmount
    /// The most connections open at once.
    let maxConnections: Int
    private let open = Atomic<Int>(0)
    private let openGauge = Gauge(label: "gomart_http_connections")
    /// Connections the server closed, by reason.
    private let closedCounters = Dictionary(uniqueKeysWithValues: ["header-timeout", "body-timeout", "idle", "over-capacity"].map {
        ($0, Counter(label: "gomart_http_connections_closed_total", dimensions: [("reason", $0)]))
    })

    init(headerTimeout: Duration, bodyTimeout: Duration, idleTimeout: Duration, maxConnections: Int) {
        self.headerTimeout = TimeAmount(headerTimeout)
        self.bodyTimeout = TimeAmount(bodyTimeout)
        self.idleTimeout = TimeAmount(idleTimeout)
        self.maxConnections = maxConnections
    }

    /// Counts a new connection; false when it is one too many.
    func opened() -> Bool {
        let count = open.wrappingAdd(1, ordering: .relaxed).newValue
        openGauge.record(count)
        return count <= maxConnections
    }

    /// Counts a closed connection.
    func closed() {
        openGauge.record(open.wrappingSubtract(1, ordering: .relaxed).newValue)
    }

    /// Counts a connection the server closed, and why (`header-timeout`, `body-timeout`, `idle`, `over-capacity`).
    func closedByServer(_ reason: String) {
        closedCounters[reason]?.increment()
    }
}

/// The client closed the connection before its request was complete: logged as 499, never 500.
struct ClientClosedRequest: HTTPResponseError {
    var status: HTTPResponse.Status { .init(code: 499, reasonPhrase: "Client Closed Request") }
    func response(from request: Request, context: some RequestContext) throws -> Response { Response(status: status) }
}

/// The client took longer than the body timeout to send its request's body: 408.
struct RequestBodyTimedOut: HTTPResponseError {
    var status: HTTPResponse.Status { .requestTimeout }
    func response(from request: Request, context: some RequestContext) throws -> Response { Response(status: status) }
}

/// Guards one connection against clients that hold it without using it (slowloris):
///
/// - the first request's head must arrive within the header timeout of connecting, and each
///   next one within the idle timeout of the previous answer, or the connection is closed;
/// - a body must arrive within the body timeout of its head, or the request fails with 408 and
///   the connection is closed;
/// - beyond the connection cap, a connection's first request gets a quick 503 with
///   `Retry-After: 1` and the connection is closed;
/// - a client that hangs up mid-body shows up as ``ClientClosedRequest`` (499), not as a parser
///   error.
///
/// It sits after the HTTP decoder, so it sees whole heads and body parts; the time the shop
/// takes to answer is not limited here.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        case awaitingHead
        case readingBody
        case answering
        case refusing
    }

    private let limits: ConnectionLimits
    private var state = State.awaitingHead
    private var counted = false
    private var overCapacity = false
    private var deadline: Scheduled<Void>?

    init(limits: ConnectionLimits) {
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !counted else { return }
        counted = true
        overCapacity = !limits.opened()
        schedule(context, after: limits.headerTimeout, reason: "header-timeout")
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if counted {
            counted = false
            limits.closed()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if state == .readingBody {
            // The client hung up mid-body: the request fails as theirs, not the shop's.
            context.fireErrorCaught(ClientClosedRequest())
        }
        if counted {
            counted = false
            limits.closed()
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head:
            deadline?.cancel()
            if overCapacity {
                refuse(context)
                return
            }
            state = .readingBody
            schedule(context, after: limits.bodyTimeout, reason: "body-timeout")
        case .body:
            if state == .refusing { return }
        case .end:
            if state == .refusing { return }
            deadline?.cancel()
            deadline = nil
            state = .answering
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), state == .answering {
            state = .awaitingHead
            schedule(context, after: limits.idleTimeout, reason: "idle")
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The decoder reports a connection closed mid-request as a parsing error.
        if let parserError = error as? HTTPParserError, parserError == .invalidEOFState {
            context.fireErrorCaught(ClientClosedRequest())
            return
        }
        context.fireErrorCaught(error)
    }

    /// Answers 503 at once and closes: the connection cap is reached.
    private func refuse(_ context: ChannelHandlerContext) {
        state = .refusing
        limits.closedByServer("over-capacity")
        let body = ByteBuffer(string: "The shop is very busy. Please try again in a moment.\n")
        var fields = HTTPFields()
        fields[.retryAfter] = "1"
        fields[.connection] = "close"
        fields[.contentType] = "text/plain; charset=utf-8"
        fields[.contentLength] = String(body.readableBytes)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .serviceUnavailable, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Closes the connection unless the next step happens within `delay`.
    private func schedule(_ context: ChannelHandlerContext, after delay: TimeAmount, reason: String) {
        deadline?.cancel()
        let loop = context.eventLoop.assumeIsolated()
        deadline = loop.scheduleTask(in: delay) { [self] in
            deadline = nil
            limits.closedByServer(reason)
            if state == .readingBody {
                context.fireErrorCaught(RequestBodyTimedOut())
            }
            context.close(promise: nil)
        }
    }
}
