import Foundation

/// A coding key for any property name.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// Refuses a JSON object with properties other than `allowed`: a body with anything else is
    /// not the request it claims to be (400, like any body that is not the expected JSON).
    func onlyProperties(_ allowed: Set<String>) throws {
        let container = try container(keyedBy: AnyCodingKey.self)
        if let other = container.allKeys.first(where: { !allowed.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(forKey: other, in: container, debugDescription: "unexpected property \(other.stringValue)")
        }
    }
}
