import Foundation

/// The rules a new password must meet: 8 to 128 characters and not a commonly used password.
public struct PasswordPolicy: Sendable {
    /// The shortest password accepted.
    public static let minimumLength = 8
    /// The longest password accepted (bcrypt reads at most 72 bytes; longer still counts as typed).
    public static let maximumLength = 128

    let common: Set<String>

    /// Loads the bundled list of common passwords.
    public static func load() throws -> PasswordPolicy {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt") else {
            throw CocoaError(.fileNoSuchFile)
        }
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        return PasswordPolicy(common: Set(lines.filter { !$0.hasPrefix("#") }.map { $0.lowercased() }))
    }

    /// Creates a policy refusing the given common passwords.
    public init(common: Set<String>) {
        self.common = common
    }

    /// Why `password` is not acceptable, or `nil` if it is.
    public func problem(with password: String) -> String? {
        // Counted in code points, as the API's JSON Schema counts them.
        if password.unicodeScalars.count < Self.minimumLength { return "must be at least \(Self.minimumLength) characters" }
        if password.unicodeScalars.count > Self.maximumLength { return "must be at most \(Self.maximumLength) characters" }
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "must not contain control characters"
        }
        if common.contains(password.lowercased()) { return "is one of the most commonly used passwords; choose another" }
        return nil
    }

    /// How many common passwords the policy knows.
    public var commonPasswordCount: Int { common.count }
}
