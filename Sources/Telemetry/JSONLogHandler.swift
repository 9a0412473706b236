import Foundation
import Logging
import Synchronization

/// A swift-log handler that writes one JSON object per line to standard output.
///
/// Fields: `ts` (ISO 8601, UTC), `level`, `label`, `msg`, then every metadata key. Callers are
/// responsible for never putting personal data in messages or metadata.
public struct JSONLogHandler: FieldMergingLogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let output: LogOutput

    /// Creates a handler for `label` writing to `output` (standard output by default).
    public init(label: String, level: Logger.Level, output: LogOutput = .standardOutput) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    public func log(event: LogEvent) {
        let fields = fields(of: event)
        var object: [String: Any] = [
            "ts": Self.timestamp(),
            "level": event.level.rawValue,
            "label": label,
            "msg": event.message.description,
        ]
        for (key, value) in fields where object[key] == nil {
            object[key] = Self.jsonValue(value)
        }
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        data.append(0x0A)
        output.write(data)
    }

    static func jsonValue(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let string): return string
        case .stringConvertible(let convertible): return convertible.description
        case .array(let values): return values.map(jsonValue)
        case .dictionary(let dictionary): return dictionary.mapValues(jsonValue)
        }
    }

    static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

/// Where log lines go: standard output in production, a buffer in tests.
public final class LogOutput: Sendable {
    private let sink: Mutex<(Data) -> Void>

    /// Creates an output that hands every line to `sink`, one line at a time.
    public init(sink: @escaping @Sendable (Data) -> Void) {
        self.sink = Mutex(sink)
    }

    /// Lines go to the process's standard output.
    public static let standardOutput = LogOutput { data in
        FileHandle.standardOutput.write(data)
    }

    func write(_ data: Data) {
        sink.withLock { $0(data) }
    }
}
