/// What can go wrong when reading the catalogue; controllers map these to 4xx answers.
public enum CatalogError: Error, Equatable, CustomStringConvertible {
    /// A query parameter was out of range or malformed.
    case invalidQuery(parameter: String, reason: String)
    /// No product has this identifier or slug.
    case productNotFound(String)
    /// No aisle has this slug.
    case aisleNotFound(String)

    public var description: String {
        switch self {
        case .invalidQuery(let parameter, let reason): "The parameter '\(parameter)' \(reason)."
        case .productNotFound: "We could not find that product."
        case .aisleNotFound: "We could not find that aisle."
        }
    }
}
