import Logging
import Synchronization

/// Installs JSON-lines logging once per process.
public enum LoggingBootstrap {
    private static let done = Mutex(false)

    /// Routes every swift-log logger to ``JSONLogHandler`` at `level`; later calls do nothing.
    public static func bootstrap(level: Logger.Level) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
    }
}
