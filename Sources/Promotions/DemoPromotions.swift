import Foundation
import GoMartModels
import Logging
import Pricing
import SQLKit
import Storage

extension PromotionsService {
    /// Sets up the demo shop's offers and a welcome voucher when the shop has never had any:
    /// 3 for 2 on yoghurts, any 2 crisps for £2.50, 50p off colas, 10 % off bakery, a
    /// tuna-wrap-juice meal deal, and `WELCOME5` (£5 off a first shop of £40). They run for a
    /// year. `catalogue` reads the demo catalogue's SKUs and product ids (only when it is needed).
    /// Returns true when it set them up.
    @discardableResult
    public func seedDemoPromotionsIfFirstRun(catalogue: () async throws -> [String: ProductID], logger: Logger) async throws -> Bool {
        let untouched = try await database.read { sql in
            let offers = try await sql.raw("SELECT COUNT(*) AS n FROM offers").first(decodingColumn: "n", as: Int.self) ?? 0
            let vouchers = try await sql.raw("SELECT COUNT(*) AS n FROM vouchers").first(decodingColumn: "n", as: Int.self) ?? 0
            return offers == 0 && vouchers == 0
        }
        guard untouched else { return false }
        let products = try await catalogue()
        let start = now()
        let end = start.addingTimeInterval(365 * 86_400)
        func scope(_ skus: [String]) -> Offer.Scope { Offer.Scope(products: Set(skus.compactMap { products[$0] })) }
        func money(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: currency) }
        let drafts = [
            OfferDraft(label: "3 for 2 on yoghurts", rule: .multiBuy(buy: 3, pay: 2), groups: [scope((61...67).map { "DE-00\($0)" })],
                       startsAt: start, endsAt: end),
            OfferDraft(label: "Any 2 crisps for £2.50", rule: .bundle(count: 2, price: money(250)), groups: [scope((1...8).map { "SN-000\($0)" })],
                       startsAt: start, endsAt: end),
            OfferDraft(label: "50p off colas", rule: .amountOff(money(50)), groups: [scope((11...19).map { "DR-00\($0)" })], startsAt: start, endsAt: end),
            OfferDraft(label: "10% off the bakery", rule: .percentOff(10), groups: [Offer.Scope(aisles: ["bakery"])], startsAt: start, endsAt: end),
            OfferDraft(label: "Lunch deal: tuna, wraps and juice for £5", rule: .mealDeal(price: money(500)),
                       groups: [scope(["PA-0037", "PA-0038", "PA-0039"]), scope(["BK-0027", "BK-0028"]), scope((22...26).map { "DR-00\($0)" })],
                       startsAt: start, endsAt: end),
        ]
        for draft in drafts where draft.groups.allSatisfy({ !$0.products.isEmpty || !$0.aisles.isEmpty }) {
            try await createOffer(draft, by: "demo")
        }
        try await createVoucher(VoucherDraft(code: "WELCOME5", label: "£5 off when you spend £40", value: .amountOff(money(500)),
                                             minimumSpend: money(40_00), startsAt: start, endsAt: end, maximumUses: nil, usesPerCustomer: 1), by: "demo")
        logger.info("demo offers and voucher set up", metadata: ["offers": "\(drafts.count)"])
        return true
    }
}
