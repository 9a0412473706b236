import Accounts
import ArgumentParser
import Catalog
import Foundation
import GoMartApp
import Storage
import Telemetry

/// `gomart seed`: loads the demo catalogue or a CSV catalogue.
struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load products into the shop: the demo catalogue, or your own CSV file.",
        discussion: """
            A CSV file needs a header row with the columns sku, name, brand, aisle, price, pack_size \
            and stock, and may add sold_by_weight, description, featured and keywords; the food \
            information (allergens, dietary, ingredients, origin, energy_kj, energy_kcal, fat_g, \
            saturates_g, carbohydrate_g, sugars_g, fibre_g, protein_g, salt_g); and minimum_age. \
            The README lists their values. Example:

              sku,name,brand,aisle,price,pack_size,stock,sold_by_weight
              FV-0001,Bananas,Fairfield,Fruit & Veg,0.95,per kg,120,yes
              DR-0001,Cola,GoMart,Drinks,1.95,6 x 330 ml,40,no

            Products are matched by SKU: new ones are added, existing ones updated. Every row is \
            checked first; if any row is wrong, each problem is listed with its line number and \
            nothing is imported.

            --demo-orders N records N paid orders by demo shoppers (demo-shopper-0001@example.com \
            and on, about four orders each, over the last 120 days), so the demo shop has purchase \
            history for recommendations. It replaces the demo shoppers' earlier orders, so running \
            it again gives N orders, not more. On its own it leaves the catalogue as it is.
            """
    )

    @Option(name: .long, help: ArgumentHelp("A catalogue CSV file to import (default: the demo catalogue).", valueName: "catalogue.csv"))
    var file: String?

    @Option(name: .long, help: ArgumentHelp(
        "Also record this many paid demo orders (1 to 100000) by demo shoppers, replacing their earlier ones; development only.",
        valueName: "N"))
    var demoOrders: Int?

    @OptionGroup var storage: StorageOptions

    func validate() throws {
        if let demoOrders, !(1...100_000).contains(demoOrders) {
            throw ValidationError("--demo-orders must be a whole number from 1 to 100000.")
        }
    }

    func run() async throws {
        let configuration = try storage.configuration()
        let logger = storage.logger(for: configuration)
        if demoOrders != nil && configuration.environment == .production {
            throw ValidationError("--demo-orders is for development only: demo shoppers share a published password.")
        }
        // With --demo-orders alone, the catalogue is left as it is (the demo one on a new database).
        let importsCatalogue = file != nil || demoOrders == nil
        try await withMigratedDatabase(configuration, logger: logger) { database in
            let catalog = CatalogService(repository: SQLCatalogRepository(database: database), cache: CatalogCache(), currency: configuration.shopping.currency)
            if importsCatalogue {
                try await importCatalogue(into: catalog)
            } else {
                try await catalog.seedDemoCatalogueIfFirstRun(logger: logger)
            }
            if let demoOrders {
                let services = try ShopServices(configuration: configuration, database: database, logger: logger)
                let bar = ProgressBar(title: "Recording demo orders", unit: "orders")
                let seeded = try await services.seedDemoOrders(demoOrders, progress: bar.update)
                bar.finish()
                say("Recorded \(seeded.orders) paid demo orders by \(seeded.shoppers) demo shoppers. Sign in as one of them "
                    + "(\(DemoShoppers.email(1)) … \(DemoShoppers.email(seeded.shoppers)), password \(DemoShoppers.password)) to see their recommendations.")
            }
        }
    }

    /// Imports `--file`, or the demo catalogue.
    func importCatalogue(into catalog: CatalogService) async throws {
        let text: String
        let source: String
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("Cannot read '\(file)'. Check the path and permissions.")
            }
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw ValidationError("'\(file)' is not UTF-8 text. Save it as CSV UTF-8 and try again.")
            }
            text = decoded
            source = URL(fileURLWithPath: file).lastPathComponent
        } else {
            text = try DemoCatalogue.csv()
            source = "demo"
        }
        do {
            let bar = ProgressBar(title: "Importing \(source)", unit: "products")
            let summary = try await catalog.importCatalogue(csv: text, source: source, progress: bar.update)
            bar.finish()
            say("Imported \(source): \(summary.productsInserted) new product(s), \(summary.productsUpdated) updated, \(summary.aislesCreated) new aisle(s).")
        } catch let error as CatalogueImportError {
            say(error.description)
            throw ExitCode(65)
        }
    }
}
