import ArgumentParser
import Catalog
import Checkout
import Foundation
import GoMartApp
import GoMartModels
import Recommendations
import Security
import Storage
import Telemetry

/// `gomart ml`: the recommendation pipeline.
struct ML: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ml",
        abstract: "The recommendation pipeline: export the data, train a k-nearest-neighbours model.",
        subcommands: [Export.self, Train.self, Evaluate.self, EvaluateSubstitutes.self, Retrain.self]
    )

    /// `gomart ml export`.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write items.csv, orders.csv and manifest.json for training.",
            discussion: """
                items.csv has every product on sale (id, name, aisle, brand, price, unit price, unit, \
                sold by weight, in stock); orders.csv every line of every paid order with a pseudonymous \
                customer key (a keyed hash: no personal data); manifest.json the schema version, row counts \
                and SHA-256 checksums.
                """
        )

        @Option(name: .long, help: ArgumentHelp("The folder to write into (created if missing).", valueName: "dir"))
        var out: String

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let configuration = try storage.configuration()
            let logger = storage.logger(for: configuration)
            let manifest = try await withMigratedDatabase(configuration, logger: logger) { database in
                let bar = ProgressBar(title: "Reading the catalogue", unit: "products")
                let data = try await ShopServices(configuration: configuration, database: database, logger: logger).trainingData(progress: bar.update)
                bar.finish()
                return try data.write(to: URL(fileURLWithPath: out))
            }
            say("Exported \(manifest.files["items.csv"]?.rows ?? 0) items and \(manifest.files["orders.csv"]?.rows ?? 0) order lines to \(out).")
        }
    }

    /// `gomart ml train`.
    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a k-nearest-neighbours model on exported data and save it in the model store.",
            discussion: """
                Features: log price (standardised), log unit price (standardised within its unit), aisle \
                and brand (one-hot), each times its weight. Saves model-<version>.json, the encoded feature \
                matrix features-<version>.csv and every item's ten nearest neighbours neighbours-<version>.csv \
                in the model store (default: the data folder's models/).
                """
        )

        @Option(name: .long, help: ArgumentHelp("The folder `gomart ml export` wrote.", valueName: "dir"))
        var data: String

        @Option(name: .long, help: ArgumentHelp("The model store (default: GOMART_MODEL_DIR or <data folder>/models).", valueName: "dir"))
        var models: String?

        @Option(name: .long, help: "euclidean or cosine.")
        var metric: String = "euclidean"

        @Option(name: .long, help: "Weight of the log price.") var weightPrice: Double = FeatureWeights().logPrice
        @Option(name: .long, help: "Weight of the unit price.") var weightUnitPrice: Double = FeatureWeights().unitPrice
        @Option(name: .long, help: "Weight of the aisle.") var weightAisle: Double = FeatureWeights().aisle
        @Option(name: .long, help: "Weight of the brand.") var weightBrand: Double = FeatureWeights().brand

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            guard let metric = DistanceMetric(rawValue: metric) else {
                throw ValidationError("--metric must be euclidean or cosine, not '\(metric)'.")
            }
            let weights = FeatureWeights(logPrice: weightPrice, unitPrice: weightUnitPrice, aisle: weightAisle, brand: weightBrand)
            guard weights.problems.isEmpty else { throw ValidationError(weights.problems.joined(separator: "; ")) }
            let configuration = try storage.configuration()
            let store = ModelStore(directory: URL(fileURLWithPath: models ?? configuration.modelDirectory))
            let trainingData: TrainingData
            do {
                trainingData = try TrainingData.read(from: URL(fileURLWithPath: data))
            } catch let error as TrainingDataError {
                throw ValidationError(error.description)
            }
            guard !trainingData.items.isEmpty else { throw ValidationError("items.csv has no items: nothing to train on.") }
            say("Training on \(trainingData.items.count) items and \(trainingData.orders.count) order lines…")
            let (model, index) = RecommendationModel.train(trainingData, weights: weights, metric: metric)
            say(String(format: "Built the %@ index in %.1f ms.", metric.rawValue, model.training.indexBuildMilliseconds))
            if let evaluation = model.evaluation {
                say("Evaluation on the exported orders (kept with the model):")
                say(evaluation.table)
            } else {
                say("No customer in the exported orders has two orders yet, so the model carries no evaluation.")
            }
            let bar = ProgressBar(title: "Writing each item's 10 nearest neighbours", unit: "items")
            let file = try store.save(model, index: index, progress: bar.update)
            bar.finish()
            say("Saved model \(model.version) to \(file.path).")
        }
    }

    /// The newest model in the store (`models`, or the configured one) and the exported data in `data`.
    static func modelAndData(models: String?, data: String, storage: StorageOptions) throws -> (RecommendationModel, TrainingData) {
        let configuration = try storage.configuration()
        let store = ModelStore(directory: URL(fileURLWithPath: models ?? configuration.modelDirectory))
        guard let model = try store.latest() else {
            throw ValidationError("No model in \(store.directory.path) yet: run gomart ml train first.")
        }
        do {
            return (model, try TrainingData.read(from: URL(fileURLWithPath: data)))
        } catch let error as TrainingDataError {
            throw ValidationError(error.description)
        }
    }

    /// `gomart ml evaluate`.
    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score the newest model against popularity and random baselines, leaving out each customer's last order.",
            discussion: """
                For every customer with two or more orders in the exported data, the last order is held \
                out; each recommender names ten items from what came before (the model: the nearest \
                neighbours of the previous order's items). Prints hit rate and recall at 10 and catalogue \
                coverage. --synthetic-customers N scores a synthetic history of N shoppers instead (shoppers \
                with favourite aisles and price levels who repeat staples), for shops without orders yet.
                """
        )

        @Option(name: .long, help: ArgumentHelp("The folder `gomart ml export` wrote.", valueName: "dir"))
        var data: String

        @Option(name: .long, help: ArgumentHelp("The model store (default: GOMART_MODEL_DIR or <data folder>/models).", valueName: "dir"))
        var models: String?

        @Option(name: .long, help: "Score a synthetic order history of this many shoppers instead of the exported orders.")
        var syntheticCustomers: Int?

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let (model, trainingData) = try ML.modelAndData(models: models, data: data, storage: storage)
            if let syntheticCustomers, !(1...1_000_000).contains(syntheticCustomers) {
                throw ValidationError("--synthetic-customers must be from 1 to 1000000.")
            }
            let orders = syntheticCustomers.map { SyntheticOrders.generate(items: model.items, customers: $0) } ?? trainingData.orders
            let evaluation = Evaluation.run(orders: orders, index: model.makeIndex(), metric: model.metric)
            say("Model \(model.version), \(model.items.count) items, \(orders.count) order lines\(syntheticCustomers == nil ? "" : " (synthetic)"):")
            say(evaluation.table)
        }
    }

    /// `gomart ml evaluate-substitutes`.
    struct EvaluateSubstitutes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score the newest model's substitutes on the exported orders, with a share of the lines out of stock.",
            discussion: """
                Takes --stock-out percent of the exported order lines (seeded) as out of stock at picking. For \
                each, the model's first suggestion (the product's nearest neighbour) and a random product of the \
                same aisle are scored: how often the substitute is fair (same aisle, same unit, unit price within \
                --band per cent) and how often the shopper bought it in a later order.
                """
        )

        @Option(name: .long, help: ArgumentHelp("The folder `gomart ml export` wrote.", valueName: "dir"))
        var data: String

        @Option(name: .long, help: ArgumentHelp("The model store (default: GOMART_MODEL_DIR or <data folder>/models).", valueName: "dir"))
        var models: String?

        @Option(name: .long, help: "The share of order lines taken as out of stock, in per cent.")
        var stockOut: Int = 5

        @Option(name: .long, help: "How far, in per cent, a fair substitute's unit price may be from the original's.")
        var band: Int = 20

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            guard (1...100).contains(stockOut) else { throw ValidationError("--stock-out must be from 1 to 100.") }
            guard (0...100).contains(band) else { throw ValidationError("--band must be from 0 to 100.") }
            let (model, trainingData) = try ML.modelAndData(models: models, data: data, storage: storage)
            let evaluation = SubstitutionEvaluation.run(items: trainingData.items, orders: trainingData.orders, index: model.makeIndex(), metric: model.metric,
                                                        stockOutPercent: stockOut, bandPercent: band)
            say("Model \(model.version), \(model.items.count) items, \(trainingData.orders.count) order lines:")
            say(evaluation.table)
        }
    }

    /// `gomart ml retrain`.
    struct Retrain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train on the shop's data now and promote the model only if it scores no worse than the current one.",
            discussion: """
                What the worker does on its schedule (GOMART_RETRAIN_AT, nightly at 03:00 UTC by default): \
                read the catalogue and paid orders from the database, train a candidate with the current \
                model's weights and metric, score both on the same held-out last orders, and save the \
                candidate to the model store only if neither its hit rate nor its recall at 10 is lower. \
                Exits with status 3 when the candidate is not promoted.
                """
        )

        @Option(name: .long, help: ArgumentHelp("The model store (default: GOMART_MODEL_DIR or <data folder>/models).", valueName: "dir"))
        var models: String?

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let configuration = try storage.configuration()
            let logger = storage.logger(for: configuration)
            let store = ModelStore(directory: URL(fileURLWithPath: models ?? configuration.modelDirectory))
            let data = try await withMigratedDatabase(configuration, logger: logger) { database in
                try await ShopServices(configuration: configuration, database: database, logger: logger).trainingData()
            }
            guard !data.items.isEmpty else { throw ValidationError("The catalogue is empty: nothing to train on.") }
            say("Training a candidate on \(data.items.count) items and \(data.orders.count) order lines…")
            let outcome = try Retraining.run(data: data, store: store)
            if outcome.promoted {
                say("Promoted \(outcome.candidate.version): \(outcome.reason).")
            } else {
                say("Not promoted: \(outcome.reason).")
                throw ExitCode(3)
            }
        }
    }
}
