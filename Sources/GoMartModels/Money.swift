import Foundation

/// An amount of money in integer minor units (pence, cents) of one currency.
///
/// Money is never a floating-point number: prices are parsed from decimal text,
/// stored and summed as `Int64` minor units, and only formatted for display.
public struct Money: Hashable, Sendable, Codable, Comparable {
    /// The amount in minor units of `currency` (for GBP: pence).
    public var minorUnits: Int64
    /// The currency the amount is in.
    public var currency: Currency

    /// Creates an amount of `minorUnits` of `currency`.
    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Parses decimal text such as `"1.25"`, `"3"` or `"0.5"` exactly, without floating point.
    ///
    /// Returns `nil` for negative, malformed or over-precise amounts (`"1.255"` in GBP).
    public init?(decimal text: String, currency: Currency) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2,
              let whole = parts.first, !whole.isEmpty, whole.count <= 12,
              whole.allSatisfy(\.isASCIIDigit),
              let wholeValue = Int64(whole)
        else { return nil }
        var fractionValue: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.count <= currency.minorUnitDigits,
                  fraction.allSatisfy(\.isASCIIDigit),
                  let value = Int64(fraction)
            else { return nil }
            fractionValue = value * Self.power(10, currency.minorUnitDigits - fraction.count)
        }
        self.init(minorUnits: wholeValue * Self.power(10, currency.minorUnitDigits) + fractionValue, currency: currency)
    }

    /// The amount formatted for shoppers, e.g. `£1.25`.
    public var formatted: String {
        let scale = Self.power(10, currency.minorUnitDigits)
        let sign = minorUnits < 0 ? "-" : ""
        let absolute = minorUnits.magnitude
        let whole = absolute / UInt64(scale)
        guard currency.minorUnitDigits > 0 else { return "\(sign)\(currency.symbol)\(whole)" }
        var fraction = String(absolute % UInt64(scale))
        while fraction.count < currency.minorUnitDigits { fraction = "0" + fraction }
        return "\(sign)\(currency.symbol)\(whole).\(fraction)"
    }

    /// The amount as a plain decimal string without symbol, e.g. `1.25` (for CSV and feeds).
    public var decimalString: String {
        formatted.replacingOccurrences(of: currency.symbol, with: "")
    }

    public static func < (lhs: Money, rhs: Money) -> Bool {
        lhs.minorUnits < rhs.minorUnits
    }

    static func power(_ base: Int64, _ exponent: Int) -> Int64 {
        var result: Int64 = 1
        for _ in 0..<max(exponent, 0) { result *= base }
        return result
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
