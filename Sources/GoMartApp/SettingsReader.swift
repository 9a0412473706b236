import Configuration
import Foundation
import GoMartModels

/// Reads `GOMART_*` settings through swift-configuration, in order: command-line flags, then the
/// environment, then secrets from files (`GOMART_X_FILE` names a file holding `GOMART_X`, as
/// Docker and Kubernetes secrets are mounted); the sections' own defaults come last. Every bad
/// value is noted, so that a refusal lists them all at once.
final class SettingsReader {
    /// Settings that may come from a file.
    static let secretsFromFiles = ["GOMART_SECRET_KEY", "GOMART_DATABASE_URL", "GOMART_BACKUP_KEY", "GOMART_SMTP_URL", "GOMART_SMS_TOKEN", "GOMART_STRIPE_SECRET_KEY"]

    private let reader: ConfigReader
    private(set) var problems: [String] = []

    /// A reader over `flags` (by variable name) and `environment`.
    init(flags: [String: String], environment: [String: String]) {
        var secrets: [AbsoluteConfigKey: ConfigValue] = [:]
        var problems: [String] = []
        for name in Self.secretsFromFiles where (environment[name] ?? "").isEmpty {
            guard let path = environment[name + "_FILE"], !path.isEmpty else { continue }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                problems.append("\(name)_FILE names a file that cannot be read: \(path)")
                continue
            }
            secrets[Self.key(name)] = ConfigValue(.string(text.trimmingCharacters(in: .whitespacesAndNewlines)), isSecret: true)
        }
        reader = ConfigReader(providers: [
            InMemoryProvider(name: "flags", values: Dictionary(uniqueKeysWithValues: flags.map { (Self.key($0.key), ConfigValue(.string($0.value), isSecret: false)) })),
            EnvironmentVariablesProvider(environmentVariables: environment, secretsSpecifier: .specific(Set(Self.secretsFromFiles))),
            InMemoryProvider(name: "secret files", values: secrets),
        ])
        self.problems = problems
    }

    /// The configuration key of an environment variable: `GOMART_FREE_DELIVERY_FROM` is
    /// `gomart.free.delivery.from`, which the environment provider spells back the same way.
    static func key(_ variable: String) -> AbsoluteConfigKey {
        AbsoluteConfigKey(variable.lowercased().split(separator: "_").map(String.init))
    }

    /// Notes a problem.
    func note(_ problem: String) {
        problems.append(problem)
    }

    /// The text of `variable`; nil when it is unset or empty.
    func text(_ variable: String) -> String? {
        let value = reader.string(forKey: ConfigKey(Self.key(variable).components), isSecret: Self.secretsFromFiles.contains(variable))
        return value.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A whole number within `range`, or `fallback` when unset.
    func integer(_ variable: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let text = text(variable) else { return fallback }
        guard let number = Int(text), range.contains(number) else {
            note("\(variable) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
            return fallback
        }
        return number
    }

    /// true/false (also yes/no, 1/0), or `fallback` when unset.
    func boolean(_ variable: String, default fallback: Bool) -> Bool {
        guard let text = text(variable) else { return fallback }
        switch text.lowercased() {
        case "1", "true", "yes": return true
        case "0", "false", "no": return false
        default:
            note("\(variable) must be true or false, not '\(text)'")
            return fallback
        }
    }

    /// One of a type's named values (case-insensitive), or `fallback` when unset.
    func choice<Value: RawRepresentable & CaseIterable>(_ variable: String, default fallback: Value) -> Value where Value.RawValue == String {
        guard let text = text(variable) else { return fallback }
        guard let value = Value(rawValue: text.lowercased()) else {
            note("\(variable) must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
            return fallback
        }
        return value
    }

    /// An amount such as `3.99` in `currency`, or `fallback` minor units when unset.
    func money(_ variable: String, default fallback: Int64, currency: Currency) -> Money {
        guard let text = text(variable) else { return Money(minorUnits: fallback, currency: currency) }
        guard let amount = Money(decimal: text, currency: currency) else {
            note("\(variable) must be an amount such as 3.99, not '\(text)'")
            return Money(minorUnits: fallback, currency: currency)
        }
        return amount
    }

    /// An http:// or https:// address with a host; nil when unset or bad (noted).
    func httpAddress(_ variable: String) -> String? {
        guard let text = text(variable) else { return nil }
        guard (text.hasPrefix("http://") || text.hasPrefix("https://")) && URL(string: text)?.host != nil else {
            note("\(variable) must be an http:// or https:// address, not '\(text)'")
            return nil
        }
        return text
    }
}
