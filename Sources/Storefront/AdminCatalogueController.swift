import BackOffice
import Catalog
import Foundation
import GoMartModels
import Hummingbird
import Web

/// The back office's catalogue: products (search, filters, create, edit, withdraw, reinstate),
/// stock adjustments with their history and the low-stock list, aisles, CSV import with a
/// preview, and CSV exports.
public struct AdminCatalogueController: Sendable {
    public typealias Context = ShopRequestContext
    /// Import forms may carry a catalogue file this large (URL-encoded).
    public static let importFormBytes = 8 * 1024 * 1024
    /// The addresses that take a catalogue file.
    public static let importPaths: Set<String> = ["/admin/catalogue/import/preview", "/admin/catalogue/import/apply"]

    /// The limit for a form of `path` larger than usual: a catalogue file, or a picture (its
    /// limit and room for the form around it).
    @Sendable public static func formLimit(path: String) -> Int? {
        if importPaths.contains(path) { return importFormBytes }
        if path.hasPrefix("/admin/products/") && path.hasSuffix("/image") { return ProductImages.maximumBytes + 64 * 1024 }
        return nil
    }

    let desk: CatalogueDesk
    let pages: AdminPages
    let images: ProductImages

    /// Creates the controller.
    public init(desk: CatalogueDesk, staff: StaffService, renderer: PageRenderer, shop: ShopSettings, images: ProductImages) {
        self.desk = desk
        self.pages = AdminPages(staff: staff, renderer: renderer, shop: shop)
        self.images = images
    }

    /// Adds the routes under `/admin`.
    public func addRoutes(to router: Router<Context>) {
        router.get("/admin/products", use: list)
        router.get("/admin/products/new", use: newForm)
        router.post("/admin/products", use: create)
        router.get("/admin/products/:id", use: show)
        router.post("/admin/products/:id", use: update)
        router.post("/admin/products/:id/withdraw", use: withdraw)
        router.post("/admin/products/:id/reinstate", use: reinstate)
        router.post("/admin/products/:id/stock", use: adjustStock)
        router.post("/admin/products/:id/image", use: uploadImage)
        router.get("/images/:name", use: image)
        router.get("/admin/aisles", use: aisles)
        router.post("/admin/aisles", use: createAisle)
        router.post("/admin/aisles/:slug", use: renameAisle)
        router.post("/admin/aisles/:slug/move", use: moveAisle)
        router.get("/admin/synonyms", use: synonyms)
        router.post("/admin/synonyms", use: addSynonyms)
        router.post("/admin/synonyms/:id/delete", use: removeSynonyms)
        router.get("/admin/catalogue/import", use: importForm)
        router.post("/admin/catalogue/import/preview", use: previewImport)
        router.post("/admin/catalogue/import/apply", use: applyImport)
        router.get("/admin/catalogue/products.csv", use: exportProducts)
        router.get("/admin/catalogue/stock.csv", use: exportStock)
    }

    // MARK: - Product list

    struct ListPage: Sendable {
        struct Row: Sendable {
            var href: String
            var sku: String
            var name: String
            var brand: String
            var aisle: String
            var price: String
            var stock: Int
            var low: Bool
            var withdrawn: Bool
        }

        struct Option: Sendable {
            var value: String
            var label: String
            var selected: Bool
        }

        var chrome: AdminPages.Chrome
        var query: String
        var aisles: [Option]
        var showing: [Option]
        var rows: [Row]
        var hasRows: Bool
        var summary: String
        var canEdit: Bool
        var pagination: PaginationModel
    }

