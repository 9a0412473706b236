import Foundation

/// Where and to whom an order goes. Sealed before it is stored.
public struct DeliveryDetails: Sendable, Codable, Equatable {
    public var name: String
    public var line1: String
    public var line2: String?
    public var city: String
    public var postcode: String
    public var phone: String

    /// Creates delivery details; surrounding spaces are trimmed and the postcode upper-cased.
    public init(name: String, line1: String, line2: String? = nil, city: String, postcode: String, phone: String) {
        func trim(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
        self.name = trim(name)
        self.line1 = trim(line1)
        let second = trim(line2 ?? "")
        self.line2 = second.isEmpty ? nil : second
        self.city = trim(city)
        self.postcode = trim(postcode).uppercased()
        self.phone = trim(phone)
    }

    private enum CodingKeys: String, CodingKey {
        case name, line1, line2, city, postcode, phone
    }

    /// Decodes through ``init(name:line1:line2:city:postcode:phone:)``, so decoded details are
    /// trimmed and normalised like typed ones.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try container.decode(String.self, forKey: .name),
            line1: try container.decode(String.self, forKey: .line1),
            line2: try container.decodeIfPresent(String.self, forKey: .line2),
            city: try container.decode(String.self, forKey: .city),
            postcode: try container.decode(String.self, forKey: .postcode),
            phone: try container.decode(String.self, forKey: .phone)
        )
    }

    /// Every problem, keyed by field.
    public func problems() -> [String: String] {
        var problems: [String: String] = [:]
        func require(_ value: String, _ field: String, _ label: String, maximum: Int) {
            if value.isEmpty { problems[field] = "Please enter \(label)." }
            else if value.count > maximum { problems[field] = "\(label.prefix(1).uppercased() + label.dropFirst()) must be at most \(maximum) characters." }
        }
        require(name, "name", "the recipient's name", maximum: 100)
        require(line1, "line1", "the first line of the address", maximum: 120)
        if let line2, line2.count > 120 { problems["line2"] = "The second address line must be at most 120 characters." }
        require(city, "city", "the town or city", maximum: 60)
        let postcodeCharacters = postcode.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == " " || $0 == "-" }
        if postcode.isEmpty { problems["postcode"] = "Please enter the postcode." }
        else if postcode.count > 10 || !postcodeCharacters || !postcode.contains(where: \.isNumber) {
            problems["postcode"] = "Please check the postcode."
        }
        let digits = phone.filter(\.isNumber)
        if phone.isEmpty { problems["phone"] = "Please enter a phone number for the driver." }
        else if !phone.allSatisfy({ $0.isNumber || " +-()".contains($0) }) || !(7...15).contains(digits.count) {
            problems["phone"] = "Please enter a phone number of 7 to 15 digits."
        }
        return problems
    }

    /// The address on one line per part, for display.
    public var addressLines: [String] {
        [name, line1, line2, city, postcode].compactMap { $0 }.filter { !$0.isEmpty }
    }
}
