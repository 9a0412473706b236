import Foundation
import Storage
import Synchronization

/// What search makes of what a shopper typed.
public struct UnderstoodSearch: Sendable, Hashable {
    /// One group per word of the query: every group must match, a group when any of its terms
    /// does (the word's own forms, its synonyms, or words starting with it).
    public var groups: [[FullTextIndex.Term]]
    /// The query with its misspellings corrected, when a correction changed it: the "Did you
    /// mean …" line.
    public var correction: String?

    /// Creates an understood search.
    public init(groups: [[FullTextIndex.Term]], correction: String? = nil) {
        self.groups = groups
        self.correction = correction
    }
}

/// The catalogue's words, and how search reads a query with them: typo-tolerant, plural-blind
/// and with the shop's synonyms, the same on every engine.
///
/// For each word of a query, in this order:
/// 1. its forms: the catalogue's words with the same stem ("eggs" finds "egg" and "eggs",
///    "tomato" finds "tomatoes", "berry" finds "berries"), as whole words;
/// 2. its synonyms' forms ("zucchini" finds "courgettes");
/// 3. failing both, words it starts ("straw" finds "strawberries": typing); a rare word that
///    mostly starts others is read both ways ("choc": "choc" and "chocolate");
/// 4. failing that, the catalogue's closest word by edit distance (insertions, deletions,
///    substitutions and swaps of two neighbours; one for words of 4 to 6 letters, two from 7),
///    the most used one when several are as close ("bananna" → "bananas"), and the query
///    reports the correction;
/// 5. failing everything, the word as typed (which then finds nothing).
/// Common words ("and", "with", "of", …) are left out unless the query has nothing else.
public struct SearchVocabulary: Sendable {
    /// Each word with how much it counts: products naming it (names, brands and keywords count
    /// three times a description) and units sold of them.
    let weights: [String: Int]
    /// The words of each stem.
    let forms: [String: [String]]
    /// Every word, sorted, for looking up words a prefix starts.
    let sorted: [String]
    /// Words by length, for corrections.
    let byLength: [Int: [String]]
    /// Each stem's alternatives from the synonym list.
    let synonyms: [String: [String]]

    /// Words a query is read without.
    public static let stopWords: Set<String> = ["a", "an", "and", "for", "in", "of", "or", "the", "to", "with"]

    /// Builds the vocabulary from the catalogue's texts (each with its weight) and synonym
    /// groups (words that mean the same: ["courgette", "zucchini"]).
    public init(texts: [(text: String, weight: Int)], synonyms groups: [[String]]) {
        var weights: [String: Int] = [:]
        for (text, weight) in texts {
            for word in Set(FullTextIndex.prefixTerms(text) ?? []) { weights[word, default: 0] += max(weight, 1) }
        }
        self.weights = weights
        forms = Dictionary(grouping: weights.keys, by: Self.stem).mapValues { $0.sorted() }
        sorted = weights.keys.sorted()
        byLength = Dictionary(grouping: weights.keys, by: \.count)
        var synonyms: [String: [String]] = [:]
        for group in groups {
            let words = group.compactMap { FullTextIndex.prefixTerms($0)?.joined(separator: " ") }.filter { !$0.contains(" ") }
            for word in words { synonyms[Self.stem(word), default: []].append(contentsOf: words.filter { $0 != word }) }
        }
        self.synonyms = synonyms
    }

    /// How many words it knows.
    public var count: Int { weights.count }

    /// Reads `text`; nil when it holds no word. `typing` treats the last word as unfinished too
    /// (suggestions as the shopper types): it also matches the words it starts.
    public func understand(_ text: String, typing: Bool = false) -> UnderstoodSearch? {
        guard let words = FullTextIndex.prefixTerms(text) else { return nil }
        let meaningful = words.filter { !Self.stopWords.contains($0) }
        let used = meaningful.isEmpty ? words : meaningful
        var groups: [[FullTextIndex.Term]] = []
        var read: [String] = []
        var corrected = false
        for (index, word) in used.enumerated() {
            var terms = meanings(of: word)
            var chosen = word
            if terms.isEmpty && startsWords(word) {
                terms = [FullTextIndex.Term(word, prefix: true)]
            } else if !terms.isEmpty && isMostlyAPrefix(word) {
                // A rare word that mostly starts others ("choc": chocolate) is read as both.
                terms.append(FullTextIndex.Term(word, prefix: true))
            }
            if terms.isEmpty, let fix = correction(of: word) {
                // The word as typed too: a word added to the catalogue since the vocabulary was
                // read still finds its products.
                terms = meanings(of: fix) + [FullTextIndex.Term(word, prefix: true)]
                chosen = fix
                corrected = true
            }
            if terms.isEmpty { terms = [FullTextIndex.Term(word, prefix: true)] }
            if typing && index == used.count - 1 && !terms.contains(FullTextIndex.Term(word, prefix: true)) && startsWords(word) {
                terms.append(FullTextIndex.Term(word, prefix: true))
            }
            groups.append(terms)
            read.append(chosen)
        }
        return UnderstoodSearch(groups: groups, correction: corrected ? read.joined(separator: " ") : nil)
    }

