import Foundation
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

    /// A rendered page: static chunks around holes (`chunks.count == holes.count + 1`).
    package struct Page: Sendable {
        let chunks: [[UInt8]]
        let holes: [Hole]
        let deflated: [Gzip.Part]
        /// A hash of the whole rendering, for ETags.
        let tag: UInt64
        var size: Int { chunks.reduce(0) { $0 + $1.count } + deflated.reduce(0) { $0 + $1.deflated.count } }

        /// The page with this shopper's token and header filled in.
        package func body(csrfToken token: [UInt8], shopperNav nav: [UInt8]) -> ByteBuffer {
            let holeBytes: Int = holes.reduce(0) { sum, hole in sum + (hole == .csrfToken ? token.count : nav.count) }
            let size: Int = chunks.reduce(0) { sum, chunk in sum + chunk.count } + holeBytes
            var buffer = ByteBufferAllocator().buffer(capacity: size)
            buffer.writeBytes(chunks[0])
            for (index, hole) in holes.enumerated() {
                buffer.writeBytes(hole == .csrfToken ? token : nav)
                buffer.writeBytes(chunks[index + 1])
            }
            return buffer
        }

        /// The same, gzipped from the parts deflated in advance; nil if the token is not of the
        /// length the parts were deflated for.
        package func gzippedBody(csrfToken token: [UInt8], shopperNav nav: [UInt8]) -> ByteBuffer? {
            guard token.count == CSRFTokens.tokenLength else { return nil }
            let storedToken = Gzip.stored(token)
            let storedNav = Gzip.stored(nav)
            var parts = [deflated[0]]
            parts.reserveCapacity(deflated.count * 2)
            for (index, hole) in holes.enumerated() {
                parts.append(hole == .csrfToken ? storedToken : storedNav)
                parts.append(deflated[index + 1])
            }
            return Gzip.assemble(parts)
        }
    }

    /// What stands for the holes while rendering: letters, digits and dashes survive HTML
    /// escaping unchanged, and the random part cannot be guessed by whoever writes product names.
    package let csrfMarker: String
    package let navMarker: String

    private struct Entry {
        var page: Page
        var expiresAt: ContinuousClock.Instant
        var lastUsed: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var generation: UInt64 = 0
        var bytes = 0
        var tick: UInt64 = 0
        var hits: UInt64 = 0
        var misses: UInt64 = 0
        /// Renderings under way, so that a burst of requests for a page just dropped renders it once.
        var rendering: [String: Task<Page, any Error>] = [:]
    }

    /// The most bytes held (static text plus its deflated copy).
    let budget: Int
    /// How long a page may be served; zero turns the cache off.
    let timeToLive: Duration
    private let state = Mutex(State())
    private let clock = ContinuousClock()

    package init(budget: Int = 24 * 1_024 * 1_024, timeToLive: Duration = .seconds(300)) {
        self.budget = budget
        self.timeToLive = timeToLive
        let nonce = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        csrfMarker = "gmhole\(nonce)csrf"
        navMarker = "<!--gmhole\(nonce)nav-->"
    }

    var isEnabled: Bool { timeToLive > .zero && budget > 0 }

    /// The page under `key` for this catalogue `generation`: the stored one, or the one another
    /// request is rendering right now, or a new rendering made with `render` and stored.
    package func page(for key: String, generation: UInt64, render: @escaping @Sendable () async throws -> String) async throws -> Page {
        if let page = page(for: key, generation: generation) { return page }
        guard isEnabled else { return makePage(from: try await render()) }
        let flightKey = "\(generation) \(key)"
        let task = state.withLock { locked -> Task<Page, any Error> in
            if let running = locked.rendering[flightKey] { return running }
            let task = Task { [self] in
                defer { self.state.withLock { _ = $0.rendering.removeValue(forKey: flightKey) } }
                let page = makePage(from: try await render())
                store(page, for: key, generation: generation)
                return page
            }
            locked.rendering[flightKey] = task
            return task
        }
        return try await task.value
    }

    /// The page stored under `key` for this catalogue `generation`, if any.
    func page(for key: String, generation: UInt64) -> Page? {
        let now = clock.now
        return state.withLock { state in
            state.tick += 1
            guard state.generation == generation, var entry = state.entries[key], entry.expiresAt > now else {
                state.misses += 1
                return nil
            }
            entry.lastUsed = state.tick
            state.entries[key] = entry
            state.hits += 1
            return entry.page
        }
    }

    /// Stores `page` under `key`; a newer `generation` first drops every older page.
    func store(_ page: Page, for key: String, generation: UInt64) {
        guard isEnabled, page.size <= budget / 8 else { return }
        let expiresAt = clock.now.advanced(by: timeToLive)
        state.withLock { state in
            if generation != state.generation {
                guard generation > state.generation else { return } // rendered from older reads
                state.entries.removeAll(keepingCapacity: true)
                state.bytes = 0
                state.generation = generation
            }
            if let old = state.entries[key] { state.bytes -= old.page.size }
            state.tick += 1
            state.entries[key] = Entry(page: page, expiresAt: expiresAt, lastUsed: state.tick)
            state.bytes += page.size
            if state.bytes > budget { evict(&state) }
        }
    }

    /// Pages held, bytes held, hits and misses.
    var statistics: (pages: Int, bytes: Int, hits: UInt64, misses: UInt64) {
        state.withLock { ($0.entries.count, $0.bytes, $0.hits, $0.misses) }
    }

    /// Splits a page rendered with the markers into chunks and holes, and deflates the chunks.
    package func makePage(from html: String) -> Page {
        var chunks: [[UInt8]] = []
        var holes: [Hole] = []
        var rest = Substring(html)
        while true {
            let csrf = rest.range(of: csrfMarker)
            let nav = rest.range(of: navMarker)
            let next: (Range<Substring.Index>, Hole)?
            switch (csrf, nav) {
            case let (csrf?, nav?): next = csrf.lowerBound < nav.lowerBound ? (csrf, .csrfToken) : (nav, .shopperNav)
            case let (csrf?, nil): next = (csrf, .csrfToken)
            case let (nil, nav?): next = (nav, .shopperNav)
            case (nil, nil): next = nil
            }
            guard let (range, hole) = next else { break }
            chunks.append(Array(rest[..<range.lowerBound].utf8))
            holes.append(hole)
            rest = rest[range.upperBound...]
        }
        chunks.append(Array(rest.utf8))
        let deflated = Gzip.deflate(chunks: chunks, holes: holes.map { $0 == .csrfToken ? .fixedLength(CSRFTokens.tokenLength) : .anyLength })
        return Page(chunks: chunks, holes: holes, deflated: deflated, tag: FNV1a.hash(html.utf8))
    }

    /// Drops the least recently used pages until a quarter of the budget is free.
    private func evict(_ state: inout State) {
        let now = clock.now
        for (key, entry) in state.entries where entry.expiresAt <= now {
            state.bytes -= entry.page.size
            state.entries[key] = nil
        }
        guard state.bytes > budget * 3 / 4 else { return }
        for (key, entry) in state.entries.sorted(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            state.bytes -= entry.page.size
            state.entries[key] = nil
            if state.bytes <= budget * 3 / 4 { break }
        }
    }
}
