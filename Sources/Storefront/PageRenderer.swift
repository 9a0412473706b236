import Catalog
import Foundation
import Mustache
import Web

/// Renders page view models with the Mustache templates bundled in this module.
///
/// Templates are loaded once at start-up; a missing template is a start-up failure, not a 500
/// on the first request that needs it.
public struct PageRenderer: Sendable {
    /// The templates every page needs.
    static let requiredTemplates = ["home", "aisle", "search", "product", "error", "head", "foot", "product-card", "pagination",
                                     "sign-up", "sign-in", "account", "form-errors", "cart", "checkout", "order", "orders", "recommended-row"]

    let library: MustacheLibrary
    /// The static files, for fingerprinted addresses.
    public let assets: StaticAssets
    /// Uploaded product pictures, for their smaller copies in `srcset`.
    var images: ProductImages?

    /// Loads and checks the bundled templates and static files (once per process: they are part
    /// of the program); links in the templates to static files are rewritten to their
    /// fingerprinted addresses.
    public static func load(images: ProductImages? = nil) async throws -> PageRenderer {
        let (library, assets) = try bundled.get()
        return PageRenderer(library: library, assets: assets, images: images)
    }

    private static let bundled = Result { () throws -> (MustacheLibrary, StaticAssets) in
        guard let directory = Bundle.module.resourceURL?.appendingPathComponent("Templates").path,
              let files = try? FileManager.default.contentsOfDirectory(atPath: directory)
        else {
            throw StorefrontError.missingResources("Templates")
        }
        guard let publicDirectory else { throw StorefrontError.missingResources("Public") }
        let assets = try StaticAssets(directory: publicDirectory, urlBase: "/static")
        var library = MustacheLibrary()
        for file in files where file.hasSuffix(".mustache") {
            let text = try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8)
            try library.register(assets.fingerprintingReferences(in: text), named: String(file.dropLast(".mustache".count)))
        }
        let missing = requiredTemplates.filter { library.getTemplate(named: $0) == nil }
        guard missing.isEmpty else { throw StorefrontError.missingResources(missing.joined(separator: ", ")) }
        return (library, assets)
    }

    /// The (fingerprinted) image for products of an aisle.
    func aisleImage(_ aisleSlug: String) -> String {
        assets.url(for: AisleImages.url(for: aisleSlug))
    }

    /// A product's picture: its own when one was uploaded, else the illustration of its kind
    /// (``ProductPictures``), else its aisle's; fingerprinted, so cached for a year.
    func productImage(_ product: Product) -> String { picture(product).src }

    /// A product's picture for an `img`: its address and, for an uploaded PNG or JPEG, the
    /// `srcset` of its sizes (the address is the copy 320 pixels wide, where there is one).
    func picture(_ product: Product) -> (src: String, srcset: String?) {
        guard let name = product.image else { return (assets.url(for: ProductPictures.url(for: product.name, aisle: product.aisleSlug)), nil) }
        guard let sizes = images?.sourceSet(of: name), let largest = sizes.last else { return ("/images/\(name)", nil) }
        return ((sizes.first { $0.width >= 320 } ?? largest).url, sizes.map { "\($0.url) \($0.width)w" }.joined(separator: ", "))
    }

    /// A product as listings show it.
    func card(_ product: Product) -> ProductCard {
        let picture = picture(product)
        var card = ProductCard(product, image: picture.src)
        card.srcset = picture.srcset
        return card
    }

    /// Renders `model` with the template `name`.
    func render(_ model: some Sendable, template name: String) throws -> String {
        guard let html = library.render(model, withTemplate: name) else {
            throw StorefrontError.missingResources(name)
        }
        return html
    }

    /// The folder of static files served under `/static`.
    public static var publicDirectory: String? {
        Bundle.module.resourceURL?.appendingPathComponent("Public").path
    }
}

/// Start-up failures of the storefront.
public enum StorefrontError: Error, CustomStringConvertible {
    /// A bundled template or asset folder is missing from the build.
    case missingResources(String)

    public var description: String {
        switch self {
        case .missingResources(let what): "Storefront resources missing: \(what)"
        }
    }
}
