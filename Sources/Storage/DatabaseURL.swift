import Foundation

/// Where the shop's data lives, parsed from `GOMART_DATABASE_URL`.
///
/// - `sqlite:///absolute/path/gomart.sqlite` or `sqlite://relative/path.sqlite`: an SQLite file.
/// - `sqlite::memory:`: a private in-memory SQLite database (tests).
/// - `postgres://user:password@host:port/database`: PostgreSQL.
public enum DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    /// An SQLite database file at `path`.
    case sqliteFile(path: String)
    /// A private in-memory SQLite database, gone when closed.
    case sqliteMemory
    /// A PostgreSQL server, kept as the full URL.
    case postgres(url: String)

    /// Parses a database URL, or throws ``StorageError/invalidDatabaseURL(_:)``.
    public init(parsing text: String) throws {
        if text == "sqlite::memory:" || text == "sqlite://:memory:" {
            self = .sqliteMemory
        } else if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw StorageError.invalidDatabaseURL("sqlite:// needs a file path") }
            self = .sqliteFile(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else {
            throw StorageError.invalidDatabaseURL("expected sqlite:///path/to/file.sqlite or postgres://user:password@host/db")
        }
    }

    /// The SQL engine behind this URL.
    public var engine: SQLEngine {
        switch self {
        case .sqliteFile, .sqliteMemory: .sqlite
        case .postgres: .postgres
        }
    }

    /// The URL with any password removed, safe to log.
    public var description: String {
        switch self {
        case .sqliteFile(let path): return "sqlite://\(path)"
        case .sqliteMemory: return "sqlite::memory:"
        case .postgres(let url):
            if var components = URLComponents(string: url), components.password != nil {
                components.password = "****"
                return components.string ?? "postgres://****"
            }
            return url
        }
    }
}

/// The SQL engines GoMart runs on.
public enum SQLEngine: String, Sendable {
    /// Embedded SQLite, the default.
    case sqlite
    /// PostgreSQL, for scale-out.
    case postgres
}
