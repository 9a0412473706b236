import Foundation
import Testing

/// A real SMTP server (aiosmtpd, `checks/mail_server.py`) run from the project's Python
/// environment, keeping what it receives in a Maildir.
final class MailServer: @unchecked Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let python = "\(root)/.venv/bin/python"
    /// The test command sets `GOMART_REQUIRE_MAIL_SERVER`, so that there a missing Python
    /// environment fails the tests instead of skipping them.
    static let available = FileManager.default.isExecutableFile(atPath: python)
        || ProcessInfo.processInfo.environment["GOMART_REQUIRE_MAIL_SERVER"] != nil

    let process = Process()
    let directory: String
    let port: Int
    var maildir: String { "\(directory)/mail" }
    /// The self-signed certificate the server presents with STARTTLS.
    var certificate: String { "\(directory)/mail-ca.pem" }

    init(starttls: Bool = true, user: String? = "shop:s3cret pass") throws {
        directory = NSTemporaryDirectory() + "gomart-mail-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["\(Self.root)/checks/mail_server.py", "--maildir", "\(directory)/mail", "--port", "0"]
            + (starttls ? ["--starttls"] : []) + (user.map { ["--user", $0] } ?? [])
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // Blocks until the server says it listens (or exits).
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line += byte
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening 127.0.0.1:"), let port = Int(text.dropFirst("listening 127.0.0.1:".count)) else {
            process.terminate()
            throw MailServerFailed(output: text)
        }
        self.port = port
    }

    struct MailServerFailed: Error { var output: String }

    /// The messages received so far, raw, oldest first by file name.
    func messages() throws -> [String] {
        let folder = "\(maildir)/new"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return try names.sorted().map { try String(contentsOfFile: "\(folder)/\($0)", encoding: .utf8) }
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
