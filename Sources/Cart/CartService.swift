import Catalog
import Foundation
import GoMartModels
import Pricing
import Promotions
import SQLKit
import Storage

/// Carts: add, change, remove, merge on sign-in, and price everything from the live catalogue.
///
/// Quantities are checked against the policy's per-line limit and current stock when changed;
/// prices are never taken from the client, only recorded at add time to warn about changes.
public struct CartService: Sendable {
    let repository: CartRepository
    let catalog: CatalogService
    /// The limits and delivery fees.
    public let policy: CartPolicy
    let now: @Sendable () -> Date
    /// Each cart's stored lines (for the header's count and recommendations), kept exact by the
    /// change feed; nil: read every time.
    let stored: FeedCache<[StoredCartLine]>?
    /// The offers and vouchers carts are priced with; nil: none.
    public let promotions: PromotionsService?

    /// The change feed's topic for carts; keys are owner keys.
    public static let changeTopic = "cart"

    /// Creates the service; with a `feed`, the header's cart counts are cached in this process.
    public init(database: Database, catalog: CatalogService, policy: CartPolicy, feed: ChangeFeed? = nil, promotions: PromotionsService? = nil,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.repository = CartRepository(database: database)
        self.promotions = promotions
        self.catalog = catalog
        self.policy = policy
        self.now = now
        stored = feed.map { FeedCache(name: "carts", topic: Self.changeTopic, capacity: 50_000, timeToLive: .seconds(600), feed: $0) }
    }

    /// The owner's cart, priced now with the offers running and its voucher (when the owner may
    /// use it), with warnings per line.
    public func cart(for owner: CartOwner) async throws -> CartSummary {
        let stored = try await repository.lines(ownerKey: owner.storageKey)
        let code = promotions == nil ? nil : try await repository.voucherCode(ownerKey: owner.storageKey)
        let ids = stored.compactMap { ProductID(publicString: $0.productID) }
        let chosen = stored.compactMap { line -> ProductID? in
            if case .product(let id)? = SubstitutionChoice(stored: line.substitute) { return id }
            return nil
        }
        let products = try await catalog.currentProducts(ids: ids)
        let substitutes = chosen.isEmpty ? [:] : try await catalog.currentProducts(ids: chosen)
        let lines = stored.compactMap { line -> CartLine? in
            guard let id = ProductID(publicString: line.productID) else { return nil }
            let product = products[id]
            let added = Money(minorUnits: line.priceWhenAddedMinor, currency: catalog.currency)
            var warnings: [CartWarning] = []
            if let product {
                if product.quantityUnit != line.unit { warnings.append(.soldDifferently) }
                else if product.stock == 0 || !product.inStock { warnings.append(.outOfStock) }
                else if product.stock < product.stockUnits(line.quantity) {
                    warnings.append(product.weighing == nil ? .onlyAvailable(product.stock) : .onlyWeightAvailable(product.stock))
                }
                if product.price != added { warnings.append(.priceChanged(from: added, to: product.price)) }
            } else {
                warnings.append(.unavailable)
            }
            var cartLine = CartLine(product: product, productID: id, quantity: line.quantity, unit: line.unit, priceWhenAdded: added, warnings: warnings)
            cartLine.substitution = SubstitutionChoice(stored: line.substitute) ?? .anySimilar
            if case .product(let chosen) = cartLine.substitution { cartLine.substitute = substitutes[chosen] }
            return cartLine
        }
        let (offers, problem) = try await promotions?.promotions(voucher: code, customerID: owner.customerID) ?? (.none, nil)
        var summary = policy.summarise(lines, currency: catalog.currency, promotions: offers)
        summary.voucherCode = code
        summary.voucherProblem = problem
        summary.promotions = offers
        return summary
    }

    /// Puts a voucher on the owner's cart, once it is known the owner may use it now (its
    /// minimum spend is checked as the cart is priced); ``CartError/voucher(_:)`` otherwise.
    public func applyVoucher(code: String, to owner: CartOwner) async throws {
        guard let promotions else { throw CartError.voucher(.unknown(PromotionsService.normalise(code: code))) }
        do {
            let voucher = try await promotions.usableVoucher(code: code, customerID: owner.customerID)
            noteChange(try await repository.setVoucherCode(voucher.code, ownerKey: owner.storageKey, now: timestamp()), of: [owner])
        } catch let problem as VoucherProblem {
            throw CartError.voucher(problem)
        }
    }

    /// Takes the voucher off the owner's cart.
    public func removeVoucher(from owner: CartOwner) async throws {
        noteChange(try await repository.setVoucherCode(nil, ownerKey: owner.storageKey, now: timestamp()), of: [owner])
    }

