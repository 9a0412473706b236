/// Errors raised by the storage layer itself (not by SQL statements).
public enum StorageError: Error, Equatable, CustomStringConvertible {
    /// The database URL could not be understood.
    case invalidDatabaseURL(String)
    /// The database has been closed.
    case closed

    public var description: String {
        switch self {
        case .invalidDatabaseURL(let reason): "Invalid database URL: \(reason)"
        case .closed: "The database is closed"
        }
    }
}
