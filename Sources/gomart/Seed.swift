import ArgumentParser
import Catalog
import Foundation
import GoMartApp
import Storage

/// `gomart seed`: loads the demo catalogue or a CSV catalogue.
struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load products into the shop: the demo catalogue, or your own CSV file.",
        discussion: """
            A CSV file needs a header row with the columns sku, name, brand, aisle, price, pack_size \
            and stock, and may add sold_by_weight, description, featured and keywords. Example:

              sku,name,brand,aisle,price,pack_size,stock,sold_by_weight
              FV-0001,Bananas,Fairfield,Fruit & Veg,0.95,per kg,120,yes
              DR-0001,Cola,GoMart,Drinks,1.95,6 x 330 ml,40,no

            Products are matched by SKU: new ones are added, existing ones updated. Every row is \
            checked first; if any row is wrong, each problem is listed with its line number and \
            nothing is imported.
            """
    )

    @Option(name: .long, help: ArgumentHelp("A catalogue CSV file to import (default: the demo catalogue).", valueName: "catalogue.csv"))
    var file: String?

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let configuration = try storage.configuration()
        let logger = storage.logger(for: configuration)
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
        let database = try await openMigratedDatabase(configuration, logger: logger)
        let catalog = CatalogService(repository: SQLCatalogRepository(database: database), cache: CatalogCache(), currency: configuration.currency)
        do {
            let summary = try await catalog.importCatalogue(csv: text, source: source)
            await database.close()
            say("Imported \(source): \(summary.productsInserted) new product(s), \(summary.productsUpdated) updated, \(summary.aislesCreated) new aisle(s).")
        } catch let error as CatalogueImportError {
            await database.close()
            say(error.description)
            throw ExitCode(65)
        } catch {
            await database.close()
            throw error
        }
    }
}