    /// The word's forms and its synonyms' forms (a synonym the catalogue lacks as a whole word
    /// matches the words it starts), as whole words.
    func meanings(of word: String) -> [FullTextIndex.Term] {
        let stems = Self.stems(of: word)
        var terms = stems.flatMap { forms[$0] ?? [] }.map { FullTextIndex.Term($0, prefix: false) }
        for alternative in stems.flatMap({ synonyms[$0] ?? [] }) {
            let alternatives = forms[Self.stem(alternative)] ?? []
            if alternatives.isEmpty {
                if startsWords(alternative) { terms.append(FullTextIndex.Term(alternative, prefix: true)) }
            } else {
                terms += alternatives.map { FullTextIndex.Term($0, prefix: false) }
            }
        }
        var seen = Set<FullTextIndex.Term>()
        return terms.filter { seen.insert($0).inserted }
    }

    /// True when the words `word` starts (its own forms aside) count five times as much as
    /// its forms: "choc" (chocolate) but not "pea" (peaches, peanuts, pears).
    func isMostlyAPrefix(_ word: String) -> Bool {
        let own = Set(Self.stems(of: word).flatMap { forms[$0] ?? [] })
        let ownWeight = own.reduce(0) { $0 + (weights[$1] ?? 0) }
        var longer = 0
        var index = firstIndex(notBelow: word)
        while index < sorted.count, sorted[index].hasPrefix(word) {
            if !own.contains(sorted[index]) { longer += weights[sorted[index]] ?? 0 }
            index += 1
        }
        return longer >= 5 * max(ownWeight, 1)
    }

