import Foundation

/// Card details as typed at checkout. Never stored or logged: only ``brand`` and ``lastFour``
/// outlive the payment.
public struct CardDetails: Sendable, Equatable {
    /// The card number, digits only.
    public var number: String
    /// Expiry month, 1–12.
    public var expiryMonth: Int
    /// Expiry year, four digits.
    public var expiryYear: Int
    /// The security code.
    public var cvc: String

    /// Creates card details; spaces and dashes in the number are dropped.
    public init(number: String, expiryMonth: Int, expiryYear: Int, cvc: String) {
        self.number = number.filter { $0.isNumber }
        self.expiryMonth = expiryMonth
        self.expiryYear = expiryYear < 100 ? 2000 + expiryYear : expiryYear
        self.cvc = cvc.trimmingCharacters(in: .whitespaces)
    }

    /// The card network, from the number's prefix.
    public var brand: String {
        let digits = number
        if digits.hasPrefix("4") { return "Visa" }
        if digits.hasPrefix("34") || digits.hasPrefix("37") { return "American Express" }
        if let two = Int(digits.prefix(2)), (51...55).contains(two) { return "Mastercard" }
        if let four = Int(digits.prefix(4)), (2221...2720).contains(four) { return "Mastercard" }
        return "Card"
    }

    /// The last four digits, the only part of the number that is kept.
    public var lastFour: String { String(number.suffix(4)) }

    /// Every problem with the card, keyed by field (`card_number`, `card_expiry`, `card_cvc`).
    public func problems(now: Date = Date()) -> [String: String] {
        var problems: [String: String] = [:]
        if !(12...19).contains(number.count) || !Self.passesLuhn(number) {
            problems["card_number"] = "Please check the card number."
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = calendar.dateComponents([.year, .month], from: now)
        let current = (components.year ?? 0) * 12 + (components.month ?? 0)
        if !(1...12).contains(expiryMonth) || expiryYear > (components.year ?? 0) + 20 {
            problems["card_expiry"] = "Please enter the expiry date as MM/YY."
        } else if expiryYear * 12 + expiryMonth < current {
            problems["card_expiry"] = "This card has expired."
        }
        let cvcLength = brand == "American Express" ? 4 : 3
        if cvc.count != cvcLength || !cvc.allSatisfy(\.isNumber) {
            problems["card_cvc"] = "The security code is the \(cvcLength) digits on the \(cvcLength == 4 ? "front" : "back") of the card."
        }
        return problems
    }

    /// The Luhn checksum every card number satisfies.
    public static func passesLuhn(_ digits: String) -> Bool {
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else { return false }
        var sum = 0
        for (index, character) in digits.reversed().enumerated() {
            var value = character.wholeNumberValue ?? 0
            if index % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }
}

extension CardDetails: CustomStringConvertible, CustomDebugStringConvertible {
    /// Only the brand and last four digits, so that a card can never be printed or logged in full.
    public var description: String { "\(brand) •••• \(lastFour)" }
    public var debugDescription: String { description }
}
