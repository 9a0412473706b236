import BackOffice
import CPictures
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// The product form's fields for a new product.
let productForm: [(String, String)] = [
    ("sku", "NEW-100"), ("name", "Wild Garlic Focaccia"), ("brand", "Town Bakery"), ("aisle", "Bakery"), ("price", "3.20"), ("pack_size", "800 g"),
    ("keywords", "bread"), ("low_stock_threshold", "4"), ("stock", "10"), ("description", "Slow proved."),
]

@Suite struct AdminCataloguePageTests {
    @Test func everyCatalogueRouteRefusesTheRolesWithoutTheRight() async throws {
        try await withStaffTestApp { client, addStaff in
            var manager = try await signedInStaff(client, addStaff, .manager)
            let created = try await manager.post(client, "/admin/products", form: productForm)
            let productPath = try #require(created.headers[.location])
            var refused: [StaffRole: Browser] = [:]
            for role in [StaffRole.picker, .driver, .support] { refused[role] = try await signedInStaff(client, addStaff, role) }
            var guest = Browser()
            _ = try await guest.get(client, "/")

            let reads = ["/admin/products", "/admin/products/new", productPath, "/admin/aisles", "/admin/catalogue/import",
                         "/admin/catalogue/products.csv", "/admin/catalogue/stock.csv", "/admin/orders.csv"]
            for path in reads {
                for role in [StaffRole.picker, .driver, .support] {
                    #expect(try await refused[role]!.get(client, path).status == .forbidden, "\(role) GET \(path)")
                }
                #expect(try await manager.get(client, path).status == .ok, "manager GET \(path)")
                #expect(try await guest.get(client, path).headers[.location]?.hasPrefix("/admin/sign-in?next=") == true)
            }
            let writes: [(String, [(String, String)])] = [
                ("/admin/products", productForm), (productPath, productForm), (productPath + "/withdraw", []), (productPath + "/reinstate", []),
                (productPath + "/stock", [("mode", "add"), ("quantity", "5"), ("reason", "delivery")]), ("/admin/aisles", [("name", "Deli")]),
                ("/admin/aisles/bakery", [("name", "Breads")]), ("/admin/aisles/bakery/move", [("direction", "up")]),
                ("/admin/catalogue/import/preview", [("csv", "sku,name\n")]), ("/admin/catalogue/import/apply", [("csv", "sku,name\n")]),
            ]
            for (path, form) in writes {
                for role in [StaffRole.picker, .driver, .support] {
                    #expect(try await refused[role]!.post(client, path, form: form).status == .forbidden, "\(role) POST \(path)")
                }
                #expect(try await guest.post(client, path, form: form).headers[.location]?.hasPrefix("/admin/sign-in?next=") == true)
            }
            // None of the refused changes happened.
            let page = String(buffer: try await manager.get(client, productPath).body)
            #expect(page.contains("<h2>Stock: 10</h2>"))
            #expect(String(buffer: try await manager.get(client, "/admin/aisles").body).contains(#"value="Bakery""#))
        }
    }

