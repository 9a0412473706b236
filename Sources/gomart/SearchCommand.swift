import ArgumentParser
import Catalog
import Foundation
import GoMartApp
import Storage
import Telemetry

/// `gomart search`: how well the shop's search does.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Measure the shop's search.",
        subcommands: [Evaluate.self]
    )

    /// `gomart search evaluate`.
    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score search on a relevance test set: recall at 5 and mean reciprocal rank.",
            discussion: """
                Each line of the set is a query, its kind and the SKUs that must appear in its first five \
                results, tab-separated (bench/search-relevance.tsv is the demo catalogue's). Prints recall at \
                5 (the share of expected products in the first five results) and MRR (the reciprocal rank of \
                the first expected product, in the first 20) for every kind of query and in all, and the \
                queries that missed. Exits with status 1 when recall at 5 is below --minimum-recall.
                """
        )

        @Option(name: .long, help: ArgumentHelp("The relevance test set.", valueName: "file.tsv"))
        var set: String = "bench/search-relevance.tsv"

        @Option(name: .long, help: "Fail when recall at 5 is below this (0 to 1).")
        var minimumRecall: Double = 0

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            guard (0...1).contains(minimumRecall) else { throw ValidationError("--minimum-recall must be from 0 to 1.") }
            let cases: [SearchRelevance.Case]
            do {
                cases = try SearchRelevance.parse(try String(contentsOfFile: set, encoding: .utf8))
            } catch let error as SearchRelevance.SetError {
                throw ValidationError("\(set): \(error.description)")
            } catch {
                throw ValidationError("Cannot read \(set): \(error.localizedDescription)")
            }
            let configuration = try storage.configuration()
            let logger = storage.logger(for: configuration)
            let report = try await withMigratedDatabase(configuration, logger: logger) { database in
                let catalog = CatalogService(repository: SQLCatalogRepository(database: database), cache: CatalogCache(), currency: configuration.shopping.currency)
                try await catalog.seedDemoCatalogueIfFirstRun(logger: logger)
                let bar = ProgressBar(title: "Searching", unit: "queries")
                let report = try await SearchRelevance.evaluate(cases, catalog: catalog, progress: { bar.update($0, of: $1) })
                bar.finish()
                return report
            }
            say("Search on \(configuration.persistence.databaseURL.engine == .postgres ? "PostgreSQL" : "SQLite"), \(cases.count) queries:")
            say(report.table)
            if !report.misses.isEmpty {
                say("Missed in the first five:")
                for miss in report.misses { say("  \(miss.query): \(miss.missing.joined(separator: ", "))") }
            }
            if report.all.recallAt5 < minimumRecall {
                say(String(format: "Recall at 5 is %.3f, below %.3f.", report.all.recallAt5, minimumRecall))
                throw ExitCode(1)
            }
        }
    }
}
