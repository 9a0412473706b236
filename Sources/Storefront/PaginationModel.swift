import Catalog
import GoMartModels

/// Links to the previous, next and nearby pages of a product list, keeping the other parameters.
struct PaginationModel: Sendable {
    struct PageLink: Sendable {
        var number: Int
        var url: String
        var current: Bool
        var gap: Bool
    }

    var show: Bool
    var previousURL: String?
    var nextURL: String?
    var pages: [PageLink]

    /// - Parameters:
    ///   - path: the list's path, e.g. `/aisles/bakery`.
    ///   - parameters: every parameter but `page`, in the order they should appear.
    init(page: Int, pageCount: Int, path: String, parameters: [(String, String)]) {
        func url(_ number: Int) -> String {
            var items = parameters
            if number > 1 { items.append(("page", String(number))) }
            return items.isEmpty ? path : "\(path)?\(QueryString.encode(items))"
        }
        show = pageCount > 1
        previousURL = page > 1 ? url(page - 1) : nil
        nextURL = page < pageCount ? url(page + 1) : nil
        var numbers = Set([1, pageCount])
        for number in max(1, page - 2)...min(pageCount, page + 2) { numbers.insert(number) }
        var links: [PageLink] = []
        var previous = 0
        for number in numbers.sorted() {
            if number > previous + 1 { links.append(PageLink(number: 0, url: "", current: false, gap: true)) }
            links.append(PageLink(number: number, url: url(number), current: number == page, gap: false))
            previous = number
        }
        pages = links
    }
}

/// Builds query strings for links.
enum QueryString {
    static func encode(_ items: [(String, String)]) -> String {
        items.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

import Foundation
