import Catalog
import Storage
import Foundation
@testable import Storefront
import TestSupport
import Testing

@Suite struct ProductPicturesTests {
    @Test func eachKindOfProductHasItsOwnPicture() {
        #expect(ProductPictures.kind(of: "Potatoes", aisle: "fruit-veg") == "potatoes")
        #expect(ProductPictures.kind(of: "GoMart Sweet Potatoes", aisle: "fruit-veg") == "sweet-potatoes")
        #expect(ProductPictures.kind(of: "GoMart Organic Baby Spinach", aisle: "fruit-veg") == "spinach")
        #expect(ProductPictures.kind(of: "British Chicken Breast Fillets", aisle: "meat-fish") == "chicken")
        #expect(ProductPictures.kind(of: "Scottish Salmon Fillets", aisle: "meat-fish") == "salmon")
        #expect(ProductPictures.kind(of: "GoMart Apple Juice", aisle: "drinks") == "apple-juice")
        #expect(ProductPictures.kind(of: "Crème Fraîche", aisle: "dairy-eggs") == "cream")
        // A name no rule knows keeps its aisle's picture.
        #expect(ProductPictures.url(for: "Mystery Item", aisle: "bakery") == "/static/images/aisles/bakery.svg")
    }

    @Test func everyDemoProductHasAKindsPictureAndEveryPictureIsInTheBuild() async throws {
        let (database, catalog) = try await TestDatabase.seededCatalog()
        let products = try await catalog.allProducts()
        let kinds = products.map { ProductPictures.kind(of: $0.name, aisle: $0.aisleSlug) }
        #expect(products.filter { ProductPictures.kind(of: $0.name, aisle: $0.aisleSlug) == nil }.map(\.name) == [])
        let used = Set(kinds.compactMap { $0 })
        #expect(used.count >= 60)
        let folder = try #require(PageRenderer.publicDirectory).appending("/images/products")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".svg") }.map { String($0.dropLast(4)) })
        #expect(Set(ProductPictures.rules.map(\.kind)).subtracting(files) == [])
        #expect(files.subtracting(used) == [])
        await database.close()
    }
}