    @Test func aManagerAddsAProductChangesItsPriceAndStockAndTheShopFollowsAtOnce() async throws {
        try await withStaffTestApp { client, addStaff in
            var manager = try await signedInStaff(client, addStaff, .manager)
            var owner = try await signedInStaff(client, addStaff, .owner)
            var bad = productForm
            bad[4] = ("price", "lots")
            let refused = try await manager.post(client, "/admin/products", form: bad)
            #expect(refused.status == .unprocessableContent)
            #expect(String(buffer: refused.body).contains(#"<span class="field-error">&#39;lots&#39; is not a price such as 1.25</span>"#))

            let created = try await manager.post(client, "/admin/products", form: productForm)
            let productPath = try #require(created.headers[.location])
            let product = try await client.executeRequest(uri: "/api/v1/products?q=focaccia", method: .get, headers: [:], body: nil)
            #expect(String(buffer: product.body).contains(#""amountMinor":320"#))

            var edited = productForm.filter { $0.0 != "sku" && $0.0 != "stock" }
            edited[3] = ("price", "3.45")
            #expect(try await manager.post(client, productPath, form: edited).status == .seeOther)
            let shop = String(buffer: try await client.executeRequest(uri: "/api/v1/products?q=focaccia", method: .get, headers: [:], body: nil).body)
            #expect(shop.contains(#""amountMinor":345"#))

            #expect(try await manager.post(client, productPath + "/stock", form: [("mode", "add"), ("quantity", "14"), ("reason", "delivery"),
                                                                              ("note", "Morning bake")]).status == .seeOther)
            let tooMany = try await manager.post(client, productPath + "/stock", form: [("mode", "remove"), ("quantity", "40"), ("reason", "waste")])
            #expect(tooMany.status == .conflict)
            #expect(String(buffer: tooMany.body).contains("Only 24 in stock: stock cannot go below zero."))
            let page = String(buffer: try await manager.get(client, productPath).body)
            #expect(page.contains("<h2>Stock: 24</h2>"))
            #expect(page.contains(#"<td class="num">+14</td><td class="num">24</td><td>Delivery received <span class="muted">Morning bake</span>"#))

            #expect(try await manager.post(client, productPath + "/withdraw", form: []).status == .seeOther)
            let gone = String(buffer: try await client.executeRequest(uri: "/api/v1/products?q=focaccia", method: .get, headers: [:], body: nil).body)
            #expect(gone.contains(#""total":0"#))

            let audit = String(buffer: try await owner.get(client, "/admin/audit").body)
            #expect(audit.contains("<td>Staff manager</td><td>product.changed</td>"))
            #expect(audit.contains("<div>price: £3.20 → £3.45</div>"))
            #expect(audit.contains("<td>Staff manager</td><td>stock.adjusted</td>"))
            #expect(audit.contains("<td>Staff manager</td><td>product.withdrawn</td>"))
        }
    }

    @Test func aManagerLabelsAProductsFoodAndTheShopShowsIt() async throws {
        try await withStaffTestApp { client, addStaff in
            var manager = try await signedInStaff(client, addStaff, .manager)
            let created = try await manager.post(client, "/admin/products", form: productForm)
            let productPath = try #require(created.headers[.location])
            let labelled = productForm.filter { $0.0 != "sku" && $0.0 != "stock" } + [
                ("allergen-gluten", "on"), ("allergen-sesame", "on"), ("diet-vegan", "on"), ("ingredients", "Wheat flour, olive oil, sesame"),
                ("origin", "Italy"), ("energy_kcal", "265"), ("salt_g", "1.2"), ("minimum_age", ""),
            ]
            #expect(try await manager.post(client, productPath, form: labelled).status == .seeOther)
            let form = String(buffer: try await manager.get(client, productPath).body)
            #expect(form.contains(#"<input type="checkbox" id="f-allergen-sesame" name="allergen-sesame" checked>"#))
            #expect(form.contains(#"<input type="checkbox" id="f-allergen-milk" name="allergen-milk">"#))
            #expect(form.contains(#"name="salt_g" type="text" value="1.2""#))

            let api = try await client.execute(uri: "/api/v1/products?q=focaccia", method: .get) { try $0.json() }
            let food = try #require((api["products"] as? [[String: Any]])?.first?["food"] as? [String: Any])
            #expect(food["allergens"] as? [String] == ["gluten", "sesame"])
            #expect((food["nutrition"] as? [String: Any])?["saltMg"] as? Int == 1200)

            var bad = labelled
            bad.append(("sugars_g", "2"))
            bad.append(("carbohydrate_g", "1"))
            let refused = try await manager.post(client, productPath, form: bad)
            #expect(refused.status == .unprocessableContent)
            #expect(String(buffer: refused.body).contains(#"<span class="field-error">is more than carbohydrate_g</span>"#))
        }
    }

    @Test func anImportShowsEveryProblemByLineThenAppliesAsAWhole() async throws {
        try await withStaffTestApp { client, addStaff in
            var manager = try await signedInStaff(client, addStaff, .manager)
            let bad = "sku,name,brand,aisle,price,pack_size,stock\nNEW-200,Rye Crackers,Nordic,Bakery,1.85,200 g,30\nNEW-201,Oat Crackers,Nordic,Bakery,cheap,200 g,3\n"
            let refused = try await manager.post(client, "/admin/catalogue/import/preview", form: [("csv", bad)])
            #expect(refused.status == .unprocessableContent)
            let html = String(buffer: refused.body)
            #expect(html.contains("<tr><td>3</td><td>price</td><td>&#39;cheap&#39; is not a price such as 1.25</td></tr>"))
            #expect(!html.contains("Apply these changes"))

            let good = "sku,name,brand,aisle,price,pack_size,stock\nNEW-200,Rye Crackers,Nordic,Bakery,1.85,200 g,30\n"
            let preview = String(buffer: try await manager.post(client, "/admin/catalogue/import/preview", form: [("csv", good)]).body)
            #expect(preview.contains("1 products: 1 new, 0 changed, 0 unchanged."))
            #expect(preview.contains("Apply these changes"))
            let applied = String(buffer: try await manager.post(client, "/admin/catalogue/import/apply", form: [("csv", good)]).body)
            #expect(applied.contains("Imported: 1 new, 0 updated, 0 new aisles."))
            let listed = String(buffer: try await manager.get(client, "/admin/products?q=rye").body)
            #expect(listed.contains("1 product."))
            let export = try await manager.get(client, "/admin/catalogue/products.csv")
            #expect(export.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(String(buffer: export.body).contains("NEW-200,Rye Crackers,Nordic,Bakery,1.85,200 g,30,no,,no,Bakery"))
        }
    }

    @Test func theProductPageAsItLooks() async throws {
        try await withStaffTestApp { client, addStaff in
            var manager = try await signedInStaff(client, addStaff, .manager)
            let created = try await manager.post(client, "/admin/products", form: productForm)
            let productPath = try #require(created.headers[.location])
            assertSnapshot(of: try await manager.get(client, productPath), named: "product")
            assertSnapshot(of: try await manager.get(client, "/admin/products?q=focaccia"), named: "products")
        }
    }
}

