import Foundation
import GoMartModels
import SQLKit
import Storage

extension CatalogueAdmin {
    /// The shop's synonym groups, alphabetically.
    public func synonyms() async throws -> [SynonymGroup] {
        try await catalog.repository.synonyms()
    }

    /// Adds a group of words search treats as meaning the same: 2 to 6 single words of letters
    /// and digits, up to 30 characters each ("courgette zucchini"). A word already in another
    /// group is refused, so that each word means one thing.
    @discardableResult
    public func addSynonyms(_ text: String, audit: CatalogueAudit? = nil) async throws -> SynonymGroup {
        let words = try Self.checkSynonyms(text)
        let existing = try await synonyms()
        if let clash = existing.first(where: { !Set($0.words).isDisjoint(with: words) }) {
            throw CatalogueAdminError.invalidFields(["words": "“\(Set(clash.words).intersection(words).sorted().joined(separator: "”, “"))” is already in “\(clash.words.joined(separator: " "))”"])
        }
        let stored = words.joined(separator: " ")
        try await database.transaction { sql in
            try await sql.insert(into: "search_synonyms").columns("words").values(SQLBind(stored)).run()
            try await SQLCatalogRepository.bumpVersion(sql)
            try await audit?(sql, CatalogueChange(subject: "synonyms", before: [:], after: ["words": stored]))
        }
        catalog.catalogueDidChange()
        guard let added = try await synonyms().first(where: { $0.words == words }) else { throw CatalogueAdminError.changedMeanwhile }
        return added
    }

    /// Removes a synonym group.
    public func removeSynonyms(id: Int64, audit: CatalogueAudit? = nil) async throws {
        guard let group = try await synonyms().first(where: { $0.id == id }) else { throw CatalogueAdminError.invalidFields(["id": "no such synonym group"]) }
        try await database.transaction { sql in
            try await sql.delete(from: "search_synonyms").where("id", .equal, SQLBind(id)).run()
            try await SQLCatalogRepository.bumpVersion(sql)
            try await audit?(sql, CatalogueChange(subject: "synonyms", before: ["words": group.words.joined(separator: " ")], after: [:]))
        }
        catalog.catalogueDidChange()
    }

    static func checkSynonyms(_ text: String) throws -> [String] {
        let words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "\t" }).map(String.init)
        var unique: [String] = []
        for word in words where !unique.contains(word) { unique.append(word) }
        guard (2...6).contains(unique.count), unique.allSatisfy({ (1...30).contains($0.count) && $0.allSatisfy { $0.isLetter || $0.isNumber } }) else {
            throw CatalogueAdminError.invalidFields(["words": "give 2 to 6 single words of letters and digits, separated by spaces or commas"])
        }
        return unique.sorted()
    }
}
