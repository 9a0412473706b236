/// Errors raised by the storage layer itself (not by SQL statements).
public enum StorageError: Error, Equatable, CustomStringConvertible {
    /// The database URL could not be understood.
    case invalidDatabaseURL(String)
    /// This build does not support the engine (PostgreSQL support lands separately).
    case engineNotSupported(SQLEngine)
    /// The database has been closed.
    case closed

    public var description: String {
        switch self {
        case .invalidDatabaseURL(let reason): "Invalid database URL: \(reason)"
        case .engineNotSupported(let engine): "The \(engine.rawValue) engine is not supported by this build"
        case .closed: "The database is closed"
        }
    }
}