/// A tiny valid PNG (1×1, transparent).
let onePixelPNG: [UInt8] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
    0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
]

extension Browser {
    /// POSTs a multipart form with one file, as a browser's upload form does.
    mutating func upload(_ client: some TestClientProtocol, _ uri: String, field: String, fileName: String, bytes: [UInt8],
                         fields: [(String, String)] = []) async throws -> TestResponse {
        let boundary = "----gomart-test-boundary"
        var body: [UInt8] = []
        for (name, value) in [("_csrf", csrfToken)] + fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(fileName)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
        body += bytes + Array("\r\n--\(boundary)--\r\n".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let response = try await client.executeRequest(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: body))
        absorb(response)
        return response
    }
}

@Suite struct ProductPictureTests {
    @Test func aPictureIsCheckedByItsContentStoredUnderItsHashAndShownInTheShop() async throws {
        try await withStaffTestApp { client, addStaff in
            var manager = try await signedInStaff(client, addStaff, .manager)
            let productPath = try #require(try await manager.post(client, "/admin/products", form: productForm).headers[.location])
            _ = try await manager.get(client, productPath)

            let disguised = try await manager.upload(client, productPath + "/image", field: "image", fileName: "photo.png", bytes: Array("<svg onload=alert(1)>".utf8))
            #expect(disguised.status == .unprocessableContent)
            #expect(String(buffer: disguised.body).contains("The file is not a PNG, JPEG or WebP picture."))
            let tooBig = try await manager.upload(client, productPath + "/image", field: "image", fileName: "big.png",
                                                  bytes: onePixelPNG + [UInt8](repeating: 0, count: 2 * 1024 * 1024))
            #expect(tooBig.status == .unprocessableContent)
            #expect(String(buffer: tooBig.body).contains("The picture is larger than 2 MB."))

            #expect(try await manager.upload(client, productPath + "/image", field: "image", fileName: "pic.txt", bytes: onePixelPNG).status == .seeOther)
            let page = String(buffer: try await manager.get(client, productPath).body)
            let address = try #require(page.range(of: #"/images/[0-9a-f]{32}\.png"#, options: .regularExpression).map { String(page[$0]) })
            let served = try await client.executeRequest(uri: address, method: .get, headers: [:], body: nil)
            #expect(served.status == .ok)
            #expect(served.headers[.contentType] == "image/png")
            #expect(served.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(Array(buffer: served.body) == onePixelPNG)
            let shop = String(buffer: try await client.executeRequest(uri: "/search?q=focaccia", method: .get, headers: [:], body: nil).body)
            #expect(shop.contains(#"src="\#(address)""#))
            #expect(try await client.executeRequest(uri: "/images/..%2Fgomart.sqlite", method: .get, headers: [:], body: nil).status == .notFound)

            var picker = try await signedInStaff(client, addStaff, .picker)
            _ = try await picker.get(client, "/admin")
            #expect(try await picker.upload(client, productPath + "/image", field: "image", fileName: "p.png", bytes: onePixelPNG).status == .forbidden)
        }
    }

