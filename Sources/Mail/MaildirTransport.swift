import Foundation

/// Keeps messages as files in a Maildir folder instead of sending them: the shop's mailbox when
/// no SMTP server is set (a demo on one machine), readable with any mail client or a text
/// editor. Each message is written to `tmp/` and moved into `new/`, so a reader never sees half
/// of one; files are readable by their owner only, as they hold personal data.
public struct MaildirTransport: MailTransport {
    public let directory: String

    public init(directory: String) throws {
        self.directory = directory
        for folder in ["tmp", "new", "cur"] {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(folder)", withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
    }

    public func send(_ message: MailMessage) async throws {
        let envelope = "X-Envelope-To: \(message.to.map(\.address).joined(separator: ", "))\r\n"
        let name = "\(Int(message.date.timeIntervalSince1970)).\(Self.safeName(message.messageID)).gomart"
        let temporary = "\(directory)/tmp/\(name)"
        guard FileManager.default.createFile(atPath: temporary, contents: Data((envelope + message.rendered()).utf8),
                                             attributes: [.posixPermissions: 0o600])
        else { throw MailError("cannot write to the mailbox folder \(directory)") }
        let final = "\(directory)/new/\(name)"
        if FileManager.default.fileExists(atPath: final) { try FileManager.default.removeItem(atPath: final) }
        try FileManager.default.moveItem(atPath: temporary, toPath: final)
    }

    /// The message id with anything but letters, digits, dots and dashes replaced.
    static func safeName(_ id: String) -> String {
        String(id.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") ? $0 : "_" })
    }
}
