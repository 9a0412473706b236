import Catalog
import Foundation
import GoMartModels
import Storage

/// The catalogue as staff edit it: each call checks the member's role first, and every change is
/// written to the audit log in the same transaction as the change itself.
public struct CatalogueDesk: Sendable {
    let staff: StaffService
    let admin: CatalogueAdmin

    /// Creates the desk.
    public init(staff: StaffService, admin: CatalogueAdmin) {
        self.staff = staff
        self.admin = admin
    }

    /// Products for the list (withdrawn ones too), with the number that match.
    public func products(for member: StaffMember, containing text: String, aisleSlug: String?, showing: CatalogueAdmin.Showing,
                         offset: Int, limit: Int) async throws -> (products: [ManagedProduct], total: Int) {
        try staff.authorize(member, toAnyOf: [.editCatalogue, .adjustStock])
        return try await admin.products(containing: text, aisleSlug: aisleSlug, showing: showing, offset: offset, limit: limit)
    }

    /// One product with its stock history.
    public func product(_ id: ProductID, for member: StaffMember) async throws -> (product: ManagedProduct, history: [StockAdjustment]) {
        try staff.authorize(member, toAnyOf: [.editCatalogue, .adjustStock])
        return (try await admin.product(id: id), try await admin.stockHistory(of: id))
    }

    @discardableResult
    public func create(_ values: [String: String], lowStockThreshold: Int, by member: StaffMember) async throws -> ManagedProduct {
        try staff.authorize(member, to: .editCatalogue)
        return try await admin.create(values, lowStockThreshold: lowStockThreshold, by: Self.actor(member), audit: audit(.productCreated, member))
    }

    @discardableResult
    public func update(_ id: ProductID, _ values: [String: String], lowStockThreshold: Int, by member: StaffMember) async throws -> ManagedProduct {
        try staff.authorize(member, to: .editCatalogue)
        return try await admin.update(id, values, lowStockThreshold: lowStockThreshold, audit: audit(.productChanged, member))
    }

    @discardableResult
    public func setOnSale(_ id: ProductID, _ onSale: Bool, by member: StaffMember) async throws -> ManagedProduct {
        try staff.authorize(member, to: .editCatalogue)
        return try await admin.setOnSale(id, onSale, audit: audit(onSale ? .productReinstated : .productWithdrawn, member))
    }

    @discardableResult
    public func adjustStock(_ id: ProductID, _ change: CatalogueAdmin.StockChange, reason: StockReason, note: String,
                            by member: StaffMember) async throws -> ManagedProduct {
        try staff.authorize(member, to: .adjustStock)
        guard reason != .initial else { throw CatalogueAdminError.invalidFields(["reason": "choose delivery, count, waste or correction"]) }
        return try await admin.adjustStock(of: id, change, reason: reason, note: note, actor: Self.actor(member), audit: audit(.stockAdjusted, member))
    }

    /// Throws unless `member` may change products' pictures.
    public func authorizeImages(_ member: StaffMember) throws {
        try staff.authorize(member, to: .editCatalogue)
    }

    /// Gives a product a stored picture (``ProductImages``), or removes it (nil).
    @discardableResult
    public func setImage(_ id: ProductID, to name: String?, by member: StaffMember) async throws -> ManagedProduct {
        try staff.authorize(member, to: .editCatalogue)
        return try await admin.setImage(of: id, to: name, audit: audit(.productChanged, member))
    }

    public func aisles(for member: StaffMember) async throws -> [Aisle] {
        try staff.authorize(member, to: .editCatalogue)
        return try await admin.aisles()
    }

    @discardableResult
    public func createAisle(name: String, description: String, by member: StaffMember) async throws -> Aisle {
        try staff.authorize(member, to: .editCatalogue)
        return try await admin.createAisle(name: name, description: description, audit: audit(.aisleChanged, member))
    }

    @discardableResult
    public func renameAisle(_ slug: String, name: String, description: String, by member: StaffMember) async throws -> Aisle {
        try staff.authorize(member, to: .editCatalogue)
        return try await admin.renameAisle(slug, name: name, description: description, audit: audit(.aisleChanged, member))
    }

    public func moveAisle(_ slug: String, by step: Int, member: StaffMember) async throws {
        try staff.authorize(member, to: .editCatalogue)
        try await admin.moveAisle(slug, by: step, audit: audit(.aisleChanged, member))
    }

    public func synonyms(for member: StaffMember) async throws -> [SynonymGroup] {
        try staff.authorize(member, to: .editCatalogue)
        return try await admin.synonyms()
    }

    @discardableResult
    public func addSynonyms(_ words: String, by member: StaffMember) async throws -> SynonymGroup {
        try staff.authorize(member, to: .editCatalogue)
        return try await admin.addSynonyms(words, audit: audit(.synonymsChanged, member))
    }

    public func removeSynonyms(id: Int64, by member: StaffMember) async throws {
        try staff.authorize(member, to: .editCatalogue)
        try await admin.removeSynonyms(id: id, audit: audit(.synonymsChanged, member))
    }

    public func previewImport(_ text: String, for member: StaffMember) async throws -> ImportPreview {
        try staff.authorize(member, to: .editCatalogue)
        return try await admin.previewImport(text)
    }

    @discardableResult
    public func applyImport(_ text: String, by member: StaffMember) async throws -> CatalogueImportSummary {
        try staff.authorize(member, to: .editCatalogue)
        return try await admin.applyImport(text, source: "back office", audit: audit(.catalogueImported, member))
    }

    public func exportProducts(for member: StaffMember) async throws -> String {
        try staff.authorize(member, to: .editCatalogue)
        return try await admin.exportProducts()
    }

    public func exportStock(for member: StaffMember) async throws -> String {
        try staff.authorize(member, to: .adjustStock)
        return try await admin.exportStock()
    }

    static func actor(_ member: StaffMember) -> String {
        "staff:\(member.id.publicString)"
    }

    private func audit(_ action: AuditAction, _ member: StaffMember) -> CatalogueAudit {
        let staff = staff
        return { sql, change in
            let entry = try staff.auditEntry(actor: .staff(member), action: action, subject: change.subject, before: change.before, after: change.after)
            try await StaffRepository.append(entry, now: staff.timestamp(), sql: sql)
        }
    }
}
