/// Decimal numbers with up to three decimals as exact integers of thousandths: kilograms as
/// grams in pack sizes, grams as milligrams in nutrition tables. Never floating point.
public enum Thousandths {
    /// Parses `"1.5"` as 1500 thousandths: digits only, at most three decimals, below a million.
    public static func parse(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
              let whole = Int64(parts[0]), whole < 1_000_000 else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 3, let value = Int64(digits) else { return nil }
            fraction = value * Money.power(10, 3 - digits.count)
        }
        return whole * 1000 + fraction
    }

    /// Writes 1500 thousandths as `"1.5"`, 20 as `"0.02"`: no trailing zeros.
    public static func format(_ value: Int64) -> String {
        let whole = value / 1000
        var fraction = value % 1000
        guard fraction != 0 else { return "\(whole)" }
        var digits = 3
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        var text = String(fraction)
        while text.count < digits { text = "0" + text }
        return "\(whole).\(text)"
    }
}
