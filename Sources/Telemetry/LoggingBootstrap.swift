import Foundation
import Logging
import Synchronization

/// How log lines look.
public enum LogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line, for log collectors.
    case json
    /// Short coloured lines for a person at a terminal.
    case text

    /// `text` when standard output is a terminal, `json` otherwise.
    public static var automatic: LogFormat { isatty(STDOUT_FILENO) != 0 ? .text : .json }
}

/// Installs logging once per process.
public enum LoggingBootstrap {
    private static let done = Mutex(false)

    /// Routes every swift-log logger to ``JSONLogHandler`` or ``ConsoleLogHandler`` at `level`,
    /// with the current span's `trace_id` and `span_id` on lines written inside one (``Traces``);
    /// later calls do nothing.
    public static func bootstrap(level: Logger.Level, format: LogFormat = .json) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        let handler: @Sendable (String) -> any LogHandler = switch format {
        case .json: { label in JSONLogHandler(label: label, level: level) }
        case .text: { _ in ConsoleLogHandler(level: level) }
        }
        LoggingSystem.bootstrap({ label, provider in
            var made = handler(label)
            made.metadataProvider = provider
            return made
        }, metadataProvider: Traces.logMetadata)
    }
}
