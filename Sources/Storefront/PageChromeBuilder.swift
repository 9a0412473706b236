import Cart
import Catalog
import Web

/// Builds what every page shares: the shop's name and the header (aisles, account, cart count).
struct PageChromeBuilder: Sendable {
    let catalog: CatalogService
    let cart: CartService
    let shop: ShopSettings

    var shopView: ShopView { ShopView(name: shop.name) }

    func header(_ context: ShopRequestContext, aisles: [Aisle]? = nil, currentAisle: String? = nil, searchQuery: String = "") async throws -> HeaderModel {
        let known: [Aisle]
        if let aisles { known = aisles } else { known = try await catalog.aisles() }
        let shopper = ShopperView(context, cartCount: try await cartCount(context))
        return HeaderModel(aisles: known, shopper: shopper, shopperNav: shopperNav(shopper), currentAisle: currentAisle, searchQuery: searchQuery)
    }

    /// The header for when the cart cannot be read (error pages): no count, but still the right links.
    func fallbackHeader(_ context: ShopRequestContext, aisles: [Aisle]) -> HeaderModel {
        let shopper = ShopperView(context, cartCount: 0)
        return HeaderModel(aisles: aisles, shopper: shopper, shopperNav: shopperNav(shopper))
    }

    /// Units in the shopper's cart; a visitor seen for the first time has none, so no query is needed.
    func cartCount(_ context: ShopRequestContext) async throws -> Int {
        if context.isNewVisitor && context.session == nil { return 0 }
        return try await cart.itemCount(for: context.cartOwner)
    }

    /// The account links and cart count in the header.
    ///
    /// Written out here rather than through a template: it is filled into every cached page on
    /// every request, and building it directly costs microseconds where a template costs tens.
    func shopperNav(_ shopper: ShopperView) -> String {
        var html = #"<nav class="account-nav" aria-label="Your account">"#
        html += #"<a class="cart-link" href="/cart">Cart <span class="cart-count" data-cart-count aria-label="\#(shopper.cartCount) items">\#(shopper.cartCount)</span></a>"#
        if shopper.signedIn {
            html += #"<a href="/buy-again">Buy it again</a><a href="/orders">Orders</a><a href="/account">Hi, \#(HTMLText.escape(shopper.firstName))</a>"#
            html += #"<form action="/account/sign-out" method="post" class="inline-form"><input type="hidden" name="_csrf" value="\#(HTMLText.escape(shopper.csrfToken))">"#
            html += #"<button type="submit" class="link-button">Sign out</button></form>"#
        } else {
            html += #"<a href="/account/sign-in">Sign in</a><a href="/account/sign-up">Register</a>"#
        }
        return html + "</nav>"
    }
}
