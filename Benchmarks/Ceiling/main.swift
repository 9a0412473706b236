// The framework's ceiling for bench/run: a bare Hummingbird server (no middleware, default
// configuration) answering every GET with one file's bytes from memory, with the headers the
// shop sends on a cached page. GoMart's rows are compared with it and with nginx.
//
// Usage: hummingbird-ceiling FILE PORT
import Foundation
import Hummingbird
import HummingbirdCore
import Listening
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

let arguments = CommandLine.arguments
guard arguments.count == 3, let bytes = FileManager.default.contents(atPath: arguments[1]), let port = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: hummingbird-ceiling FILE PORT\n".utf8))
    exit(64)
}
let page = ByteBuffer(bytes: bytes)
let headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "private, no-cache"]
let router = Router()
router.get("**") { _, _ in Response(status: .ok, headers: headers, body: .init(byteBuffer: page)) }
// The listen backlog: the framework's default unless CEILING_BACKLOG says otherwise (to compare).
let backlog = ProcessInfo.processInfo.environment["CEILING_BACKLOG"].flatMap { Int($0) } ?? 256
// CEILING_EVENT_LOOP_EXECUTOR=1 runs Swift Concurrency's tasks on NIO's event loops (no hop
// between the event loops and the cooperative pool on every request), to compare.
if ProcessInfo.processInfo.environment["CEILING_EVENT_LOOP_EXECUTOR"] == "1" {
    guard NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() else {
        FileHandle.standardError.write(Data("could not install the event loops as the global executor\n".utf8))
        exit(70)
    }
}
// CEILING_LISTENER=shop serves the same page through GoMart's own listener (its accept loop)
// instead of the framework's server: the ceiling for the shop's pages.
if ProcessInfo.processInfo.environment["CEILING_LISTENER"] == "shop" {
    let dates = HTTPDate()
    let http1 = HTTP1Channel(responder: { _, writer, _ in
        var fields = headers
        fields[.date] = dates.now()
        try await writer.write(response: HTTPResponse(status: .ok, headerFields: fields), body: .init(byteBuffer: page))
    })
    let listener = ShopListener(
        connection: http1, host: "127.0.0.1", port: port, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "ceiling"),
        onRunning: { _ in FileHandle.standardError.write(Data("ready\n".utf8)) }
    )
    try await ServiceGroup(configuration: .init(services: [listener], logger: Logger(label: "ceiling"))).run()
    exit(0)
}
let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "ceiling", backlog: backlog),
    onServerRunning: { _ in FileHandle.standardError.write(Data("ready\n".utf8)) }
)
try await app.runService()
