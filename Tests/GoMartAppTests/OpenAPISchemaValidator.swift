import Foundation

/// Checks JSON values against the schemas of an OpenAPI 3.1 document.
///
/// It covers the JSON Schema keywords the GoMart document uses: `$ref`, `type`, `required`,
/// `properties`, `additionalProperties: false`, `items`, `enum`, `minimum`, `maximum`,
/// `maxLength`, `pattern` and `format: uuid`. An unknown keyword is an error, so the document
/// cannot silently outgrow the validator. The parsed document is never mutated after `init`,
/// which is why sharing it across tasks is safe.
struct OpenAPISchemaValidator: @unchecked Sendable {
    let document: [String: Any]
    static let knownKeywords: Set<String> = [
        "$ref", "type", "required", "properties", "additionalProperties", "items", "enum", "minimum", "maximum",
        "maxLength", "minLength", "maxItems", "minItems", "pattern", "format", "description", "examples", "default",
    ]

    init(data: Data) throws {
        document = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// The response schema for `method` on `path` (as written in the document), `status`, `contentType`.
    func responseSchema(path: String, method: String = "get", status: Int, contentType: String) -> [String: Any]? {
        let paths = document["paths"] as? [String: Any]
        let operation = (paths?[path] as? [String: Any])?[method] as? [String: Any]
        var response = (operation?["responses"] as? [String: Any])?[String(status)] as? [String: Any]
        if let reference = response?["$ref"] as? String, reference.hasPrefix("#/components/responses/") {
            let name = String(reference.dropFirst("#/components/responses/".count))
            response = ((document["components"] as? [String: Any])?["responses"] as? [String: Any])?[name] as? [String: Any]
        }
        let content = (response?["content"] as? [String: Any])?[contentType] as? [String: Any]
        return content?["schema"] as? [String: Any]
    }

    /// Every problem with `value` against `schema`, as JSON-pointer-ish paths.
    func validate(_ value: Any, against schema: [String: Any], at path: String = "$") -> [String] {
        var problems: [String] = []
        for keyword in schema.keys where !Self.knownKeywords.contains(keyword) {
            problems.append("\(path): validator does not know keyword \(keyword)")
        }
        if let reference = schema["$ref"] as? String {
            guard let resolved = resolve(reference) else { return ["\(path): unresolvable \(reference)"] }
            return problems + validate(value, against: resolved, at: path)
        }
        if let type = schema["type"] as? String, !matches(value, type: type) {
            return problems + ["\(path): expected \(type), got \(Swift.type(of: value))"]
        }
        if let options = schema["enum"] as? [Any], !options.contains(where: { "\($0)" == "\(value)" }) {
            problems.append("\(path): \(value) not in \(options)")
        }
        if let number = value as? NSNumber, !(value is Bool) {
            if let minimum = schema["minimum"] as? NSNumber, number.doubleValue < minimum.doubleValue { problems.append("\(path): below minimum") }
            if let maximum = schema["maximum"] as? NSNumber, number.doubleValue > maximum.doubleValue { problems.append("\(path): above maximum") }
        }
        if let string = value as? String {
            if let pattern = schema["pattern"] as? String, string.range(of: pattern, options: .regularExpression) == nil {
                problems.append("\(path): '\(string)' does not match \(pattern)")
            }
            if schema["format"] as? String == "uuid", UUID(uuidString: string) == nil { problems.append("\(path): not a uuid") }
            if schema["format"] as? String == "date-time", (try? Date(string, strategy: .iso8601)) == nil {
                problems.append("\(path): '\(string)' is not an RFC 3339 date-time")
            }
            if let maxLength = schema["maxLength"] as? Int, string.count > maxLength { problems.append("\(path): too long") }
            if let minLength = schema["minLength"] as? Int, string.unicodeScalars.count < minLength { problems.append("\(path): too short") }
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                problems.append("\(path): missing required \(name)")
            }
            for (name, member) in object {
                if let propertySchema = properties[name] as? [String: Any] {
                    problems += validate(member, against: propertySchema, at: "\(path).\(name)")
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    problems += validate(member, against: additional, at: "\(path).\(name)")
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(path): undocumented property \(name)")
                }
            }
        }
        if let array = value as? [Any] {
            if let minItems = schema["minItems"] as? Int, array.count < minItems { problems.append("\(path): fewer than \(minItems) items") }
            if let maxItems = schema["maxItems"] as? Int, array.count > maxItems { problems.append("\(path): more than \(maxItems) items") }
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, element) in array.enumerated() {
                problems += validate(element, against: items, at: "\(path)[\(index)]")
            }
        }
        return problems
    }

    func resolve(_ reference: String) -> [String: Any]? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: Any? = document
        for part in reference.dropFirst(2).split(separator: "/") {
            node = (node as? [String: Any])?[String(part)]
        }
        return node as? [String: Any]
    }

    func matches(_ value: Any, type: String) -> Bool {
        switch type {
        case "object": return value is [String: Any]
        case "array": return value is [Any]
        case "string": return value is String
        case "boolean":
            // JSONSerialization gives booleans as NSNumbers whose Objective-C type is "c" (char).
            return (value as? NSNumber).map { String(cString: $0.objCType) == "c" } ?? false
        case "integer":
            guard let number = value as? NSNumber, !matches(value, type: "boolean") else { return false }
            return number.doubleValue.rounded() == number.doubleValue
        case "number": return value is NSNumber && !matches(value, type: "boolean")
        default: return false
        }
    }
}