    /// The index of the first word not sorting before `word`.
    func firstIndex(notBelow word: String) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < word { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// True when some word of the catalogue starts with `prefix` (and is longer).
    func startsWords(_ prefix: String) -> Bool {
        sorted[firstIndex(notBelow: prefix)...].prefix(2).contains { $0.hasPrefix(prefix) && $0 != prefix }
    }

    /// The catalogue's closest word to `word` within its edit budget, the most used first among
    /// equals; nil for words under 4 letters or with nothing close.
    func correction(of word: String) -> String? {
        let letters = Array(word)
        guard letters.count >= 4 else { return nil }
        let budget = letters.count >= 7 ? 2 : 1
        var best: (word: String, distance: Int, weight: Int)?
        for length in (letters.count - budget)...(letters.count + budget) {
            for candidate in byLength[length] ?? [] {
                let distance = Self.distance(letters, Array(candidate), limit: budget)
                guard distance <= budget else { continue }
                let weight = weights[candidate] ?? 0
                if let current = best, (current.distance, -current.weight, current.word) <= (distance, -weight, candidate) { continue }
                best = (candidate, distance, weight)
            }
        }
        return best?.word
    }

    /// The optimal string alignment distance between `a` and `b` (insertions, deletions,
    /// substitutions, swaps of neighbours), or `limit + 1` once it must exceed `limit`.
    static func distance(_ a: [Character], _ b: [Character], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowBest = current[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { value = min(value, previous2[j - 2] + 1) }
                current[j] = value
                rowBest = min(rowBest, value)
            }
            if rowBest > limit { return limit + 1 }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }

    /// A word's stem for matching singular and plural: "eggs" → "egg", "tomatoes" → "tomato",
    /// "peaches" → "peach", "berries" and "berry" → "berri", "cookies" and "cookie" → "cooki".
    /// Short words and words ending in "ss", "us" or "is" keep their "s".
    static func stem(_ word: String) -> String {
        guard word.count > 2, word.allSatisfy(\.isLetter) else { return word }
        if word.hasSuffix("ies") && word.count > 3 { return String(word.dropLast(2)) }
        if word.hasSuffix("ie") { return String(word.dropLast()) }
        guard word.count > 3 else { return word }
        if word.hasSuffix("oes") || word.hasSuffix("ches") || word.hasSuffix("shes") || word.hasSuffix("xes") || word.hasSuffix("sses") {
            return String(word.dropLast(2))
        }
        if word.hasSuffix("s") && !word.hasSuffix("ss") && !word.hasSuffix("us") && !word.hasSuffix("is") { return String(word.dropLast()) }
        if word.hasSuffix("y"), let before = word.dropLast().last, !"aeiou".contains(before) { return word.dropLast() + "i" }
        return word
    }

    /// The stems a query word may have: its own, and for a word ending in "s" the stem without
    /// it ("zucchinis" is "zucchini" though "tennis" keeps its "s").
    static func stems(of word: String) -> [String] {
        let own = stem(word)
        guard word.hasSuffix("s"), word.count > 3 else { return [own] }
        let shorter = stem(String(word.dropLast()))
        return shorter == own ? [own] : [own, shorter]
    }

    /// The synonyms a new shop starts with: British and American names of the same food, and
    /// common alternative spellings.
    public static let defaultSynonyms: [[String]] = [
        ["aubergine", "eggplant"], ["coriander", "cilantro"], ["rocket", "arugula"],
        ["yoghurt", "yogurt"], ["prawn", "shrimp"], ["biscuit", "cookie"], ["sweets", "candy"],
        ["chickpea", "garbanzo"], ["beetroot", "beet"], ["swede", "rutabaga"], ["porridge", "oatmeal"], ["nappy", "diaper"],
        ["mangetout", "snowpea"], ["clementine", "tangerine", "mandarin"], ["lolly", "popsicle"], ["houmous", "hummus"],
        ["parmigiano", "parmesan"], ["courgette", "zucchini"],
    ]
}

/// Words the shop's search treats as meaning the same ("courgette zucchini").
public struct SynonymGroup: Sendable, Hashable, Identifiable {
    public var id: Int64
    /// Single words, lower case.
    public var words: [String]

    /// Creates a group.
    public init(id: Int64, words: [String]) {
        self.id = id
        self.words = words
    }
}


/// What the search box suggests while a shopper types.
public struct SearchSuggestions: Sendable, Hashable {
    public var aisles: [Aisle]
    public var products: [Product]
    /// The words as corrected, when a misspelling was.
    public var correction: String?

    /// Creates suggestions.
    public init(aisles: [Aisle], products: [Product], correction: String?) {
        self.aisles = aisles
        self.products = products
        self.correction = correction
    }
}

/// The one search vocabulary of a process: built on first use, built again when older than
/// `refreshAfter` (zero: on every use) or after ``invalidate()``. One caller builds while the
/// others keep using the previous vocabulary.
final class VocabularyHolder: Sendable {
    private struct State {
        var vocabulary: SearchVocabulary?
        var builtAt: ContinuousClock.Instant?
        var building = false
        var generation = 0
    }

    private let state = Mutex(State())
    let refreshAfter: Duration

    init(refreshAfter: Duration) {
        self.refreshAfter = refreshAfter
    }

    func value(build: () async throws -> SearchVocabulary) async throws -> SearchVocabulary {
        let now = ContinuousClock.now
        let (current, mustBuild, generation) = state.withLock { state -> (SearchVocabulary?, Bool, Int) in
            let stale = state.builtAt.map { now - $0 >= refreshAfter } ?? true
            guard stale && (state.vocabulary == nil || !state.building) else { return (state.vocabulary, false, state.generation) }
            state.building = true
            return (state.vocabulary, true, state.generation)
        }
        if let current, !mustBuild { return current }
        do {
            let built = try await build()
            state.withLock { state in
                if mustBuild { state.building = false }
                // A vocabulary read before an invalidation is used but not kept.
                if state.generation == generation { (state.vocabulary, state.builtAt) = (built, now) }
            }
            return built
        } catch {
            if mustBuild { state.withLock { $0.building = false } }
            throw error
        }
    }

    func invalidate() {
        state.withLock { state in
            state.generation += 1
            state.builtAt = nil
        }
    }
}
