import ArgumentParser
import Foundation
import GoMartApp
import Operations
import Security
import Telemetry

/// `gomart keys`: the key that seals personal data.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Rotate the key that seals personal data, and see how far re-sealing has got.",
        subcommands: [Rotate.self, Status.self]
    )

    /// `gomart keys rotate`.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new key version for sealing personal data.",
            discussion: """
                The new version is stored in the database, wrapped with a key derived from GOMART_SECRET_KEY (which \
                does not change). It starts sealing after --activate-in seconds, once every running instance has \
                read it (they do every 10 s). The worker then re-seals every stored value with it in batches, in the \
                background; old versions stay readable meanwhile. With --reseal this command waits and re-seals \
                itself, showing its progress (for a shop where nothing is running).
                """
        )

        @Option(name: .long, help: ArgumentHelp("Seconds until the new version starts sealing (default 30).", valueName: "seconds"))
        var activateIn: Int = 30

        @Flag(name: .long, help: "Wait for the new version, then re-seal everything now.")
        var reseal = false

        @OptionGroup var storage: StorageOptions

        func validate() throws {
            guard (0...86_400).contains(activateIn) else { throw ValidationError("--activate-in must be from 0 to 86400 seconds.") }
        }

        func run() async throws {
            try await withKeyRotation(storage) { rotation, _ in
                let stored = try await rotation.rotate(activateAfter: .seconds(activateIn))
                let at = Date(timeIntervalSince1970: TimeInterval(stored.activatesAt))
                say("Added key version \(stored.version); it seals from \(at.formatted(.iso8601)) (in \(activateIn) s).")
                guard reseal else {
                    say("Running workers re-seal the stored personal data with it in the background; `gomart keys status` shows how far they are.")
                    return
                }
                let wait = max(0, at.timeIntervalSinceNow)
                if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
                let total = try await rotation.remaining().values.reduce(0, +)
                let bar = ProgressBar(title: "Re-sealing", unit: "values")
                var done = 0
                while true {
                    let batch = try await rotation.resealBatch()
                    if batch == 0 { break }
                    done += batch
                    bar.update(min(done, total), of: total)
                }
                bar.finish()
                say("Re-sealed \(done) value(s) with key version \(stored.version).")
            }
        }
    }

    /// `gomart keys status`.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the key versions and what is still sealed with an older one.")

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await withKeyRotation(storage) { rotation, keys in
                try await rotation.refresh()
                let remaining = try await rotation.remaining()
                print("Key versions: \(keys.dataKeys.knownVersions.map(String.init).joined(separator: ", ")); version \(keys.dataKeys.sealingVersion) seals now.")
                let left = remaining.values.reduce(0, +)
                if left == 0 {
                    print("Every stored value is sealed with version \(keys.dataKeys.sealingVersion).")
                } else {
                    print("\(left) value(s) still sealed with an older version:")
                    for (column, count) in remaining.sorted(by: { $0.key.description < $1.key.description }) where count > 0 {
                        print("  \(column.description.padding(toLength: 28, withPad: " ", startingAt: 0)) \(count)")
                    }
                }
            }
        }
    }
}

/// Runs `body` with the key rotation over the configured database and the shop's keys.
private func withKeyRotation(_ storage: StorageOptions, _ body: @escaping @Sendable (DataKeyRotation, SecretKeys) async throws -> Void) async throws {
    let configuration = try storage.configuration()
    let logger = storage.logger(for: configuration)
    let keys = try loadSecretKeys(configuration)
    try await withMigratedDatabase(configuration, logger: logger) { database in
        try await body(DataKeyRotation(database: database, keys: keys, columns: allSealedColumns), keys)
    }
}
