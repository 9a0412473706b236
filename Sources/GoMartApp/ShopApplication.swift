import HTTPTypes
import Hummingbird
import HummingbirdCore
import Listening
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// GoMart's HTTP application: Hummingbird's `Application` (its router, services and start-up
/// steps), served by ``ShopListener`` instead of the framework's server when it runs as a
/// service. The framework's test client still serves it through the framework's server.
struct ShopApplication<Responder: HTTPResponder>: ApplicationProtocol
where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
    private(set) var base: Application<Responder>
    /// The address to listen on.
    let host: String
    let port: Int
    /// Makes each connection's channel (HTTP/1, or HTTP/1 over TLS) around the responder.
    let connections: @Sendable (@escaping HTTPChannelHandler.Responder) throws -> any ServerChildChannel

    var responder: Responder { base.responder }
    var server: HTTPServerBuilder { base.server }
    var eventLoopGroup: any EventLoopGroup { base.eventLoopGroup }
    var configuration: ApplicationConfiguration { base.configuration }
    var logger: Logger { base.logger }
    var services: [any Service] { base.services }
    var processesRunBeforeServerStart: [@Sendable () async throws -> Void] { base.processesRunBeforeServerStart }

    @Sendable func onServerRunning(_ channel: any Channel) async {
        await base.onServerRunning(channel)
    }

    mutating func addServices(_ services: any Service...) {
        base.addServices(services)
    }

    mutating func beforeServerStarts(perform process: @escaping @Sendable () async throws -> Void) {
        base.beforeServerStarts(perform: process)
    }

    /// Runs the application's services and the listener; the start-up steps run first, and the
    /// listener opens once they succeed.
    func run() async throws {
        let respond = Self.respond(with: responder, serverName: configuration.serverName, logger: logger)
        let listener = Self.listener(for: try connections(respond), application: self)
        try await ServiceGroup(configuration: .init(services: services + [listener], logger: logger)).run()
    }

    private static func listener<Connection: ServerChildChannel>(for connection: Connection, application: Self) -> any Service {
        ShopListener(
            connection: connection, host: application.host, port: application.port, eventLoopGroup: application.eventLoopGroup,
            logger: application.logger, prelude: application.processesRunBeforeServerStart, onRunning: application.onServerRunning
        )
    }

    /// What the framework does per request: the request's logger and context, a bare 500 for an
    /// error that escaped every middleware, the `Date` and `Server` headers, one write.
    private static func respond(with responder: Responder, serverName: String?, logger: Logger) -> HTTPChannelHandler.Responder {
        let dates = HTTPDate()
        return { request, writer, channel in
            var logger = logger
            logger[metadataKey: "hb.request.id"] = .stringConvertible(RequestID())
            let context = Responder.Context(source: .init(channel: channel, logger: logger))
            var response: Response
            do {
                // In a child task of its own: a task keeps the memory its deepest call chain
                // needed until it ends, and a connection's task lives as long as the connection.
                // Run inline, 1,000 connections on the aisle page peaked at 132-134 MB resident;
                // in a child task, at 107-111 MB (about 25 KB less per connection).
                response = try await withThrowingTaskGroup(of: Response.self) { group in
                    group.addTask { try await responder.respond(to: request, context: context) }
                    guard let response = try await group.next() else { throw CancellationError() }
                    return response
                }
            } catch let error as HTTPParserError {
                throw error
            } catch {
                logger.debug("Unrecognised Error", metadata: ["error.type": "\(error)"])
                response = Response(status: .internalServerError, body: .init())
            }
            response.headers[.date] = dates.now()
            if let serverName { response.headers[.server] = serverName }
            do {
                try await writer.write(response: response.head, body: response.body)
            } catch is HTTPParserError {
                // Rethrown as is, the connection would answer the parse error a second time.
                throw ResponseNotWritten()
            }
        }
    }
}

