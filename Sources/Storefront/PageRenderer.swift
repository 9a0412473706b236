import Foundation
import Mustache

/// Renders page view models with the Mustache templates bundled in this module.
///
/// Templates are loaded once at start-up; a missing template is a start-up failure, not a 500
/// on the first request that needs it.
public struct PageRenderer: Sendable {
    /// The templates every page needs.
    static let requiredTemplates = ["home", "aisle", "search", "product", "error", "head", "foot", "product-card", "pagination",
                                     "sign-up", "sign-in", "account", "form-errors", "cart", "checkout", "order", "orders"]

    let library: MustacheLibrary

    /// Loads and checks the bundled templates.
    public static func load() async throws -> PageRenderer {
        guard let directory = Bundle.module.resourceURL?.appendingPathComponent("Templates").path else {
            throw StorefrontError.missingResources("Templates")
        }
        let library = try await MustacheLibrary(directory: directory)
        let missing = requiredTemplates.filter { library.getTemplate(named: $0) == nil }
        guard missing.isEmpty else { throw StorefrontError.missingResources(missing.joined(separator: ", ")) }
        return PageRenderer(library: library)
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
