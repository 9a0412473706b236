import Foundation

extension UUID {
    /// The text clients see for a public identifier: the UUID in lower case. The one place a UUID
    /// becomes text.
    public var publicString: String { uuidString.lowercased() }
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
        guard let uuid = UUID(uuidString: text) else { return nil }
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
        guard let uuid = UUID(uuidString: text) else {
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
