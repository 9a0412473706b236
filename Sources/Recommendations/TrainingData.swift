import Crypto
import Foundation
import GoMartModels
import Security

/// One line of a paid order, as `orders.csv` holds it: no personal data, only a pseudonymous
/// customer key (a keyed hash that cannot be reversed without the shop's key).
public struct OrderLineRecord: Sendable, Hashable {
    public var order: String
    public var customer: String
    /// Seconds since 1970.
    public var time: Int64
    public var product: String
    public var quantity: Int

    public init(order: String, customer: String, time: Int64, product: String, quantity: Int) {
        self.order = order
        self.customer = customer
        self.time = time
        self.product = product
        self.quantity = quantity
    }
}

/// The exported training data: `items.csv`, `orders.csv` and `manifest.json` in one folder.
public struct TrainingData: Sendable {
    /// The version of the files' layout; readers refuse another.
    public static let schemaVersion = 1
    public static let itemColumns = ["id", "name", "aisle", "brand", "price_minor", "unit_price_minor", "unit", "sold_by_weight", "in_stock"]
    public static let orderColumns = ["order", "customer", "time", "product", "quantity"]

    public var items: [ItemRecord]
    public var orders: [OrderLineRecord]

    public init(items: [ItemRecord], orders: [OrderLineRecord]) {
        self.items = items
        self.orders = orders
    }

    /// What the manifest records.
    public struct Manifest: Codable, Sendable, Equatable {
        public var schemaVersion: Int
        public var createdAt: String
        public var files: [String: FileEntry]

        public struct FileEntry: Codable, Sendable, Equatable {
            public var rows: Int
            public var sha256: String
        }
    }

    /// Writes the three files into `directory`, creating it if needed.
    @discardableResult
    public func write(to directory: URL) throws -> Manifest {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let itemsText = CSV.render(header: Self.itemColumns, rows: items.map {
            [$0.id, $0.name, $0.aisle, $0.brand, String($0.priceMinor), String($0.unitPriceMinor), $0.unit, $0.soldByWeight ? "1" : "0", $0.inStock ? "1" : "0"]
        })
        let ordersText = CSV.render(header: Self.orderColumns, rows: orders.map {
            [$0.order, $0.customer, String($0.time), $0.product, String($0.quantity)]
        })
        let itemsData = Data(itemsText.utf8), ordersData = Data(ordersText.utf8)
        try itemsData.write(to: directory.appendingPathComponent("items.csv"), options: .atomic)
        try ordersData.write(to: directory.appendingPathComponent("orders.csv"), options: .atomic)
        let manifest = Manifest(
            schemaVersion: Self.schemaVersion, createdAt: Date().formatted(.iso8601),
            files: [
                "items.csv": .init(rows: items.count, sha256: Self.sha256(itemsData)),
                "orders.csv": .init(rows: orders.count, sha256: Self.sha256(ordersData)),
            ]
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: directory.appendingPathComponent("manifest.json"), options: .atomic)
        return manifest
    }

    /// Reads a folder written by ``write(to:)``, checking the manifest's version, row counts and checksums.
    public static func read(from directory: URL) throws -> TrainingData {
        func load(_ name: String) throws -> Data {
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
                throw TrainingDataError.missing(name)
            }
            return data
        }
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: try load("manifest.json"))
        } catch let error as TrainingDataError {
            throw error
        } catch {
            throw TrainingDataError.invalid("manifest.json", "not a manifest: \(error)")
        }
        guard manifest.schemaVersion == schemaVersion else {
            throw TrainingDataError.invalid("manifest.json", "schema version \(manifest.schemaVersion); this GoMart reads \(schemaVersion)")
        }
        var tables: [String: [[String]]] = [:]
        for (name, columns) in [("items.csv", itemColumns), ("orders.csv", orderColumns)] {
            let data = try load(name)
            guard let entry = manifest.files[name], entry.sha256 == sha256(data) else {
                throw TrainingDataError.invalid(name, "its checksum does not match the manifest (changed or truncated?)")
            }
            let rows = try CSV.parse(String(decoding: data, as: UTF8.self), expecting: columns, file: name)
            guard rows.count == entry.rows else {
                throw TrainingDataError.invalid(name, "\(rows.count) rows, the manifest says \(entry.rows)")
            }
            tables[name] = rows
        }
        let items = try tables["items.csv", default: []].enumerated().map { index, row in
            guard let price = Int64(row[4]), let unitPrice = Int64(row[5]), price >= 0, unitPrice >= 0 else {
                throw TrainingDataError.invalid("items.csv", "line \(index + 2): prices must be whole numbers of minor units")
            }
            return ItemRecord(id: row[0], name: row[1], aisle: row[2], brand: row[3], priceMinor: price, unitPriceMinor: unitPrice,
                              unit: row[6], soldByWeight: row[7] == "1", inStock: row[8] == "1")
        }
        let orders = try tables["orders.csv", default: []].enumerated().map { index, row in
            guard let time = Int64(row[2]), let quantity = Int(row[4]), quantity > 0 else {
                throw TrainingDataError.invalid("orders.csv", "line \(index + 2): time and quantity must be whole numbers")
            }
            return OrderLineRecord(order: row[0], customer: row[1], time: time, product: row[3], quantity: quantity)
        }
        return TrainingData(items: items, orders: orders)
    }

    static func sha256(_ data: Data) -> String {
        Hex.encode(SHA256.hash(data: data))
    }
}

/// Training data that cannot be used, with the file and the reason.
public enum TrainingDataError: Error, CustomStringConvertible, Equatable {
    case missing(String)
    case invalid(String, String)

    public var description: String {
        switch self {
        case .missing(let file): "\(file) is missing; export the data first (gomart ml export --out DIR)"
        case .invalid(let file, let reason): "\(file): \(reason)"
        }
    }
}

/// CSV files of the pipeline: written by GoMartModels' ``CSVWriter``, read by its ``CSVTable``.
enum CSV {
    static func render(header: [String], rows: [[String]]) -> String {
        CSVWriter.render(header: header, rows: rows)
    }

    static func escape(_ field: String) -> String {
        CSVWriter.escape(field)
    }

    /// Parses `text`, checking the header is exactly `columns` and every row has that many fields.
    static func parse(_ text: String, expecting columns: [String], file: String) throws -> [[String]] {
        let table: CSVTable
        do {
            table = try CSVTable(parsing: text)
        } catch let error as CSVTable.SyntaxError {
            throw TrainingDataError.invalid(file, "line \(error.line): \(error.message)")
        }
        guard let header = table.records.first, header.fields == columns else {
            throw TrainingDataError.invalid(file, "the header must be \(columns.joined(separator: ","))")
        }
        for record in table.records.dropFirst() where record.fields.count != columns.count {
            throw TrainingDataError.invalid(file, "line \(record.line) has \(record.fields.count) fields, not \(columns.count)")
        }
        return table.records.dropFirst().map(\.fields)
    }
}
