import ArgumentParser
import Foundation
import GoMartApp
import Logging
import Telemetry

/// Options every subcommand that touches the database accepts.
struct StorageOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder for the shop's data (default ./data, or GOMART_DATA_DIR).", valueName: "path"))
    var dataDir: String?

    @Option(name: .long, help: ArgumentHelp("Database URL: sqlite:///path/file.sqlite (default: gomart.sqlite in the data folder).", valueName: "url"))
    var databaseURL: String?

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: String?

    /// Resolves the configuration with these options and any extra overrides.
    func configuration(host: String? = nil, port: Int? = nil, role: String? = nil, tlsCertificate: String? = nil, tlsKey: String? = nil) throws -> GoMartConfiguration {
        do {
            return try GoMartConfiguration.resolve(
                overrides: .init(host: host, port: port, dataDirectory: dataDir, databaseURL: databaseURL, logLevel: logLevel, role: role,
                                 tlsCertificate: tlsCertificate, tlsKey: tlsKey),
                environment: ProcessInfo.processInfo.environment
            )
        } catch let invalid as GoMartConfiguration.Invalid {
            throw ValidationError(invalid.description)
        }
    }

    /// Installs logging (short lines on a terminal, JSON lines otherwise, or as
    /// `GOMART_LOG_FORMAT` says) and returns the application logger.
    func logger(for configuration: GoMartConfiguration) -> Logger {
        LoggingBootstrap.bootstrap(level: configuration.logs.level, format: configuration.logs.format ?? .automatic)
        var logger = Logger(label: "gomart")
        logger.logLevel = configuration.logs.level
        return logger
    }
}

/// Writes a line for the person at the terminal (standard error, so standard output stays JSON logs).
func say(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
