@testable import Catalog
import Foundation
import GoMartModels
import Storage
import TestSupport
import Testing

@Suite struct SearchTests {
    static let vocabulary = SearchVocabulary(
        texts: [("Loose Bananas", 10), ("GoMart Courgettes", 3), ("Greek Style Natural Yoghurt", 3), ("Free Range Eggs Large", 3),
                ("GoMart Cherry Tomatoes", 3), ("GoMart Strawberries", 3), ("GoMart Garden Peas", 3), ("GoMart Peaches", 3),
                ("Banana Bread", 1)],
        synonyms: [["courgette", "zucchini"], ["yoghurt", "yogurt"]]
    )

    @Test func wordsAreReadByTheirFormsSynonymsPrefixesOrClosestSpelling() {
        typealias Term = FullTextIndex.Term
        // Plurals and singulars find each other, as whole words ("peas" is not "peaches").
        #expect(Self.vocabulary.understand("egg")?.groups == [[Term("eggs", prefix: false)]])
        #expect(Self.vocabulary.understand("tomato")?.groups == [[Term("tomatoes", prefix: false)]])
        #expect(Self.vocabulary.understand("strawberry")?.groups == [[Term("strawberries", prefix: false)]])
        #expect(Self.vocabulary.understand("pea")?.groups == [[Term("peas", prefix: false)]])
        // Synonyms: no correction to report.
        #expect(Self.vocabulary.understand("zucchini") == UnderstoodSearch(groups: [[Term("courgettes", prefix: false)]]))
        #expect(Self.vocabulary.understand("greek yogurt") == UnderstoodSearch(groups: [[Term("greek", prefix: false)], [Term("yoghurt", prefix: false)]]))
        // Unfinished words match the words they start.
        #expect(Self.vocabulary.understand("straw")?.groups == [[Term("straw", prefix: true)]])
        // Misspellings: the closest word (one edit from "banana", two from "bananas"), reported for "Did you mean".
        // (The word as typed stays as a prefix: a word added to the catalogue since the vocabulary was read.)
        #expect(Self.vocabulary.understand("bananna") == UnderstoodSearch(groups: [[Term("banana", prefix: false), Term("bananas", prefix: false),
                                                                                    Term("bananna", prefix: true)]], correction: "banana"))
        #expect(Self.vocabulary.understand("loose bnaanas")?.correction == "loose bananas")
        #expect(Self.vocabulary.understand("gardn peas")?.correction == "garden peas")
        // Among words as close, the most used.
        let close = SearchVocabulary(texts: [("Cola", 1), ("Coda", 5)], synonyms: [])
        #expect(close.understand("cora")?.correction == "coda")
        // Common words are left out; words nothing is close to stay as typed.
        #expect(Self.vocabulary.understand("eggs and peas")?.groups == [[Term("eggs", prefix: false)], [Term("peas", prefix: false)]])
        #expect(Self.vocabulary.understand("zzzzzz") == UnderstoodSearch(groups: [[Term("zzzzzz", prefix: true)]]))
        #expect(Self.vocabulary.understand("*** ---") == nil)
        // While typing, the last word also matches the words it starts.
        #expect(Self.vocabulary.understand("banana", typing: true)?.groups == [[Term("banana", prefix: false), Term("bananas", prefix: false), Term("banana", prefix: true)]])
    }

    @Test func editDistanceCountsSwapsAsOneAndStopsAtItsLimit() {
        #expect(SearchVocabulary.distance(Array("yogurt"), Array("yoghurt"), limit: 2) == 1)
        #expect(SearchVocabulary.distance(Array("bnaana"), Array("banana"), limit: 2) == 1)
        #expect(SearchVocabulary.distance(Array("kitten"), Array("sitting"), limit: 3) == 3)
        #expect(SearchVocabulary.distance(Array("kitten"), Array("sitting"), limit: 1) == 2)
    }

    @Test func misspelledPluralAndSynonymSearchesFindTheirProducts() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let page = try await catalog.products(matching: try ProductQuery(search: "bananna"))
        #expect(page.correction == "banana")
        #expect(page.products.map(\.sku).prefix(2).sorted() == ["FV-0001", "FV-0002"])
        #expect(try await catalog.products(matching: try ProductQuery(search: "zucchini")).products.map(\.sku) == ["FV-0066"])
        #expect(try await catalog.products(matching: try ProductQuery(search: "courgette")).products.map(\.sku) == ["FV-0066"])
        #expect(try await catalog.products(matching: try ProductQuery(search: "king shrimp")).products.map(\.sku).sorted() == ["MF-0037", "MF-0038", "MF-0039"])
        let bananas = try await catalog.products(matching: try ProductQuery(search: "bananas"))
        #expect(bananas.correction == nil)
        await database.close()
    }

    /// The relevance test set in `bench/` on this engine: recall at 5 of at least 0.95.
    @Test func theRelevanceSetKeepsRecallAtFiveAtLeast95Percent() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../bench/search-relevance.tsv")
        let cases = try SearchRelevance.parse(try String(contentsOf: file, encoding: .utf8))
        #expect(cases.count >= 150)
        let report = try await SearchRelevance.evaluate(cases, catalog: catalog)
        #expect(report.all.recallAt5 >= 0.95, "\(report.table)\n\(report.misses.map { "\($0.query): \($0.missing)" }.joined(separator: "\n"))")
        await database.close()
    }
}
