import Catalog
import Foundation
import GoMartModels
import Promotions

/// Offers and vouchers as managers run them. Each call checks the member's role first, and every
/// change is written to the audit log in the same transaction as the change itself.
public struct PromotionDesk: Sendable {
    let staff: StaffService
    /// The promotions service, for reading.
    public let promotions: PromotionsService
    let catalogue: CatalogueAdmin

    /// Creates the desk.
    public init(staff: StaffService, promotions: PromotionsService, catalogue: CatalogueAdmin) {
        self.staff = staff
        self.promotions = promotions
        self.catalogue = catalogue
    }

    /// The products with these SKUs, by SKU (upper case), for offers named by SKU.
    public func products(skus: [String], for member: StaffMember) async throws -> [String: ProductID] {
        try staff.authorize(member, to: .managePromotions)
        return try await catalogue.productIDs(skus: skus)
    }

    /// Offers not yet ended, then (with `includingEnded`) ended ones.
    public func offers(for member: StaffMember, includingEnded: Bool) async throws -> [StoredOffer] {
        try staff.authorize(member, to: .managePromotions)
        return try await promotions.offers(includingEnded: includingEnded)
    }

    @discardableResult
    public func createOffer(_ draft: OfferDraft, by member: StaffMember) async throws -> StoredOffer {
        try staff.authorize(member, to: .managePromotions)
        return try await promotions.createOffer(draft, by: CatalogueDesk.actor(member), audit: audit(.offerChanged, member))
    }

    public func endOffer(id: String, by member: StaffMember) async throws {
        try staff.authorize(member, to: .managePromotions)
        try await promotions.endOffer(id: id, audit: audit(.offerChanged, member))
    }

    /// Every voucher.
    public func vouchers(for member: StaffMember) async throws -> [StoredVoucher] {
        try staff.authorize(member, to: .managePromotions)
        return try await promotions.vouchers()
    }

    @discardableResult
    public func createVoucher(_ draft: VoucherDraft, by member: StaffMember) async throws -> StoredVoucher {
        try staff.authorize(member, to: .managePromotions)
        return try await promotions.createVoucher(draft, by: CatalogueDesk.actor(member), audit: audit(.voucherChanged, member))
    }

    public func endVoucher(code: String, by member: StaffMember) async throws {
        try staff.authorize(member, to: .managePromotions)
        try await promotions.endVoucher(code: code, audit: audit(.voucherChanged, member))
    }

    private func audit(_ action: AuditAction, _ member: StaffMember) -> PromotionAudit {
        let staff = staff
        return { sql, change in
            let entry = try staff.auditEntry(actor: .staff(member), action: action, subject: change.subject, before: change.before, after: change.after)
            try await StaffRepository.append(entry, now: staff.timestamp(), sql: sql)
        }
    }
}
