import Foundation
import Logging

/// A swift-log handler for a person at a terminal: one short line per event, with the time (UTC), the
/// level, the message and the metadata as `key=value`, coloured by level.
///
/// ``LoggingBootstrap`` chooses it when standard output is a terminal; JSON lines otherwise.
public struct ConsoleLogHandler: FieldMergingLogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    let output: LogOutput
    let colour: Bool

    /// Creates a handler writing to `output`, with ANSI colours when `colour` is true.
    public init(level: Logger.Level, output: LogOutput = .standardOutput, colour: Bool = true) {
        self.logLevel = level
        self.output = output
        self.colour = colour
    }

    public func log(event: LogEvent) {
        let fields = fields(of: event)
        output.write(Data((line(time: Date(), level: event.level, message: event.message.description, fields: fields) + "\n").utf8))
    }

    /// The line for one event, e.g. `10:42:03 info    seeded demo catalogue  aisles=13 products=636`.
    func line(time: Date, level: Logger.Level, message: String, fields: Logger.Metadata) -> String {
        let seconds = (Int(time.timeIntervalSince1970.rounded(.down)) % 86_400 + 86_400) % 86_400
        let clock = [seconds / 3_600, seconds / 60 % 60, seconds % 60].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined(separator: ":")
        let name = level.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
        let pairs = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.text($0.value))" }.joined(separator: " ")
        let details = pairs.isEmpty ? "" : "  " + (colour ? "\u{1B}[2m\(pairs)\u{1B}[0m" : pairs)
        guard colour else { return "\(clock) \(name)\(message)\(details)" }
        return "\u{1B}[2m\(clock)\u{1B}[0m \(Self.colourCode(level))\(name)\u{1B}[0m\(message)\(details)"
    }

    static func text(_ value: Logger.MetadataValue) -> String {
        let plain = "\(value)"
        return plain.contains(" ") ? "\"\(plain)\"" : plain
    }

    static func colourCode(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "\u{1B}[2m"
        case .info: "\u{1B}[36m"
        case .notice: "\u{1B}[32m"
        case .warning: "\u{1B}[33m"
        case .error, .critical: "\u{1B}[31m"
        }
    }
}