    /// The products in the owner's cart, unpriced: for leaving them out of recommendations.
    public func productIDs(in owner: CartOwner) async throws -> Set<String> {
        Set(try await storedLines(owner).map(\.productID))
    }

    /// How many units the owner's cart holds (for the header badge).
    public func itemCount(for owner: CartOwner) async throws -> Int {
        try await storedLines(owner).reduce(0) { $0 + $1.items }
    }

    /// The owner's lines as stored, from this process's cache when it may serve them.
    private func storedLines(_ owner: CartOwner) async throws -> [StoredCartLine] {
        let key = owner.storageKey
        guard let stored else { return try await repository.lines(ownerKey: key) }
        return try await stored.value(for: key) { try await repository.lines(ownerKey: key) }
    }

    /// Adds `quantity` units of a product (grams for a product sold by weight), on top of any
    /// already in the cart.
    public func add(productID: ProductID, quantity: Int, to owner: CartOwner) async throws {
        let product = try await saleableProduct(productID)
        let maximumLines = policy.maximumLines
        try Self.check(quantity, of: product, policy: policy, allowingPart: true)
        try await update(owner) { lines in
            var lines = lines
            let key = product.id.publicString
            // A line of another measure (the product was sold by count, now by weight) starts again.
            let inCart = lines.first { $0.productID == key && $0.unit == product.quantityUnit }?.quantity ?? 0
            let wanted = inCart + quantity
            try Self.check(wanted, of: product, policy: policy, inCart: inCart)
            if let index = lines.firstIndex(where: { $0.productID == key }) {
                lines[index].quantity = wanted
                lines[index].unit = product.quantityUnit
                lines[index].priceWhenAddedMinor = product.price.minorUnits
            } else {
                guard lines.count < maximumLines else { throw CartError.tooManyLines(maximum: maximumLines) }
                lines.append(StoredCartLine(productID: key, quantity: quantity, priceWhenAddedMinor: product.price.minorUnits, unit: product.quantityUnit))
            }
            return lines
        }
    }

    /// Adds each of `items` (a product and its quantity, as ``add(productID:quantity:to:)`` takes
    /// them) that can be bought now, and says why each of the others cannot: a reorder, a
    /// shopping list or the shopper's usuals going into the cart.
    public func addAll(_ items: [(productID: ProductID, quantity: Int)], to owner: CartOwner) async throws -> [NotAdded] {
        var missed: [NotAdded] = []
        for item in items {
            do {
                try await add(productID: item.productID, quantity: item.quantity, to: owner)
            } catch let error as CartError {
                missed.append(NotAdded(productID: item.productID, reason: error.description))
            }
        }
        return missed
    }

    /// Sets a line's quantity (grams for a product sold by weight); zero removes the line.
    public func setQuantity(productID: ProductID, quantity: Int, for owner: CartOwner) async throws {
        guard quantity != 0 else { return try await remove(productID: productID, from: owner) }
        let product = try await saleableProduct(productID)
        try Self.check(quantity, of: product, policy: policy, allowingPart: true)
        let key = productID.publicString
        try await update(owner) { lines in
            var lines = lines
            guard let index = lines.firstIndex(where: { $0.productID == key }) else { throw CartError.notInCart }
            try Self.check(quantity, of: product, policy: policy, inCart: 0)
            lines[index].quantity = quantity
            lines[index].unit = product.quantityUnit
            return lines
        }
    }

    /// Checks that a line may hold `quantity` of `product`: within the per-line limit (a weighed
    /// product's steps or count), and in stock. With `allowingPart`, only the shape is checked
    /// (an amount added to a line need only add up to a valid one).
    static func check(_ quantity: Int, of product: Product, policy: CartPolicy, inCart: Int = 0, allowingPart: Bool = false) throws {
        if let weighing = product.weighing {
            guard quantity > 0, quantity <= 100_000 else { throw CartError.invalidAmount(weighing.problem(with: 0) ?? "") }
            if allowingPart { return }
            if let problem = weighing.problem(with: quantity) { throw CartError.invalidAmount(problem) }
            guard product.stockUnits(quantity) <= product.stock else { throw CartError.notEnoughLeft(available: product.stock) }
            return
        }
        let maximum = policy.maximumQuantityPerLine
        guard (1...maximum).contains(quantity) else { throw CartError.invalidQuantity(maximum: maximum) }
        if allowingPart { return }
        guard quantity <= product.stock else { throw CartError.insufficientStock(available: product.stock, inCart: inCart) }
    }

