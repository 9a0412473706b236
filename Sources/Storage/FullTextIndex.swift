import Foundation
import SQLKit

/// A full-text index over some text columns of a table, in each engine's own dialect.
///
/// SQLite uses an FTS5 external-content table kept in step by triggers; PostgreSQL uses a
/// generated `tsvector` column with a GIN index. Callers only see ``createStatements(engine:)``,
/// ``restrict(_:to:engine:)`` and ``rankOrdering(engine:)``, so no dialect leaks out of `Storage`.
public struct FullTextIndex: Sendable {
    /// The indexed table, which must have an integer primary key named `id`.
    public let table: String
    /// Indexed columns with their ranking weights (higher counts more).
    public let columns: [(name: String, weight: Double)]

    /// Describes a full-text index over `columns` of `table`.
    public init(table: String, columns: [(name: String, weight: Double)]) {
        self.table = table
        self.columns = columns
    }

    var indexTable: String { "\(table)_fts" }

    /// The DDL that creates the index and keeps it current.
    public func createStatements(engine: SQLEngine) -> [String] {
        let names = columns.map(\.name)
        switch engine {
        case .sqlite:
            let list = names.joined(separator: ", ")
            let newValues = names.map { "new.\($0)" }.joined(separator: ", ")
            let oldValues = names.map { "old.\($0)" }.joined(separator: ", ")
            return [
                """
                CREATE VIRTUAL TABLE \(indexTable) USING fts5(\(list), content='\(table)', content_rowid='id', \
                tokenize='unicode61 remove_diacritics 2', prefix='2 3')
                """,
                """
                CREATE TRIGGER \(indexTable)_ai AFTER INSERT ON \(table) BEGIN \
                INSERT INTO \(indexTable)(rowid, \(list)) VALUES (new.id, \(newValues)); END
                """,
                """
                CREATE TRIGGER \(indexTable)_ad AFTER DELETE ON \(table) BEGIN \
                INSERT INTO \(indexTable)(\(indexTable), rowid, \(list)) VALUES ('delete', old.id, \(oldValues)); END
                """,
                """
                CREATE TRIGGER \(indexTable)_au AFTER UPDATE ON \(table) BEGIN \
                INSERT INTO \(indexTable)(\(indexTable), rowid, \(list)) VALUES ('delete', old.id, \(oldValues)); \
                INSERT INTO \(indexTable)(rowid, \(list)) VALUES (new.id, \(newValues)); END
                """,
            ]
        case .postgres:
            let letters = ["A", "B", "C", "D"]
            let vector = columns.enumerated().map { index, column in
                "setweight(to_tsvector('simple', coalesce(\(column.name), '')), '\(letters[min(index, 3)])')"
            }.joined(separator: " || ")
            return [
                "ALTER TABLE \(table) ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (\(vector)) STORED",
                "CREATE INDEX \(table)_search_idx ON \(table) USING GIN (search_vector)",
            ]
        }
    }

    /// Turns free text into a prefix-matching query: every word must match the start of a word.
    ///
    /// Returns `nil` when the text holds no searchable word. Only letters and digits survive, so
    /// no user input can inject query syntax.
    public static func prefixTerms(_ text: String) -> [String]? {
        // Accents are folded here and in the indexed text, so "creme" and "crème" find each
        // other on every engine.
        let words = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en_US_POSIX")).lowercased()
            .split(whereSeparator: { !($0.isLetter || $0.isNumber) })
            .map(String.init)
            .prefix(10)
        return words.isEmpty ? nil : Array(words)
    }

    /// A word to look for: the whole word, or (with `prefix`) any word starting with it.
    public struct Term: Sendable, Hashable {
        /// Letters and digits only, folded (see ``prefixTerms(_:)``).
        public var word: String
        public var prefix: Bool

        /// Creates a term.
        public init(_ word: String, prefix: Bool) {
            self.word = word
            self.prefix = prefix
        }
    }

    /// The engine's query for `groups`: every group must match, a group matching when any of its
    /// terms does. Terms hold only letters and digits, so nothing a shopper types becomes syntax.
    static func query(_ groups: [[Term]], engine: SQLEngine) -> String {
        let safe = groups.map { $0.filter { !$0.word.isEmpty && $0.word.allSatisfy { $0.isLetter || $0.isNumber } } }.filter { !$0.isEmpty }
        switch engine {
        case .sqlite:
            return safe.map { group in
                let terms = group.map { "\"\($0.word)\"" + ($0.prefix ? "*" : "") }
                return terms.count == 1 ? terms[0] : "(" + terms.joined(separator: " OR ") + ")"
            }.joined(separator: " AND ")
        case .postgres:
            return safe.map { group in
                let terms = group.map { $0.word + ($0.prefix ? ":*" : "") }
                return terms.count == 1 ? terms[0] : "(" + terms.joined(separator: " | ") + ")"
            }.joined(separator: " & ")
        }
    }

    /// Restricts `select` (which reads from `table`) to rows matching every group of terms.
    public func restrict(_ select: SQLSelectBuilder, to groups: [[Term]], engine: SQLEngine) -> SQLSelectBuilder {
        let match = Self.query(groups, engine: engine)
        switch engine {
        case .sqlite:
            return select
                .join(SQLIdentifier(indexTable), on: SQLRaw("\(indexTable).rowid = \(table).id"))
                .where(SQLBinaryExpression(left: SQLIdentifier(indexTable), op: SQLRaw("MATCH"), right: SQLBind(match)))
        case .postgres:
            return select.where(SQLBinaryExpression(
                left: SQLColumn("search_vector", table: table), op: SQLRaw("@@"),
                right: SQLFunction("to_tsquery", args: SQLLiteral.string("simple"), SQLBind(match))
            ))
        }
    }

    /// An ORDER BY expression, best match first, valid after ``restrict(_:to:engine:)``.
    public func rankOrdering(engine: SQLEngine, groups: [[Term]]) -> any SQLExpression {
        switch engine {
        case .sqlite:
            // bm25 is smaller for better matches, so ascending order puts the best first.
            let weights = columns.map { String($0.weight) }.joined(separator: ", ")
            return SQLRaw("bm25(\(indexTable), \(weights)) ASC")
        case .postgres:
            return SQLOrderBy(
                expression: SQLFunction("ts_rank", args: SQLColumn("search_vector", table: table),
                                        SQLFunction("to_tsquery", args: SQLLiteral.string("simple"), SQLBind(Self.query(groups, engine: engine)))),
                direction: SQLDirection.descending
            )
        }
    }
}
