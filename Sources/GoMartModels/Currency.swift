/// An ISO 4217 currency with what the shop needs to display it.
public struct Currency: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The ISO 4217 code, e.g. `GBP`.
    public var code: String
    /// The symbol shown before amounts, e.g. `£`.
    public var symbol: String
    /// How many decimal digits the minor unit has (2 for pence, 0 for yen).
    public var minorUnitDigits: Int

    /// Creates a currency description.
    public init(code: String, symbol: String, minorUnitDigits: Int) {
        self.code = code
        self.symbol = symbol
        self.minorUnitDigits = minorUnitDigits
    }

    /// Pound sterling, the demo shop's currency.
    public static let gbp = Currency(code: "GBP", symbol: "£", minorUnitDigits: 2)
    /// Euro.
    public static let eur = Currency(code: "EUR", symbol: "€", minorUnitDigits: 2)
    /// US dollar.
    public static let usd = Currency(code: "USD", symbol: "$", minorUnitDigits: 2)

    /// The currencies GoMart knows how to display.
    public static let known: [Currency] = [.gbp, .eur, .usd]

    /// Looks up a known currency by ISO code (case-insensitive).
    public init?(code: String) {
        guard let found = Self.known.first(where: { $0.code == code.uppercased() }) else { return nil }
        self = found
    }

    public var description: String { code }

    public init(from decoder: any Decoder) throws {
        let code = try decoder.singleValueContainer().decode(String.self)
        guard let currency = Currency(code: code) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "Unknown currency \(code)"))
        }
        self = currency
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
