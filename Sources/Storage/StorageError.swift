/// Errors raised by the storage layer itself (not by SQL statements).
public enum StorageError: Error, Equatable, CustomStringConvertible {
    /// The database URL could not be understood.
    case invalidDatabaseURL(String)
    /// The database has been closed.
    case closed
    /// A transaction could not be undone on its own, so the whole commit it shared was abandoned.
    case transactionAborted

    public var description: String {
        switch self {
        case .invalidDatabaseURL(let reason): "Invalid database URL: \(reason)"
        case .closed: "The database is closed"
        case .transactionAborted: "The transaction was abandoned with the others in its commit; try again"
        }
    }
}
