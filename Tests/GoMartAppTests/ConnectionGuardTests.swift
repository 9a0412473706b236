import Foundation
import GoMartApp
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import Storage
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to the shop, for clients no HTTP library would play: one that sends
/// half a request and stops, or hangs up mid-body. Every read waits at most `timeout`, on a
/// thread of its own: a blocking read on Swift's cooperative pool could starve the very server
/// it waits for.
final class RawConnection: @unchecked Sendable {
    private let socket: Int32

    init(port: Int, timeout: Duration = .seconds(15)) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var wait = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(socket) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Everything the server sends until it closes the connection; nil if it is still open when
    /// the read times out.
    func readUntilClosed() async -> String? {
        await Self.onOwnThread { self.blockingReadUntilClosed() }
    }

    /// What one read returns (empty when the server closed the connection or the read timed out).
    func readSome() async -> String {
        await Self.onOwnThread { self.blockingReadSome() }
    }

    private static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }

    private func blockingReadUntilClosed() -> String? {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count == 0 { return String(decoding: received, as: UTF8.self) }
            if count < 0 { return errno == ECONNRESET ? String(decoding: received, as: UTF8.self) : nil }
            received += buffer[0..<count]
        }
    }

    private func blockingReadSome() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
    }

    /// Hangs up.
    func hangUp() { shutdown(socket, Int32(SHUT_RDWR)) }
}

/// Hands every log entry to a stream, so a test can wait for the one it expects.
struct StreamingLogHandler: LogHandler {
    let continuation: AsyncStream<Logger.Metadata>.Continuation
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        merged["msg"] = .string(event.message.description)
        continuation.yield(merged)
    }
}

@Suite struct ConnectionGuardTests {
    /// The shop on a free port with short timeouts; hands the test its port.
    static func withShop(
        maxConnections: Int = 10_000, timeoutSeconds: Int = 1, logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ test: @escaping @Sendable (any TestClientProtocol, Int) async throws -> Void
    ) async throws {
        try await withTestApp(configure: {
            $0.server.port = 0
            $0.protection.headerTimeoutSeconds = timeoutSeconds
            $0.protection.bodyTimeoutSeconds = timeoutSeconds
            $0.protection.idleTimeoutSeconds = timeoutSeconds
            $0.protection.maxConnections = maxConnections
        }, framework: .live, logger: logger) { client in
            try await test(client, try #require(client.port))
        }
    }

    @Test func aClientThatNeverFinishesItsHeadersIsCutOff() async throws {
        try await Self.withShop { _, port in
            let slow = try RawConnection(port: port)
            slow.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            // Closed by the shop after the 1-second header timeout, with nothing sent.
            #expect(await slow.readUntilClosed() == "")
        }
    }

    @Test func aKeptAliveConnectionIsClosedWhenIdle() async throws {
        try await Self.withShop { _, port in
            let idle = try RawConnection(port: port)
            idle.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let answer = try #require(await idle.readUntilClosed())
            #expect(answer.hasPrefix("HTTP/1.1 200 OK"))
        }
    }

    @Test func aBodyThatStopsComingFailsWith408AndAHangUpIsLoggedAs499() async throws {
        let (entries, continuation) = AsyncStream.makeStream(of: Logger.Metadata.self)
        let logger = Logger(label: "test", factory: { _ in StreamingLogHandler(continuation: continuation) })
        try await Self.withShop(logger: logger) { _, port in
            let stalled = try RawConnection(port: port)
            stalled.send("POST /account/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a")
            #expect(await stalled.readUntilClosed() != nil)
            let gone = try RawConnection(port: port)
            gone.send("POST /account/password HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a")
            gone.hangUp()
            var statuses: [String: String] = [:]
            for await entry in entries where entry["msg"] == "request" {
                if case .string(let path)? = entry["path"] { statuses[path] = entry["status"].map { "\($0)" } }
                if statuses.count == 2 { break }
            }
            #expect(statuses == ["/account/sign-in": "408", "/account/password": "499"])
        }
    }

    @Test func beyondTheConnectionCapANewClientGetsAQuick503() async throws {
        try await Self.withShop(maxConnections: 2, timeoutSeconds: 60) { client, port in
            // Two connections, each counted once it has been answered, stay open (kept alive): the
            // test's own client and a first raw one.
            #expect(try await client.executeRequest(uri: "/health/live", method: .get, headers: [:], body: nil).status == .ok)
            let first = try RawConnection(port: port)
            first.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(await first.readSome().hasPrefix("HTTP/1.1 200 OK"))
            let second = try RawConnection(port: port)
            second.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let answer = try #require(await second.readUntilClosed())
            #expect(answer.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
            #expect(answer.contains("\r\nRetry-After: 1\r\n"))
        }
    }
}

@Suite struct ServerErrorLoggingTests {
    @Test func aServerErrorIsLoggedAtErrorLevelWithItsCauseWhateverTheLogLevel() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-500-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = DatabaseURL.sqliteFile(path: folder.appendingPathComponent("gomart.sqlite").path)
        let (entries, continuation) = AsyncStream.makeStream(of: Logger.Metadata.self)
        var logger = Logger(label: "test", factory: { _ in StreamingLogHandler(continuation: continuation) })
        logger.logLevel = .warning // as the benchmarks run: no request lines, only what goes wrong
        try await withTestApp(configure: { $0.persistence.databaseURL = url; $0.persistence.dataDirectory = folder.path }, logger: logger) { client in
            let created = try await client.executeRequest(uri: "/api/v1/customers", method: .post, headers: [.contentType: "application/json"],
                                                          body: ByteBuffer(string: #"{"name":"Ed","email":"ed@example.com","password":"a good long password"}"#))
            let token = try #require(try created.json()["token"] as? String)
            // Something the shop cannot recover from: its sessions table is gone.
            try await Database.withOpened(url: url, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })) { database in
                try await database.transaction { sql in try await sql.raw("DROP TABLE sessions").run() }
            }
            let answer = try await client.executeRequest(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer \(token)"], body: nil)
            #expect(answer.status == .internalServerError)
            #expect(!answer.text.contains("sessions")) // the shopper is told nothing internal
            // The error is logged before the answer leaves: everything logged so far is in the stream.
            continuation.finish()
            var logged: [Logger.Metadata] = []
            for await entry in entries where entry["msg"] == "unhandled error" { logged.append(entry) }
            #expect(logged.count == 1)
            #expect(logged.first?["path"] == "/api/v1/me")
            #expect(logged.first?["cause"].map { "\($0)" }?.contains("no such table: sessions") == true)
        }
    }
}
