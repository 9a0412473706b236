import Foundation

/// A relevance test set for search, and how well search does on it.
///
/// A set is tab-separated text, one query a line: the query, its kind (`exact`, `multi-word`,
/// `misspelling`, `plural`, `synonym`, `brand`) and the SKUs that must appear in its first five
/// results, comma-separated. Lines starting with `#` and blank lines are skipped.
public enum SearchRelevance {
    /// One query of a set.
    public struct Case: Sendable, Hashable {
        public var query: String
        public var kind: String
        public var skus: [String]

        /// Creates a case.
        public init(query: String, kind: String, skus: [String]) {
            self.query = query
            self.kind = kind
            self.skus = skus
        }
    }

    /// What search made of a set.
    public struct Report: Sendable {
        /// One line of the report: all queries, or those of one kind.
        public struct Row: Sendable, Hashable {
            public var kind: String
            public var queries: Int
            /// The mean share of each query's expected products found in its first five results.
            public var recallAt5: Double
            /// The mean reciprocal rank of each query's first expected product in its first 20 results.
            public var meanReciprocalRank: Double
        }

        public var all: Row
        public var byKind: [Row]
        /// Queries that missed an expected product in their first five, with the SKUs missed.
        public var misses: [(query: String, missing: [String])]

        /// The report as a table for a terminal.
        public var table: String {
            let header = "kind          queries  recall@5    MRR"
            let lines = (byKind + [all]).map { row in
                row.kind.padding(toLength: 13, withPad: " ", startingAt: 0) + String(format: " %7d  %8.3f  %5.3f", row.queries, row.recallAt5, row.meanReciprocalRank)
            }
            return ([header] + lines).joined(separator: "\n")
        }
    }

    /// Reads a set; throws ``SetError`` naming the first malformed line.
    public static func parse(_ text: String) throws -> [Case] {
        var cases: [Case] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let skus = fields.count == 3 ? fields[2].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } : []
            guard fields.count == 3, !fields[0].isEmpty, !fields[1].isEmpty, !skus.isEmpty else { throw SetError(line: index + 1) }
            cases.append(Case(query: fields[0], kind: fields[1], skus: skus))
        }
        return cases
    }

    /// Runs every query of `cases` through `catalog`'s search (relevance order, out-of-stock
    /// products included) and scores it.
    public static func evaluate(_ cases: [Case], catalog: CatalogService, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) async throws -> Report {
        var scored: [(kind: String, recall: Double, reciprocalRank: Double)] = []
        var misses: [(query: String, missing: [String])] = []
        for (index, item) in cases.enumerated() {
            let found = try await catalog.products(matching: try ProductQuery(search: item.query, sort: .relevance, pageSize: 20)).products.map(\.sku)
            let top = Set(found.prefix(5))
            let missing = item.skus.filter { !top.contains($0) }
            let rank = found.firstIndex { item.skus.contains($0) }.map { $0 + 1 }
            scored.append((item.kind, Double(item.skus.count - missing.count) / Double(item.skus.count), rank.map { 1 / Double($0) } ?? 0))
            if !missing.isEmpty { misses.append((item.query, missing)) }
            progress(index + 1, cases.count)
        }
        func row(_ kind: String, _ rows: [(kind: String, recall: Double, reciprocalRank: Double)]) -> Report.Row {
            let count = max(rows.count, 1)
            return Report.Row(kind: kind, queries: rows.count, recallAt5: rows.map(\.recall).reduce(0, +) / Double(count),
                              meanReciprocalRank: rows.map(\.reciprocalRank).reduce(0, +) / Double(count))
        }
        let kinds = Array(Set(scored.map(\.kind))).sorted()
        return Report(all: row("all", scored), byKind: kinds.map { kind in row(kind, scored.filter { $0.kind == kind }) }, misses: misses)
    }

    /// A line of a set that is not "query<TAB>kind<TAB>SKU,SKU".
    public struct SetError: Error, CustomStringConvertible {
        public var line: Int
        public var description: String { "line \(line) of the relevance set is not “query<TAB>kind<TAB>SKU,SKU…”" }
    }
}