    static let pageSize = 50

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let query = FormURLEncoded.parse(request.uri.query)
            let text = String((query["q"]?.first ?? "").prefix(100))
            let aisle = query["aisle"]?.first.flatMap { $0.isEmpty ? nil : $0 }
            let showing = CatalogueAdmin.Showing(rawValue: query["show"]?.first ?? "all") ?? .all
            let page = max(Int(query["page"]?.first ?? "1") ?? 1, 1)
            let found = try await desk.products(for: member, containing: text, aisleSlug: aisle, showing: showing,
                                                offset: (page - 1) * Self.pageSize, limit: Self.pageSize)
            let aisles = try await desk.aisles(for: member)
            let parameters = [("q", text), ("aisle", aisle ?? ""), ("show", showing.rawValue)].filter { !$0.1.isEmpty }
            let model = ListPage(
                chrome: pages.chrome("Products", member, context, request: request), query: text,
                aisles: aisles.map { .init(value: $0.slug, label: $0.name, selected: $0.slug == aisle) },
                showing: CatalogueAdmin.Showing.allCases.map { .init(value: $0.rawValue, label: Self.label($0), selected: $0 == showing) },
                rows: found.products.map { managed in
                    ListPage.Row(href: "/admin/products/\(managed.product.id.publicString)", sku: managed.product.sku, name: managed.product.name,
                                 brand: managed.product.brand, aisle: managed.product.aisleName, price: managed.product.price.formatted,
                                 stock: managed.product.stock, low: managed.isLow, withdrawn: !managed.onSale)
                },
                hasRows: !found.products.isEmpty,
                summary: "\(found.total) product\(found.total == 1 ? "" : "s")",
                canEdit: member.may(.editCatalogue),
                pagination: PaginationModel(page: page, pageCount: max((found.total + Self.pageSize - 1) / Self.pageSize, 1),
                                            path: "/admin/products", parameters: parameters)
            )
            return try pages.html(model, template: "admin-products", request: request, context: context)
        }
    }

    static func label(_ showing: CatalogueAdmin.Showing) -> String {
        switch showing {
        case .all: "All"
        case .onSale: "On sale"
        case .withdrawn: "Withdrawn"
        case .lowStock: "Low stock"
        case .outOfStock: "Out of stock"
        }
    }

    // MARK: - One product

    struct ProductPage: Sendable {
        struct Field: Sendable {
            var name: String
            var label: String
            var value: String
            var error: String?
            var hint: String?
            /// The id of a list of suggestions.
            var list: String? = nil
        }

        struct Check: Sendable {
            var name: String
            var label: String
            var checked: Bool
        }

        struct Reason: Sendable {
            var value: String
            var label: String
        }

        struct History: Sendable {
            var at: String
            var change: String
            var stockAfter: Int
            var reason: String
            var note: String
            var actor: String
        }

        var chrome: AdminPages.Chrome
        var heading: String
        var action: String
        var isNew: Bool
        var id: String
        var sku: String
        var fields: [Field]
        var checks: [Check]
        /// The label's food information: allergens and dietary labels ticked, the rest typed.
        var allergenChecks: [Check]
        var dietChecks: [Check]
        var foodFields: [Field]
        var description: String
        var descriptionError: String?
        var aisles: [String]
        var canEdit: Bool
        var canAdjust: Bool
        var onSale: Bool
        var stock: Int
        var low: Bool
        var stockError: String?
        var reasons: [Reason]
        var history: [History]
        var hasHistory: Bool
        var storefrontHref: String?
        var formError: String?
        var image: String?
        var imageError: String?
    }

    @Sendable func newForm(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let aisles = try await desk.aisles(for: member)
            let model = productPage(member: member, context: context, request: request, managed: nil, history: [], values: ["stock": "0"],
                                    threshold: "5", errors: [:], aisles: aisles.map(\.name))
            return try pages.html(model, template: "admin-product", request: request, context: context)
        }
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let values = Self.productValues(context, includeSKUAndStock: true)
            let threshold = context.formValue("low_stock_threshold")
            do {
                let created = try await desk.create(values, lowStockThreshold: try Self.threshold(threshold), by: member)
                return .redirect(to: "/admin/products/\(created.product.id.publicString)", type: .normal)
            } catch CatalogueAdminError.invalidFields(let errors) {
                let aisles = try await desk.aisles(for: member)
                let model = productPage(member: member, context: context, request: request, managed: nil, history: [], values: values,
                                        threshold: threshold, errors: errors, aisles: aisles.map(\.name))
                return try pages.html(model, template: "admin-product", status: .unprocessableContent, request: request, context: context)
            }
        }
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let (managed, history) = try await desk.product(try Self.productID(context), for: member)
            let model = productPage(member: member, context: context, request: request, managed: managed, history: history,
                                    values: Self.values(managed), threshold: String(managed.lowStockThreshold), errors: [:],
                                    aisles: try await desk.aisles(for: member).map(\.name))
            return try pages.html(model, template: "admin-product", request: request, context: context)
        }
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let id = try Self.productID(context)
            let values = Self.productValues(context, includeSKUAndStock: false)
            let threshold = context.formValue("low_stock_threshold")
            do {
                try await desk.update(id, values, lowStockThreshold: try Self.threshold(threshold), by: member)
                return .redirect(to: "/admin/products/\(id.publicString)", type: .normal)
            } catch CatalogueAdminError.invalidFields(let errors) {
                let (managed, history) = try await desk.product(id, for: member)
                let model = productPage(member: member, context: context, request: request, managed: managed, history: history,
                                        values: values, threshold: threshold, errors: errors, aisles: try await desk.aisles(for: member).map(\.name))
                return try pages.html(model, template: "admin-product", status: .unprocessableContent, request: request, context: context)
            }
        }
    }

    @Sendable func withdraw(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let id = try Self.productID(context)
            try await desk.setOnSale(id, false, by: member)
            return .redirect(to: "/admin/products/\(id.publicString)", type: .normal)
        }
    }

    @Sendable func reinstate(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let id = try Self.productID(context)
            try await desk.setOnSale(id, true, by: member)
            return .redirect(to: "/admin/products/\(id.publicString)", type: .normal)
        }
    }

    @Sendable func adjustStock(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let id = try Self.productID(context)
            let quantity = Int(context.formValue("quantity").trimmingCharacters(in: .whitespaces))
            let change: CatalogueAdmin.StockChange?
            switch (context.formValue("mode"), quantity) {
            case ("add", let units?): change = .by(units)
            case ("remove", let units?): change = .by(-units)
            case ("count", let level?): change = .to(level)
            default: change = nil
            }
            do {
                guard let change, let reason = StockReason(rawValue: context.formValue("reason")) else {
                    throw CatalogueAdminError.invalidFields(["quantity": "enter a whole number of units, and choose what happened"])
                }
                try await desk.adjustStock(id, change, reason: reason, note: context.formValue("note"), by: member)
                return .redirect(to: "/admin/products/\(id.publicString)", type: .normal)
            } catch let error as CatalogueAdminError {
                let status: HTTPResponse.Status
                switch error {
                case .invalidFields: status = .unprocessableContent
                case .stockWouldGoNegative, .changedMeanwhile: status = .conflict
                default: throw error
                }
                let (managed, history) = try await desk.product(id, for: member)
                var model = productPage(member: member, context: context, request: request, managed: managed, history: history,
                                        values: Self.values(managed), threshold: String(managed.lowStockThreshold), errors: [:],
                                        aisles: try await desk.aisles(for: member).map(\.name))
                model.stockError = error.description
                return try pages.html(model, template: "admin-product", status: status, request: request, context: context)
            }
        }
    }

    func productPage(member: StaffMember, context: Context, request: Request, managed: ManagedProduct?, history: [StockAdjustment],
                     values: [String: String], threshold: String, errors: [String: String], aisles: [String]) -> ProductPage {
        let field = { (name: String, label: String, hint: String?) in
            ProductPage.Field(name: name, label: label, value: values[name] ?? "", error: errors[name], hint: hint)
        }
        var fields = [
            field("name", "Name", nil), field("brand", "Brand", nil), ProductPage.Field(name: "aisle", label: "Aisle", value: values["aisle"] ?? "", error: errors["aisle"],
                              hint: "An existing aisle, or a new one's name", list: "aisle-names"),
            field("price", "Price (£)", "Per kg when sold by weight"), field("pack_size", "Pack size", "500 g, 1 L, 6 x 330 ml, 4 pack, each or per kg"),
            field("keywords", "Search words", "Other words shoppers use for it"),
            ProductPage.Field(name: "low_stock_threshold", label: "Low-stock threshold", value: threshold, error: errors["low_stock_threshold"],
                              hint: "On the low-stock list at or below this many"),
        ]
        if managed == nil {
            fields.insert(field("sku", "SKU", "Letters, digits and '-'; it cannot change later"), at: 0)
            fields.append(field("stock", "Stock", "Units on the shelf now (grams when sold by weight)"))
        }
        fields += [
            field("weight_step_g", "Weight step (g)", "Sold by weight: shoppers choose weights in these steps (250 when empty)"),
            field("weight_min_g", "Least weight (g)", "Sold by weight (250 when empty)"),
            field("weight_max_g", "Most weight (g)", "Sold by weight (3000 when empty)"),
            field("average_weight_g", "Average weight each (g)", "Set it to sell by count instead, e.g. 180 for about 180 g each"),
            field("weight_tolerance_percent", "Weight tolerance (%)", "How far the picked weight may be from the ordered one (10 when empty)"),
            field("deposit", "Deposit per pack (£)", "Returnable deposit on its bottles or cans, e.g. 1.20 for six; empty for none"),
        ]
        let foodFields = [
            field("ingredients", "Ingredients", "As the label lists them"), field("origin", "Country of origin", nil),
            field("energy_kj", "Energy (kJ per 100 g or ml)", nil), field("energy_kcal", "Energy (kcal per 100 g or ml)", nil),
        ] + Nutrition.Nutrient.allCases.map { field($0.column, "\($0.name.prefix(1).uppercased() + $0.name.dropFirst()) (g per 100 g or ml)", nil) }
            + [field("minimum_age", "Minimum age to buy", "18 for alcohol and knives; empty when anyone may buy it")]
        let allergens = Set((values["allergens"] ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) })
        let diets = Set((values["dietary"] ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) })
        let formErrors = errors.filter { !(fields + foodFields).map(\.name).contains($0.key) && $0.key != "description" }
        return ProductPage(
            chrome: pages.chrome(managed.map { $0.product.name } ?? "New product", member, context, request: request),
            heading: managed.map { $0.product.name } ?? "New product",
            action: managed.map { "/admin/products/\($0.product.id.publicString)" } ?? "/admin/products",
            isNew: managed == nil, id: managed?.product.id.publicString ?? "", sku: managed?.product.sku ?? "",
            fields: fields,
            checks: [.init(name: "sold_by_weight", label: "Sold by weight", checked: values["sold_by_weight"] == "yes"),
                     .init(name: "featured", label: "Featured on the home page", checked: values["featured"] == "yes")],
            allergenChecks: Allergen.allCases.map { .init(name: "allergen-\($0.rawValue)", label: $0.name, checked: allergens.contains($0.rawValue)) },
            dietChecks: DietaryLabel.allCases.map { .init(name: "diet-\($0.rawValue)", label: $0.name, checked: diets.contains($0.rawValue)) },
            foodFields: foodFields,
            description: values["description"] ?? "", descriptionError: errors["description"],
            aisles: aisles, canEdit: member.may(.editCatalogue), canAdjust: managed != nil && member.may(.adjustStock),
            onSale: managed?.onSale ?? true, stock: managed?.product.stock ?? 0, low: managed?.isLow ?? false, stockError: nil,
            reasons: StockReason.allCases.filter { $0 != .initial }.map { .init(value: $0.rawValue, label: $0.label) },
            history: history.map { entry in
                ProductPage.History(at: AdminPages.timestamp(entry.at), change: entry.change > 0 ? "+\(entry.change)" : String(entry.change),
                                    stockAfter: entry.stockAfter, reason: entry.reason.label, note: entry.note,
                                    actor: entry.actor.hasPrefix("staff:") ? "staff" : entry.actor)
            },
            hasHistory: !history.isEmpty,
            storefrontHref: managed.flatMap { $0.onSale ? "/products/\($0.product.slug)" : nil },
            formError: formErrors.isEmpty ? nil : formErrors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; "),
            image: managed?.product.image.map { "/images/\($0)" }, imageError: nil
        )
    }

    static func values(_ managed: ManagedProduct) -> [String: String] {
        let product = managed.product
        return ["sku": product.sku, "name": product.name, "brand": product.brand, "aisle": product.aisleName, "price": product.price.decimalString,
                "pack_size": product.packSize, "sold_by_weight": product.soldByWeight ? "yes" : "no", "description": product.description,
                "featured": product.featured ? "yes" : "no", "keywords": managed.keywords, "stock": String(product.stock)]
            .merging(FoodInformation.columns(product.food, minimumAge: product.minimumAge)) { $1 }.merging(Weighing.columns(product.weighing)) { $1 }
            .merging(["deposit": product.deposit.minorUnits == 0 ? "" : product.deposit.decimalString]) { $1 }
    }

    /// The product form as the catalogue file's columns.
    static func productValues(_ context: Context, includeSKUAndStock: Bool) -> [String: String] {
        var values: [String: String] = [:]
        for name in ["name", "brand", "aisle", "price", "pack_size", "description", "keywords"] { values[name] = context.formValue(name) }
        values["sold_by_weight"] = context.formValue("sold_by_weight") == "on" ? "yes" : "no"
        values["featured"] = context.formValue("featured") == "on" ? "yes" : "no"
        for name in ["ingredients", "origin", "energy_kj", "energy_kcal", "minimum_age"] + Nutrition.Nutrient.allCases.map(\.column) + Weighing.columns + ["deposit"] {
            values[name] = context.formValue(name)
        }
        values["allergens"] = Allergen.allCases.filter { context.formValue("allergen-\($0.rawValue)") == "on" }.map(\.rawValue).joined(separator: "; ")
        values["dietary"] = DietaryLabel.allCases.filter { context.formValue("diet-\($0.rawValue)") == "on" }.map(\.rawValue).joined(separator: "; ")
        if includeSKUAndStock {
            values["sku"] = context.formValue("sku")
            values["stock"] = context.formValue("stock")
        }
        return values
    }

    static func threshold(_ text: String) throws -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw CatalogueAdminError.invalidFields(["low_stock_threshold": "must be a whole number from 0 to 100000"])
        }
        return value
    }

    static func productID(_ context: Context) throws -> ProductID {
        guard let id = ProductID(publicString: try context.parameters.require("id")) else { throw CatalogueAdminError.productNotFound }
        return id
    }

    // MARK: - Pictures

    @Sendable func uploadImage(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let id = try Self.productID(context)
            do {
                if context.formValue("remove") == "on" {
                    try await desk.setImage(id, to: nil, by: member)
                } else {
                    try desk.authorizeImages(member)
                    let name = try images.store(context.files["image"]?.bytes ?? [])
                    try await desk.setImage(id, to: name, by: member)
                }
                return .redirect(to: "/admin/products/\(id.publicString)", type: .normal)
            } catch let problem as ProductImages.Problem {
                let (managed, history) = try await desk.product(id, for: member)
                var model = productPage(member: member, context: context, request: request, managed: managed, history: history,
                                        values: Self.values(managed), threshold: String(managed.lowStockThreshold), errors: [:],
                                        aisles: try await desk.aisles(for: member).map(\.name))
                model.imageError = problem.description
                return try pages.html(model, template: "admin-product", status: .unprocessableContent, request: request, context: context)
            }
        }
    }

    /// A product picture, by its content-derived name: cached for a year, never sniffed.
    @Sendable func image(_ request: Request, context: Context) async throws -> Response {
        guard let (bytes, type) = images.read(try context.parameters.require("name")) else { throw HTTPError(.notFound) }
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "public, max-age=31536000, immutable"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    // MARK: - Search synonyms

    struct SynonymsPage: Sendable {
        struct Row: Sendable {
            var id: Int64
            var words: String
        }

        var chrome: AdminPages.Chrome
        var rows: [Row]
        var error: String?
        var typed: String
    }

    @Sendable func synonyms(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            try pages.html(try await synonymsPage(member, context, request), template: "admin-synonyms", request: request, context: context)
        }
    }

    func synonymsPage(_ member: StaffMember, _ context: Context, _ request: Request, error: String? = nil, typed: String = "") async throws -> SynonymsPage {
        SynonymsPage(chrome: pages.chrome("Search synonyms", member, context, request: request),
                     rows: try await desk.synonyms(for: member).map { .init(id: $0.id, words: $0.words.joined(separator: ", ")) },
                     error: error, typed: typed)
    }

    @Sendable func addSynonyms(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            do {
                try await desk.addSynonyms(context.formValue("words"), by: member)
                return .redirect(to: "/admin/synonyms", type: .normal)
            } catch let error as CatalogueAdminError {
                guard case .invalidFields = error else { throw error }
                return try pages.html(try await synonymsPage(member, context, request, error: error.description, typed: context.formValue("words")),
                                      template: "admin-synonyms", status: .unprocessableContent, request: request, context: context)
            }
        }
    }

    @Sendable func removeSynonyms(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            guard let id = Int64(try context.parameters.require("id")) else { throw CatalogueAdminError.invalidFields(["id": "no such synonym group"]) }
            try await desk.removeSynonyms(id: id, by: member)
            return .redirect(to: "/admin/synonyms", type: .normal)
        }
    }

    // MARK: - Aisles

    struct AislesPage: Sendable {
        struct Row: Sendable {
            var slug: String
            var name: String
            var description: String
            var productCount: Int
            var first: Bool
            var last: Bool
        }

        var chrome: AdminPages.Chrome
        var rows: [Row]
        var error: String?
    }

    @Sendable func aisles(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            try pages.html(try await aislesPage(member, context, request, error: nil), template: "admin-aisles", request: request, context: context)
        }
    }

    func aislesPage(_ member: StaffMember, _ context: Context, _ request: Request, error: String?) async throws -> AislesPage {
        let aisles = try await desk.aisles(for: member)
        return AislesPage(
            chrome: pages.chrome("Aisles", member, context, request: request),
            rows: aisles.enumerated().map { index, aisle in
                AislesPage.Row(slug: aisle.slug, name: aisle.name, description: aisle.description, productCount: aisle.productCount,
                               first: index == 0, last: index == aisles.count - 1)
            },
            error: error
        )
    }

    @Sendable func createAisle(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            do {
                try await desk.createAisle(name: context.formValue("name"), description: context.formValue("description"), by: member)
                return .redirect(to: "/admin/aisles", type: .normal)
            } catch let error as CatalogueAdminError {
                guard case .invalidFields = error else { throw error }
                return try pages.html(try await aislesPage(member, context, request, error: error.description), template: "admin-aisles",
                                      status: .unprocessableContent, request: request, context: context)
            }
        }
    }

    @Sendable func renameAisle(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            do {
                try await desk.renameAisle(try context.parameters.require("slug"), name: context.formValue("name"),
                                           description: context.formValue("description"), by: member)
                return .redirect(to: "/admin/aisles", type: .normal)
            } catch let error as CatalogueAdminError {
                guard case .invalidFields = error else { throw error }
                return try pages.html(try await aislesPage(member, context, request, error: error.description), template: "admin-aisles",
                                      status: .unprocessableContent, request: request, context: context)
            }
        }
    }

    @Sendable func moveAisle(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let step = context.formValue("direction") == "up" ? -1 : context.formValue("direction") == "down" ? 1 : 0
            try await desk.moveAisle(try context.parameters.require("slug"), by: step, member: member)
            return .redirect(to: "/admin/aisles", type: .normal)
        }
    }

    // MARK: - Import and export

    struct ImportPage: Sendable {
        struct Problem: Sendable {
            var line: Int
            var column: String?
            var message: String
        }

        struct Line: Sendable {
            var sku: String
            var name: String
            var kind: String
            var changes: [String]
        }

        var chrome: AdminPages.Chrome
        var csv: String
        var previewed: Bool
        var problems: [Problem]
        var hasProblems: Bool
        var lines: [Line]
        var summary: String?
        var canApply: Bool
        var applied: String?
    }

    @Sendable func importForm(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            _ = try await desk.aisles(for: member) // the catalogue editors' page
            let model = ImportPage(chrome: pages.chrome("Import products", member, context, request: request), csv: "", previewed: false, problems: [],
                                   hasProblems: false, lines: [], summary: nil, canApply: false, applied: nil)
            return try pages.html(model, template: "admin-import", request: request, context: context)
        }
    }

    @Sendable func previewImport(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let csv = context.formValue("csv")
            let preview = try await desk.previewImport(csv, for: member)
            let changedLines = preview.lines.filter { $0.kind != .unchanged }
            let model = ImportPage(
                chrome: pages.chrome("Import products", member, context, request: request), csv: csv, previewed: true,
                problems: preview.problems.map { .init(line: $0.line, column: $0.column, message: $0.message) },
                hasProblems: !preview.problems.isEmpty,
                lines: changedLines.prefix(500).map { .init(sku: $0.sku, name: $0.name, kind: $0.kind.rawValue, changes: $0.changes) },
                summary: preview.problems.isEmpty
                    ? "\(preview.lines.count) products: \(preview.newCount) new, \(preview.changedCount) changed, \(preview.lines.count - preview.newCount - preview.changedCount) unchanged."
                    : "\(preview.problems.count) problem(s): nothing will be imported until they are fixed.",
                canApply: preview.problems.isEmpty && !changedLines.isEmpty, applied: nil
            )
            return try pages.html(model, template: "admin-import", status: preview.problems.isEmpty ? .ok : .unprocessableContent,
                                  request: request, context: context)
        }
    }

    @Sendable func applyImport(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            let csv = context.formValue("csv")
            do {
                let summary = try await desk.applyImport(csv, by: member)
                let model = ImportPage(chrome: pages.chrome("Import products", member, context, request: request), csv: "", previewed: false,
                                       problems: [], hasProblems: false, lines: [], summary: nil, canApply: false,
                                       applied: "Imported: \(summary.productsInserted) new, \(summary.productsUpdated) updated, \(summary.aislesCreated) new aisles.")
                return try pages.html(model, template: "admin-import", request: request, context: context)
            } catch let error as CatalogueImportError {
                let model = ImportPage(chrome: pages.chrome("Import products", member, context, request: request), csv: csv, previewed: true,
                                       problems: error.problems.map { .init(line: $0.line, column: $0.column, message: $0.message) }, hasProblems: true,
                                       lines: [], summary: "\(error.problems.count) problem(s): nothing was imported.", canApply: false, applied: nil)
                return try pages.html(model, template: "admin-import", status: .unprocessableContent, request: request, context: context)
            }
        }
    }

    @Sendable func exportProducts(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            Self.csv(try await desk.exportProducts(for: member), name: "products")
        }
    }

    @Sendable func exportStock(_ request: Request, context: Context) async throws -> Response {
        try await pages.page(request, context) { member in
            Self.csv(try await desk.exportStock(for: member), name: "stock")
        }
    }

    /// A CSV download, never cached.
    static func csv(_ text: String, name: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"gomart-\(name).csv\""
        headers[.cacheControl] = "private, no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
