import Accounts
import Catalog
import Web

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
    /// The shopper's token for the page's forms.
    var shopper: ShopperView
    /// The account links and cart count, already rendered (see ``PageChromeBuilder``).
    var shopperNav: String

    init(aisles: [Aisle], shopper: ShopperView, shopperNav: String, currentAisle: String? = nil, searchQuery: String = "") {
        self.aisles = aisles.map { AisleLink(slug: $0.slug, name: $0.name, current: $0.slug == currentAisle) }
        self.searchQuery = searchQuery
        self.shopper = shopper
        self.shopperNav = shopperNav
    }
}

/// Who is shopping, as the header shows it, and the CSRF token every form carries.
struct ShopperView: Sendable {
    var signedIn: Bool
    var firstName: String
    var csrfToken: String
    var cartCount: Int

    init(_ context: ShopRequestContext, cartCount: Int) {
        signedIn = context.session != nil
        firstName = context.session?.customer.firstName ?? ""
        csrfToken = context.csrfToken
        self.cartCount = cartCount
    }

    /// Anyone at all: the view a shared, cached rendering uses, with `csrfToken` standing in for
    /// each shopper's own token.
    init(anonymousWithToken csrfToken: String) {
        signedIn = false
        firstName = ""
        self.csrfToken = csrfToken
        cartCount = 0
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
