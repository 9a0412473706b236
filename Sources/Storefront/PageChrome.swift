import Catalog

/// Title, description and canonical link of a page.
struct PageMeta: Sendable {
    var title: String
    var description: String
    var canonicalURL: String
    var noIndex: Bool = false
}

/// The shop's name as templates show it.
struct ShopView: Sendable {
    var name: String
}

/// The header: aisle navigation and the search box.
struct HeaderModel: Sendable {
    struct AisleLink: Sendable {
        var slug: String
        var name: String
        var current: Bool
    }

    var aisles: [AisleLink]
    var searchQuery: String

    init(aisles: [Aisle], currentAisle: String? = nil, searchQuery: String = "") {
        self.aisles = aisles.map { AisleLink(slug: $0.slug, name: $0.name, current: $0.slug == currentAisle) }
        self.searchQuery = searchQuery
    }
}

/// Images for aisles and their products: one illustration per demo aisle, a generic one otherwise.
enum AisleImages {
    static let known: Set<String> = [
        "fruit-veg", "bakery", "dairy-eggs", "meat-fish", "frozen", "pantry", "breakfast", "drinks",
        "snacks", "household", "baby", "health-beauty", "pet",
    ]

    static func file(for aisleSlug: String) -> String {
        known.contains(aisleSlug) ? "\(aisleSlug).svg" : "generic.svg"
    }

    static func url(for aisleSlug: String) -> String {
        "/static/images/aisles/\(file(for: aisleSlug))"
    }
}
