import Foundation

extension UUID {
    /// The text clients see for a public identifier: the UUID in lower case. The one place a UUID
    /// becomes text.
    ///
    /// Written out by hand: pages turn dozens of ids into text per request, and Foundation's
    /// `uuidString` goes through `sprintf` (it showed in profiles of signed-in pages).
    public var publicString: String {
        let hex: StaticString = "0123456789abcdef"
        return withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                hex.withUTF8Buffer { digits in
                    var at = 0
                    for (index, byte) in bytes.enumerated() {
                        if UUID.hyphenPrecedes(byte: index) {
                            text[at] = UInt8(ascii: "-")
                            at += 1
                        }
                        text[at] = digits[Int(byte >> 4)]
                        text[at + 1] = digits[Int(byte & 0x0F)]
                        at += 2
                    }
                }
                return 36
            }
        }
    }

    /// Reads a UUID written as 36 characters (`8-4-4-4-12` hex digits, any case); nil otherwise.
    /// By hand for the same reason as ``publicString`` (Foundation parses with `sscanf`).
    public init?(publicString text: String) {
        let utf8 = text.utf8
        guard utf8.count == 36 else { return nil }
        let parsed = utf8.withContiguousStorageIfAvailable { UUID.parse($0) } ?? Array(utf8).withUnsafeBufferPointer { UUID.parse($0) }
        guard let parsed else { return nil }
        self.init(uuid: parsed)
    }

    /// True when the text form has a hyphen before byte `index` (8-4-4-4-12 digits).
    private static func hyphenPrecedes(byte index: Int) -> Bool {
        index == 4 || index == 6 || index == 8 || index == 10
    }

    private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> uuid_t? {
        func nibble(_ character: UInt8) -> UInt8? {
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var result: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let valid = withUnsafeMutableBytes(of: &result) { bytes -> Bool in
            var at = 0
            for index in 0..<16 {
                if UUID.hyphenPrecedes(byte: index) {
                    guard text[at] == UInt8(ascii: "-") else { return false }
                    at += 1
                }
                guard let high = nibble(text[at]), let low = nibble(text[at + 1]) else { return false }
                bytes[index] = high << 4 | low
                at += 2
            }
            return true
        }
        return valid ? result : nil
    }
}

/// An unguessable identifier that clients see: a random UUID, written in lower case.
public protocol PublicIdentifier: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The UUID behind it.
    var uuid: UUID { get }
    /// Wraps `uuid`.
    init(uuid: UUID)
}

extension PublicIdentifier {
    /// Reads an identifier from its text (any case); nil when it is not a UUID.
    public init?(publicString text: String) {
        guard let uuid = UUID(publicString: text) else { return nil }
        self.init(uuid: uuid)
    }

    /// A new random identifier.
    public static func random() -> Self { Self(uuid: UUID()) }

    /// The text clients see: the UUID in lower case.
    public var publicString: String { uuid.publicString }

    public var description: String { uuid.publicString }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let uuid = UUID(publicString: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a UUID: \(text)"))
        }
        self.init(uuid: uuid)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A product's public identifier.
public struct ProductID: PublicIdentifier {
    public let uuid: UUID
    public init(uuid: UUID) { self.uuid = uuid }
}

/// An order's public identifier.
public struct OrderID: PublicIdentifier {
    public let uuid: UUID
    public init(uuid: UUID) { self.uuid = uuid }
}

/// A customer's internal identifier: the database row's id, never shown to clients (they see the
/// customer's public UUID).
public struct CustomerID: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The row id.
    public let rawValue: Int64

    /// Wraps a row id.
    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    public var description: String { String(rawValue) }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension Calendar {
    /// The Gregorian calendar in UTC: the shop's days for picking lists, reports and exports.
    public static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
