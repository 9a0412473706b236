import Caching
import Foundation
import GoMartModels
import NIOCore
import Security
import Synchronization
import Web

/// Catalogue pages rendered once for every shopper, with holes where each shopper's own parts go.
///
/// Rendering a page through Mustache costs about a millisecond; serving it from here costs a
/// copy. A page is rendered with markers in place of the CSRF token and of the header's account
/// links and cart count, then split at the markers; each request fills the holes with its own
/// values. The static parts are also deflated once, so a gzipped answer costs no compression.
///
/// Entries belong to a catalogue cache generation (``Catalog/CatalogService/cacheGeneration()``):
/// when the catalogue changes (here or on another instance) they are dropped. The cache is bounded
/// by bytes and drops the least recently used pages first.
package final class PageCache: Sendable {
    /// A per-shopper part of a page.
    enum Hole: Sendable, Hashable {
        case csrfToken
        case shopperNav
    }

    /// A part of a page that only shoppers with personal recommendations get: it is inserted at
    /// its place for them, and costs everyone else nothing (the page's compressed parts do not
    /// know it is there).
    package enum Slot: Sendable, Hashable {
        /// A "Recommended for you" badge on the card of the product with this id.
        case badge(String)
        /// The "Recommended for you" row of the home page.
        case recommendedRow
        /// The mark before the heart of the product with this id, when it is a favourite.
        case favourite(String)
    }

    /// Where a slot sits: `offset` bytes into chunk `chunk`.
    struct Insertion: Sendable {
        let chunk: Int
        let offset: Int
        let slot: Slot
    }

    /// A rendered page: static chunks around holes (`chunks.count == holes.count + 1`), and the
    /// places of its slots.
    package struct Page: Sendable {
        let chunks: [[UInt8]]
        let holes: [Hole]
        let deflated: [Gzip.Part]
        let insertions: [Insertion]
        /// A hash of the whole rendering, for ETags.
        let tag: UInt64
        var size: Int { chunks.reduce(0) { $0 + $1.count } + deflated.reduce(0) { $0 + $1.deflated.count } }

        /// True when the page has a place for the "Recommended for you" row.
        package var hasRecommendedRow: Bool { insertions.contains { $0.slot == .recommendedRow } }
        /// True when the page has slots for personal parts.
        package var hasSlots: Bool { !insertions.isEmpty }

        /// The page with this shopper's parts filled in.
        package func body(_ parts: ShopperParts) -> ByteBuffer {
            let personal = parts.personal.flatMap { insertions.isEmpty ? nil : $0 }
            var size = chunks.reduce(0) { $0 + $1.count }
            size += holes.reduce(0) { $0 + ($1 == .csrfToken ? parts.csrfToken.count : parts.shopperNav.count) }
            if let personal {
                size += personal.row.count + personal.badged.count * personal.badge.count + personal.favourites.count * PersonalParts.favouriteMark.count
            }
            var buffer = ByteBufferAllocator().buffer(capacity: size)
            var next = 0
            for (index, chunk) in chunks.enumerated() {
                if let personal {
                    var from = 0
                    while next < insertions.count && insertions[next].chunk == index {
                        let insertion = insertions[next]
                        buffer.writeBytes(chunk[from..<insertion.offset])
                        switch insertion.slot {
                        case .badge(let id): if personal.badged.contains(id) { buffer.writeBytes(personal.badge) }
                        case .recommendedRow: buffer.writeBytes(personal.row)
                        case .favourite(let id): if personal.favourites.contains(id) { buffer.writeBytes(PersonalParts.favouriteMark) }
                        }
                        from = insertion.offset
                        next += 1
                    }
                    buffer.writeBytes(chunk[from...])
                } else {
                    buffer.writeBytes(chunk)
                }
                if index < holes.count { buffer.writeBytes(holes[index] == .csrfToken ? parts.csrfToken : parts.shopperNav) }
            }
            return buffer
        }

        /// The same, gzipped. For most shoppers it is assembled from the parts deflated in advance;
        /// a page with personal parts is compressed afresh. Nil if the token is not of the length
        /// the parts were deflated for.
        package func gzippedBody(_ parts: ShopperParts) -> ByteBuffer? {
            guard parts.csrfToken.count == CSRFTokens.tokenLength else { return nil }
            if parts.personal != nil && !insertions.isEmpty {
                return Gzip.compress(body(parts).readableBytesView, level: 1)
            }
            let storedToken = Gzip.stored(parts.csrfToken)
            let storedNav = Gzip.stored(parts.shopperNav)
            var assembled = [deflated[0]]
            assembled.reserveCapacity(deflated.count * 2)
            for (index, hole) in holes.enumerated() {
                assembled.append(hole == .csrfToken ? storedToken : storedNav)
                assembled.append(deflated[index + 1])
            }
            return Gzip.assemble(assembled)
        }
    }

    /// What one shopper's request fills into a page.
    package struct ShopperParts: Sendable {
        package var csrfToken: [UInt8]
        package var shopperNav: [UInt8]
        package var personal: PersonalParts?

        package init(csrfToken: [UInt8], shopperNav: [UInt8], personal: PersonalParts? = nil) {
            self.csrfToken = csrfToken
            self.shopperNav = shopperNav
            self.personal = personal
        }

        /// A hash of everything filled in, for ETags.
        var hash: UInt64 {
            var hash = FNV1a.hash(shopperNav, seed: FNV1a.hash(csrfToken))
            if let personal {
                hash = withUnsafeBytes(of: personal.rowTag) { FNV1a.hash($0, seed: hash) }
                for id in personal.badged.sorted() { hash = FNV1a.hash(Array(id.utf8), seed: hash) }
                for id in personal.favourites.sorted() { hash = FNV1a.hash(Array("f\(id)".utf8), seed: hash) }
            }
            return hash
        }
    }

    /// The parts of a page only signed-in shoppers get: recommendations, and their favourites'
    /// hearts.
    package struct PersonalParts: Sendable {
        /// The products whose hearts show as favourites.
        package var favourites: Set<String> = []
        /// What goes before a favourite's heart: the page's style shows the heart filled.
        package static let favouriteMark = Array(#"<span class="is-favourite" hidden></span>"#.utf8)
        /// The products whose cards get the badge.
        package var badged: Set<String>
        /// The badge's HTML.
        package var badge: [UInt8]
        /// The home page's row, as HTML.
        package var row: [UInt8]
        /// A hash of the row apart from the CSRF token in it (which the ETag counts anyway): made
        /// once per rendered row rather than over its bytes on every request.
        package var rowTag: UInt64

        /// Creates the parts; `rowTag` defaults to a hash of `row`.
        package init(badged: Set<String>, badge: [UInt8], row: [UInt8], rowTag: UInt64? = nil) {
            self.badged = badged
            self.badge = badge
            self.row = row
            self.rowTag = rowTag ?? FNV1a.hash(row)
        }
    }

    /// What stands for the holes while rendering: letters, digits and dashes survive HTML
    /// escaping unchanged, and the random part cannot be guessed by whoever writes product names.
    package let csrfMarker: String
    package let navMarker: String
    /// Stands for the "Recommended for you" row.
    package let rowMarker: String
    /// What every marker starts with.
    private let stem: String

    private struct State {
        /// Renderings under way, so that a burst of requests for a page just dropped renders it
        /// once: by flight key, the requests waiting for each.
        var rendering: [String: [CheckedContinuation<Flight, Never>]] = [:]
    }

    /// What a request that missed the cache does.
    private enum Flight: Sendable {
        /// Render the page and hand it to those who wait.
        case lead
        /// Take the page another request rendered.
        case rendered(Page)
        /// The rendering it waited for failed: render on its own.
        case renderAlone
    }

    /// The most bytes held (static text plus its deflated copy).
    let budget: Int
    /// How long a page may be served; zero turns the cache off.
    let timeToLive: Duration
    private let state = Mutex(State())
    private let pages: BoundedCache<String, Page>

    package init(budget: Int = 24 * 1_024 * 1_024, timeToLive: Duration = .seconds(300)) {
        self.budget = budget
        self.timeToLive = timeToLive
        pages = BoundedCache(name: "pages", capacity: .max, costLimit: max(budget, 1), timeToLive: timeToLive, cost: \.size)
        let nonce = UUID().publicString.replacingOccurrences(of: "-", with: "")
        stem = "gmhole\(nonce)"
        csrfMarker = "gmhole\(nonce)csrf"
        navMarker = "<!--gmhole\(nonce)nav-->"
        rowMarker = "<!--gmhole\(nonce)row-->"
    }

    /// Stands for the mark before the heart of the product with this id.
    package func favouriteMarker(for productID: String) -> String {
        "<!--\(stem)fav:\(productID)-->"
    }

    /// Stands for the badge on the card of the product with this id.
    package func badgeMarker(for productID: String) -> String {
        "<!--\(stem)badge:\(productID)-->"
    }

    var isEnabled: Bool { timeToLive > .zero && budget > 0 }

    /// The page under `key` for this catalogue `generation`: the stored one, or the one another
    /// request is rendering right now, or a new rendering made with `render` and stored.
    package func page(for key: String, generation: UInt64, render: @escaping @Sendable () async throws -> String) async throws -> Page {
        if let page = page(for: key, generation: generation) { return page }
        guard isEnabled else { return makePage(from: try await render()) }
        // The first request to miss renders the page itself; requests that miss while it does
        // wait for its page. If its rendering fails, each of them renders on its own.
        let flightKey = "\(generation) \(key)"
        let flight: Flight = await withCheckedContinuation { continuation in
            let leads = state.withLock { locked -> Bool in
                if locked.rendering[flightKey] != nil {
                    locked.rendering[flightKey]?.append(continuation)
                    return false
                }
                locked.rendering[flightKey] = []
                return true
            }
            if leads { continuation.resume(returning: .lead) }
        }
        switch flight {
        case .rendered(let page): return page
        case .renderAlone: return makePage(from: try await render())
        case .lead: break
        }
        var page: Page?
        defer {
            let waiting = state.withLock { $0.rendering.removeValue(forKey: flightKey) } ?? []
            for waiter in waiting { waiter.resume(returning: page.map(Flight.rendered) ?? .renderAlone) }
        }
        let made = makePage(from: try await render())
        store(made, for: key, generation: generation)
        page = made
        return made
    }

    /// The page stored under `key` for this catalogue `generation`, if any.
    func page(for key: String, generation: UInt64) -> Page? {
        pages.value(for: key, generation: generation)
    }

    /// Stores `page` under `key`; a newer `generation` first drops every older page, and a page
    /// rendered from reads older than the stored pages' is not kept.
    func store(_ page: Page, for key: String, generation: UInt64) {
        guard isEnabled else { return }
        pages.store(page, for: key, generation: generation)
    }

    /// Pages held, bytes held, hits and misses.
    var statistics: (pages: Int, bytes: Int, hits: UInt64, misses: UInt64) {
        let statistics = pages.statistics
        return (statistics.entries, statistics.cost, statistics.hits, statistics.misses)
    }

    /// Splits a page rendered with the markers into chunks and holes, notes where its slots are,
    /// and deflates the chunks.
    package func makePage(from html: String) -> Page {
        var chunks: [[UInt8]] = []
        var holes: [Hole] = []
        var insertions: [Insertion] = []
        var current: [UInt8] = []
        var rest = Substring(html)
        while let found = rest.range(of: stem) {
            let after = rest[found.upperBound...]
            let isComment = rest[..<found.lowerBound].hasSuffix("<!--")
            var start = found.lowerBound
            var end = found.upperBound
            var hole: Hole?
            var slot: Slot?
            if after.hasPrefix("csrf") {
                hole = .csrfToken
                end = after.index(after.startIndex, offsetBy: 4)
            } else if isComment, let close = after.range(of: "-->") {
                let name = after[..<close.lowerBound]
                switch name {
                case "nav": hole = .shopperNav
                case "row": slot = .recommendedRow
                default:
                    if name.hasPrefix("badge:") { slot = .badge(String(name.dropFirst("badge:".count))) }
                    if name.hasPrefix("fav:") { slot = .favourite(String(name.dropFirst("fav:".count))) }
                }
                if hole != nil || slot != nil {
                    start = rest.index(found.lowerBound, offsetBy: -4)
                    end = close.upperBound
                }
            }
            current += rest[..<start].utf8
            if let hole {
                chunks.append(current)
                current = []
                holes.append(hole)
            } else if let slot {
                insertions.append(Insertion(chunk: chunks.count, offset: current.count, slot: slot))
            } else {
                current += rest[start..<end].utf8 // not one of ours after all
            }
            rest = rest[end...]
        }
        current += rest.utf8
        chunks.append(current)
        let deflated = Gzip.deflate(chunks: chunks, holes: holes.map { $0 == .csrfToken ? .fixedLength(CSRFTokens.tokenLength) : .anyLength })
        return Page(chunks: chunks, holes: holes, deflated: deflated, insertions: insertions, tag: FNV1a.hash(html.utf8))
    }
}