    /// Sets what the shopper wants when a line's product is not on the shelf at picking: none,
    /// any similar product, or a product they name, which must pass the shop's substitute rule
    /// (same aisle, in stock, unit price within the band, no other allergens, no higher age).
    public func setSubstitution(productID: ProductID, to choice: SubstitutionChoice, for owner: CartOwner) async throws {
        if case .product(let chosen) = choice {
            let original = try await saleableProduct(productID)
            guard let candidate = try await catalog.currentProducts(ids: [chosen])[chosen] else { throw CartError.unknownProduct }
            if let problem = policy.substitutes.problem(with: candidate, for: original) { throw CartError.invalidSubstitute(problem) }
        }
        let key = productID.publicString
        try await update(owner) { lines in
            var lines = lines
            guard let index = lines.firstIndex(where: { $0.productID == key }) else { throw CartError.notInCart }
            lines[index].substitute = choice.stored
            return lines
        }
    }

    /// Removes a product from the cart.
    public func remove(productID: ProductID, from owner: CartOwner) async throws {
        let key = productID.publicString
        try await update(owner) { lines in
            guard lines.contains(where: { $0.productID == key }) else { throw CartError.notInCart }
            return lines.filter { $0.productID != key }
        }
    }

    /// Empties the cart.
    public func clear(_ owner: CartOwner) async throws {
        try await update(owner) { _ in [] }
    }

    /// A cart emptied inside another module's transaction; `committed()` is called once that
    /// transaction has committed, to drop this process's cached lines and tell the shopper.
    public struct Emptied: Sendable {
        let owner: CartOwner
        let change: Int64
    }

    /// Empties the cart inside `sql`, a transaction the caller runs (an order marked paid and its
    /// cart emptied commit together, in one durable write).
    public func clear(_ owner: CartOwner, in sql: any SQLDatabase) async throws -> Emptied {
        Emptied(owner: owner, change: try await CartRepository.clear(ownerKey: owner.storageKey, sql: sql))
    }

    /// After the transaction that emptied a cart has committed.
    public func committed(_ emptied: Emptied) {
        noteChange(emptied.change, of: [emptied.owner])
    }

    /// Moves a visitor's cart into a customer's on sign-in: quantities add up, capped by the
    /// per-line limit and current stock; the visitor's cart is then gone.
    public func mergeVisitorCart(_ visitor: CartOwner, into customer: CartOwner) async throws {
        let visitorLines = try await repository.lines(ownerKey: visitor.storageKey)
        guard !visitorLines.isEmpty else { return }
        let products = try await catalog.currentProducts(ids: visitorLines.compactMap { ProductID(publicString: $0.productID) })
            .reduce(into: [String: Product]()) { $0[$1.key.publicString] = $1.value }
        let maximum = policy.maximumQuantityPerLine
        let maximumLines = policy.maximumLines
        let change = try await repository.merge(from: visitor.storageKey, into: customer.storageKey, now: timestamp()) { source, target in
            var merged = target
            for line in source {
                let cap = min(maximum, max(products[line.productID]?.stock ?? line.quantity, 1))
                if let index = merged.firstIndex(where: { $0.productID == line.productID }), line.unit == "g" || merged[index].unit == "g" {
                    // A weighed line is not added up (two weights need not make a valid step): the
                    // visitor's latest choice wins.
                    merged[index] = line
                } else if let index = merged.firstIndex(where: { $0.productID == line.productID }) {
                    merged[index].quantity = min(cap, merged[index].quantity + line.quantity)
                } else if merged.count < maximumLines {
                    merged.append(StoredCartLine(productID: line.productID, quantity: line.unit == "g" ? line.quantity : min(cap, line.quantity),
                                                 priceWhenAddedMinor: line.priceWhenAddedMinor, unit: line.unit))
                }
            }
            return merged
        }
        noteChange(change, of: [visitor, customer])
    }

    /// Runs `change` on the owner's lines in one transaction (see ``CartRepository/update``).
    private func update(_ owner: CartOwner, _ change: @escaping @Sendable ([StoredCartLine]) throws -> [StoredCartLine]) async throws {
        noteChange(try await repository.update(ownerKey: owner.storageKey, now: timestamp(), change), of: [owner])
    }

    /// After a committed change: this process's counts are dropped at once and the client is
    /// told the change's feed id (the other processes hear of it from the feed).
    private func noteChange(_ change: Int64?, of owners: [CartOwner]) {
        guard let change else { return }
        for owner in owners { stored?.remove(owner.storageKey) }
        ChangeFeed.committed(change)
    }

    private func saleableProduct(_ id: ProductID) async throws -> Product {
        guard let product = try await catalog.currentProducts(ids: [id])[id] else { throw CartError.unknownProduct }
        return product
    }

    private func timestamp() -> Int64 { Int64(now().timeIntervalSince1970) }
}