    @Test func anUploadedPhotoIsOfferedAtTheSizesScreensNeed() async throws {
        try await withStaffTestApp { client, addStaff in
            var manager = try await signedInStaff(client, addStaff, .manager)
            let productPath = try #require(try await manager.post(client, "/admin/products", form: productForm).headers[.location])
            _ = try await manager.get(client, productPath)
            let photo = try TestPictures.encode(TestPictures.picture(width: 1000, height: 600), width: 1000, height: 600, as: GM_PICTURE_JPEG)
            #expect(try await manager.upload(client, productPath + "/image", field: "image", fileName: "photo.jpg", bytes: photo).status == .seeOther)
            let page = String(buffer: try await manager.get(client, productPath).body)
            let hash = try #require(page.range(of: #"/images/[0-9a-f]{32}\.jpg"#, options: .regularExpression).map { String(page[$0].dropFirst(8).dropLast(4)) })
            let sizes = "/images/\(hash)-160.jpg 160w, /images/\(hash)-320.jpg 320w, /images/\(hash)-640.jpg 640w, /images/\(hash).jpg 1000w"

            let search = String(buffer: try await client.executeRequest(uri: "/search?q=focaccia", method: .get, headers: [:], body: nil).body)
            #expect(search.contains(#"src="/images/\#(hash)-320.jpg" srcset="\#(sizes)" sizes="(max-width: 600px) 45vw, 200px" alt="Wild Garlic Focaccia""#))
            let link = try #require(search.range(of: #"/products/[a-z0-9-]*focaccia[a-z0-9-]*"#, options: .regularExpression).map { String(search[$0]) })
            let product = String(buffer: try await client.executeRequest(uri: link, method: .get, headers: [:], body: nil).body)
            #expect(product.contains(#"src="/images/\#(hash)-320.jpg" srcset="\#(sizes)" sizes="(max-width: 760px) 60vw, 400px" alt="Wild Garlic Focaccia""#))

            let copy = try await client.executeRequest(uri: "/images/\(hash)-640.jpg", method: .get, headers: [:], body: nil)
            #expect(copy.status == .ok)
            #expect(copy.headers[.contentType] == "image/jpeg")
            #expect(copy.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(try TestPictures.decode(Array(buffer: copy.body), GM_PICTURE_JPEG).width == 640)
            #expect(try await client.executeRequest(uri: "/images/\(hash)-1280.jpg", method: .get, headers: [:], body: nil).status == .notFound)

            let broken = try await manager.upload(client, productPath + "/image", field: "image", fileName: "broken.jpg", bytes: Array(photo.prefix(20)))
            #expect(broken.status == .unprocessableContent)
            #expect(String(buffer: broken.body).contains("The picture cannot be read ("))
        }
    }
}
