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
        let count = try await cart.itemCount(for: context.cartOwner)
        return HeaderModel(aisles: known, shopper: ShopperView(context, cartCount: count), currentAisle: currentAisle, searchQuery: searchQuery)
    }
}
