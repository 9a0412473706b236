import Foundation
import GoMartModels
import Pricing
import SQLKit
import Storage
import Synchronization

/// Offers and vouchers: what runs when, what a shopper's voucher is worth to them, and the
/// voucher limits, which hold however many checkouts race for the last use.
///
/// Offers are read once and kept in memory; every instance rereads them within
/// `checkInterval` of a change anywhere (it watches a version number), and offers start and end
/// on their own times without any change.
public final class PromotionsService: Sendable {
    let database: Database
    let currency: Currency
    let now: @Sendable () -> Date
    let checkInterval: Duration

    private struct Snapshot: Sendable {
        var version: Int64
        var checked: ContinuousClock.Instant
        var offers: [StoredOffer]
    }
    private let snapshot = Mutex<Snapshot?>(nil)
    /// What shoppers last saw of offers (the version and the running offers' ids), how many
    /// times that changed in this process, and the version and times it holds for.
    private struct Seen {
        var shown = ""
        var changes: UInt64 = 0
        var version: Int64 = -1
        var window = Date.distantPast..<Date.distantPast
    }
    private let seen = Mutex(Seen())

    /// Creates the service.
    public init(database: Database, currency: Currency, checkInterval: Duration = .seconds(1), now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.currency = currency
        self.checkInterval = checkInterval
        self.now = now
    }

    // MARK: - Shoppers

    /// Offers running now, by id.
    public func runningOffers() async throws -> [StoredOffer] {
        let date = now()
        return try await knownOffers().filter { $0.state(at: date) == .running }
    }

    /// The offers running now and, when `code` is given, its voucher for this customer: the
    /// promotions to price with, and why the voucher cannot be used if it cannot.
    public func promotions(voucher code: String?, customerID: Int64?) async throws -> (promotions: Promotions, problem: VoucherProblem?) {
        let offers = try await runningOffers().map(\.offer)
        guard let code else { return (Promotions(offers: offers), nil) }
        do {
            let voucher = try await usableVoucher(code: code, customerID: customerID)
            return (Promotions(offers: offers, voucher: voucher.voucher), nil)
        } catch let problem as VoucherProblem {
            return (Promotions(offers: offers), problem)
        }
    }

    /// The running offers that take each product (by id, with its aisle's slug).
    public func offers(for products: [(id: ProductID, aisle: String)]) async throws -> [ProductID: [StoredOffer]] {
        let running = try await runningOffers()
        var found: [ProductID: [StoredOffer]] = [:]
        for product in products {
            let offers = running.filter { $0.takes(productID: product.id, aisle: product.aisle) }
            if !offers.isEmpty { found[product.id] = offers }
        }
        return found
    }

    /// A number that grows whenever what shoppers see of offers changes (an offer created,
    /// changed or ended, or one starting or ending on its time), and only then: pages showing
    /// offers are cached under it, and a cache takes a larger number as newer.
    public func generation() async throws -> UInt64 {
        let offers = try await knownOffers()
        let version = snapshot.withLock { $0?.version ?? 0 }
        let date = now()
        if let changes = seen.withLock({ $0.version == version && $0.window.contains(date) ? $0.changes : nil }) { return changes }
        // The running offers stay the same until the next start or end after `date`, and have
        // been since the last one before it.
        let times = offers.flatMap { [$0.startsAt, $0.endsAt] }
        let window = (times.filter { $0 <= date }.max() ?? .distantPast)..<(times.filter { $0 > date }.min() ?? .distantFuture)
        let shown = "\(version) " + offers.filter { $0.state(at: date) == .running }.map(\.id).joined(separator: ",")
        return seen.withLock { seen in
            if seen.shown != shown {
                seen.shown = shown
                seen.changes += 1
            }
            seen.version = version
            seen.window = window
            return seen.changes
        }
    }

    /// The voucher with `code` if this customer may use it now (before its minimum spend, which
    /// pricing checks), else the ``VoucherProblem``.
    public func usableVoucher(code: String, customerID: Int64?) async throws -> StoredVoucher {
        let code = Self.normalise(code: code)
        guard let voucher = try await storedVoucher(code: code) else { throw VoucherProblem.unknown(code) }
        if let problem = voucher.dateProblem(at: now()) { throw problem }
        if let maximum = voucher.maximumUses, voucher.used >= maximum { throw VoucherProblem.usedUp(code) }
        guard let limit = voucher.usesPerCustomer else { return voucher }
        guard let customerID else { throw VoucherProblem.signInFirst(code) }
        let used = try await database.read { sql in try await Self.redemptions(of: code, by: customerID, sql: sql) }
        if used >= limit { throw VoucherProblem.alreadyUsed(code) }
        return voucher
    }

    /// The terms of the voucher with `code`, whatever its dates and limits (for an order that
    /// already redeemed it), or nil if there is none.
    public func voucherTerms(code: String) async throws -> Voucher? {
        try await storedVoucher(code: Self.normalise(code: code))?.voucher
    }

    /// Takes one use of the voucher for `orderID`, in the caller's transaction: one conditional
    /// update (running now, uses left), then the customer's own limit. Throws the
    /// ``VoucherProblem`` (and the caller's transaction rolls back) when no use is left.
    public func redeem(code: String, customerID: Int64, orderID: String, in sql: any SQLDatabase) async throws {
        let code = Self.normalise(code: code)
        let timestamp = Int64(now().timeIntervalSince1970)
        let taken = try await sql.raw("""
            UPDATE vouchers SET used = used + 1 WHERE code = \(bind: code) AND starts_at <= \(bind: timestamp) AND ends_at > \(bind: timestamp) \
            AND (maximum_uses IS NULL OR used < maximum_uses) RETURNING id, uses_per_customer
            """).first()
        guard let taken else {
            guard let voucher = try await Self.voucher(code: code, currency: currency, sql: sql) else { throw VoucherProblem.unknown(code) }
            throw voucher.dateProblem(at: now()) ?? VoucherProblem.usedUp(code)
        }
        let voucherID = try taken.decode(column: "id", as: Int64.self)
        // The update above holds the voucher's row until this transaction ends, so the count
        // below sees every other redemption of it that committed.
        if let limit = try taken.decodeNil(column: "uses_per_customer") ? nil : taken.decode(column: "uses_per_customer", as: Int.self),
           try await Self.redemptions(of: code, by: customerID, sql: sql) >= limit {
            throw VoucherProblem.alreadyUsed(code)
        }
        try await sql.insert(into: "voucher_redemptions").columns("voucher_id", "customer_id", "order_id", "redeemed_at")
            .values(SQLBind(voucherID), SQLBind(customerID), SQLBind(orderID), SQLBind(timestamp)).run()
    }

    /// Gives back the voucher use an order took (it was cancelled before payment), in the
    /// caller's transaction; nothing when it took none.
    public func release(orderID: String, in sql: any SQLDatabase) async throws {
        guard let row = try await sql.select().column("voucher_id").from("voucher_redemptions").where("order_id", .equal, SQLBind(orderID)).first() else {
            return
        }
        let voucherID = try row.decode(column: "voucher_id", as: Int64.self)
        try await sql.delete(from: "voucher_redemptions").where("order_id", .equal, SQLBind(orderID)).run()
        try await sql.raw("UPDATE vouchers SET used = used - 1 WHERE id = \(bind: voucherID) AND used > 0").run()
    }

    // MARK: - Staff

    /// Every offer that has not ended, and with `includingEnded` those that have (newest first),
    /// soonest to start first.
    public func offers(includingEnded: Bool) async throws -> [StoredOffer] {
        let cutoff: Int64 = includingEnded ? Int64.min : Int64(now().timeIntervalSince1970)
        return try await database.read { sql in try await Self.loadOffers(endingAfter: cutoff, currency: self.currency, sql: sql) }
            .sorted { ($0.state(at: now()) == .ended ? 1 : 0, $0.startsAt, $0.id) < ($1.state(at: now()) == .ended ? 1 : 0, $1.startsAt, $1.id) }
    }

    /// Creates an offer: a label of 3 to 80 characters, terms ``Offer/problem`` accepts, and an
    /// end after its start and after now.
    @discardableResult
    public func createOffer(_ draft: OfferDraft, by actor: String, audit: PromotionAudit? = nil) async throws -> StoredOffer {
        let label = draft.label.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [String: String] = [:]
        if !(3...80).contains(label.count) { problems["label"] = "give a label of 3 to 80 characters, e.g. “3 for 2 on yoghurts”" }
        let offer = Offer(id: "", label: label, rule: draft.rule, groups: draft.groups)
        if let problem = offer.problem { problems["terms"] = problem }
        if draft.endsAt <= draft.startsAt { problems["ends_at"] = "the offer must end after it starts" }
        else if draft.endsAt <= now() { problems["ends_at"] = "the offer must end in the future" }
        guard problems.isEmpty else { throw PromotionsError.invalidFields(problems) }
        let stored = StoredOffer(id: UUID().publicString, label: label, rule: draft.rule, groups: draft.groups, startsAt: draft.startsAt,
                                 endsAt: draft.endsAt, createdBy: actor)
        let timestamp = Int64(now().timeIntervalSince1970)
        try await database.transaction { sql in
            let terms = Self.columns(stored.rule)
            let id = try await sql.insert(into: "offers")
                .columns("public_id", "label", "kind", "buy", "pay", "percent", "amount_minor", "starts_at", "ends_at", "created_at", "created_by")
                .values(SQLBind(stored.id), SQLBind(label), SQLBind(terms.kind.rawValue), SQLBind(terms.buy), SQLBind(terms.pay), SQLBind(terms.percent),
                        SQLBind(terms.amount), SQLBind(Int64(stored.startsAt.timeIntervalSince1970)), SQLBind(Int64(stored.endsAt.timeIntervalSince1970)),
                        SQLBind(timestamp), SQLBind(actor))
                .returning("id").first(decodingColumn: "id", as: Int64.self)
            guard let id else { throw PromotionsError.offerNotFound }
            for (index, group) in stored.groups.enumerated() {
                for product in group.products.sorted() {
                    try await sql.insert(into: "offer_targets").columns("offer_id", "group_index", "product_id", "aisle_slug")
                        .values(SQLBind(id), SQLBind(index), SQLBind(product.publicString), SQLLiteral.null).run()
                }
                for aisle in group.aisles.sorted() {
                    try await sql.insert(into: "offer_targets").columns("offer_id", "group_index", "product_id", "aisle_slug")
                        .values(SQLBind(id), SQLBind(index), SQLLiteral.null, SQLBind(aisle)).run()
                }
            }
            try await Self.bumpVersion(sql)
            try await audit?(sql, PromotionChange(subject: "offer \(stored.id)", before: [:], after: Self.describe(stored)))
        }
        forget()
        return stored
    }

    /// Ends an offer now (an upcoming one never starts).
    public func endOffer(id: String, audit: PromotionAudit? = nil) async throws {
        guard let offer = try await offers(includingEnded: true).first(where: { $0.id == id }) else { throw PromotionsError.offerNotFound }
        guard offer.state(at: now()) != .ended else { return }
        let timestamp = Int64(now().timeIntervalSince1970)
        try await database.transaction { sql in
            try await sql.update("offers").set("ends_at", to: SQLBind(timestamp)).where("public_id", .equal, SQLBind(id)).run()
            try await sql.raw("UPDATE offers SET starts_at = ends_at WHERE public_id = \(bind: id) AND starts_at > ends_at").run()
            try await Self.bumpVersion(sql)
            try await audit?(sql, PromotionChange(subject: "offer \(id)", before: Self.describe(offer), after: ["ends_at": String(timestamp)]))
        }
        forget()
    }

    /// Every voucher, running and upcoming first, then ended ones.
    public func vouchers() async throws -> [StoredVoucher] {
        let date = now()
        return try await database.read { sql in
            try await sql.select().column("*").from("vouchers").orderBy("code").all().map { try Self.voucher(from: $0, currency: self.currency) }
        }.sorted { ($0.state(at: date) == .ended ? 1 : 0, $0.code) < ($1.state(at: date) == .ended ? 1 : 0, $1.code) }
    }

    /// Creates a voucher: a code of 3 to 20 letters, digits and dashes (kept in upper case, unique),
    /// a label, a value (1–100 % or more than nothing), an end after its start, and limits of at
    /// least one use when given.
    @discardableResult
    public func createVoucher(_ draft: VoucherDraft, by actor: String, audit: PromotionAudit? = nil) async throws -> StoredVoucher {
        let code = Self.normalise(code: draft.code)
        let label = draft.label.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [String: String] = [:]
        if !(3...20).contains(code.count) || !code.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }) {
            problems["code"] = "give 3 to 20 letters, digits or dashes"
        }
        if !(3...80).contains(label.count) { problems["label"] = "give a label of 3 to 80 characters, e.g. “£5 off when you spend £40”" }
        switch draft.value {
        case .percentOff(let percent) where !(1...100).contains(percent): problems["value"] = "a percentage is from 1 to 100"
        case .amountOff(let amount) where amount.minorUnits <= 0: problems["value"] = "the amount off must be more than nothing"
        default: break
        }
        if draft.minimumSpend.minorUnits < 0 { problems["minimum_spend"] = "the minimum spend cannot be negative" }
        if draft.endsAt <= draft.startsAt { problems["ends_at"] = "the voucher must end after it starts" }
        if let maximum = draft.maximumUses, maximum < 1 { problems["maximum_uses"] = "allow at least one use, or leave it empty for no limit" }
        if let perCustomer = draft.usesPerCustomer, perCustomer < 1 { problems["uses_per_customer"] = "allow at least one use, or leave it empty for no limit" }
        if problems.isEmpty, try await storedVoucher(code: code) != nil { problems["code"] = "a voucher \(code) already exists" }
        guard problems.isEmpty else { throw PromotionsError.invalidFields(problems) }
        let voucher = StoredVoucher(code: code, label: label, value: draft.value, minimumSpend: draft.minimumSpend, startsAt: draft.startsAt,
                                    endsAt: draft.endsAt, maximumUses: draft.maximumUses, usesPerCustomer: draft.usesPerCustomer, used: 0)
        let (kind, percent, amount): (String, Int, Int64) = switch draft.value {
        case .percentOff(let percent): ("percent_off", percent, 0)
        case .amountOff(let amount): ("amount_off", 0, amount.minorUnits)
        }
        let timestamp = Int64(now().timeIntervalSince1970)
        try await database.transaction { sql in
            try await sql.insert(into: "vouchers")
                .columns("code", "label", "kind", "percent", "amount_minor", "minimum_spend_minor", "starts_at", "ends_at", "maximum_uses",
                         "uses_per_customer", "used", "created_at", "created_by")
                .values(SQLBind(code), SQLBind(label), SQLBind(kind), SQLBind(percent), SQLBind(amount), SQLBind(draft.minimumSpend.minorUnits),
                        SQLBind(Int64(draft.startsAt.timeIntervalSince1970)), SQLBind(Int64(draft.endsAt.timeIntervalSince1970)),
                        draft.maximumUses.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null,
                        draft.usesPerCustomer.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null,
                        SQLLiteral.numeric("0"), SQLBind(timestamp), SQLBind(actor))
                .run()
            try await audit?(sql, PromotionChange(subject: "voucher \(code)", before: [:], after: [
                "label": label, "value": voucher.valueText, "minimum_spend_minor": String(draft.minimumSpend.minorUnits),
                "starts_at": String(Int64(draft.startsAt.timeIntervalSince1970)), "ends_at": String(Int64(draft.endsAt.timeIntervalSince1970)),
                "maximum_uses": draft.maximumUses.map(String.init) ?? "", "uses_per_customer": draft.usesPerCustomer.map(String.init) ?? "",
            ]))
        }
        return voucher
    }

    /// Ends a voucher now: it can no longer be used (orders that used it keep it).
    public func endVoucher(code: String, audit: PromotionAudit? = nil) async throws {
        let code = Self.normalise(code: code)
        guard let voucher = try await storedVoucher(code: code) else { throw PromotionsError.voucherNotFound }
        guard voucher.state(at: now()) != .ended else { return }
        let timestamp = Int64(now().timeIntervalSince1970)
        try await database.transaction { sql in
            try await sql.update("vouchers").set("ends_at", to: SQLBind(timestamp)).where("code", .equal, SQLBind(code)).run()
            try await sql.raw("UPDATE vouchers SET starts_at = ends_at WHERE code = \(bind: code) AND starts_at > ends_at").run()
            try await audit?(sql, PromotionChange(subject: "voucher \(code)", before: ["ends_at": String(Int64(voucher.endsAt.timeIntervalSince1970))],
                                                  after: ["ends_at": String(timestamp)]))
        }
    }

    /// A voucher code as stored: trimmed, upper case.
    public static func normalise(code: String) -> String {
        code.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
    }

    // MARK: - Reading

    /// Offers that had not ended when last read, rereading them when another instance (or this
    /// one) changed them.
    private func knownOffers() async throws -> [StoredOffer] {
        let clock = ContinuousClock()
        let current = snapshot.withLock { $0 }
        if let current, clock.now - current.checked < checkInterval { return current.offers }
        let version = try await database.read { sql in
            try await sql.select().column("version").from("promotions_version").where("id", .equal, SQLLiteral.numeric("1"))
                .first(decodingColumn: "version", as: Int64.self) ?? 0
        }
        if let current, current.version == version {
            snapshot.withLock { $0?.checked = clock.now }
            return current.offers
        }
        let cutoff = Int64(now().timeIntervalSince1970)
        let offers = try await database.read { sql in try await Self.loadOffers(endingAfter: cutoff, currency: self.currency, sql: sql) }
        snapshot.withLock { $0 = Snapshot(version: version, checked: clock.now, offers: offers) }
        return offers
    }

    /// Drops the offers read, after a change here.
    private func forget() {
        snapshot.withLock { $0 = nil }
    }

    private func storedVoucher(code: String) async throws -> StoredVoucher? {
        try await database.read { sql in try await Self.voucher(code: code, currency: currency, sql: sql) }
    }

    private static func voucher(code: String, currency: Currency, sql: any SQLDatabase) async throws -> StoredVoucher? {
        guard let row = try await sql.select().column("*").from("vouchers").where("code", .equal, SQLBind(code)).first() else { return nil }
        return try voucher(from: row, currency: currency)
    }

    private static func voucher(from row: any SQLRow, currency: Currency) throws -> StoredVoucher {
        let kind = try row.decode(column: "kind", as: String.self)
        let value: Voucher.Value = kind == "percent_off" ? .percentOff(try row.decode(column: "percent", as: Int.self))
            : .amountOff(Money(minorUnits: try row.decode(column: "amount_minor", as: Int64.self), currency: currency))
        return StoredVoucher(
            code: try row.decode(column: "code", as: String.self), label: try row.decode(column: "label", as: String.self), value: value,
            minimumSpend: Money(minorUnits: try row.decode(column: "minimum_spend_minor", as: Int64.self), currency: currency),
            startsAt: Date(timeIntervalSince1970: TimeInterval(try row.decode(column: "starts_at", as: Int64.self))),
            endsAt: Date(timeIntervalSince1970: TimeInterval(try row.decode(column: "ends_at", as: Int64.self))),
            maximumUses: try row.decode(column: "maximum_uses", as: Int?.self), usesPerCustomer: try row.decode(column: "uses_per_customer", as: Int?.self),
            used: try row.decode(column: "used", as: Int.self)
        )
    }

    private static func redemptions(of code: String, by customerID: Int64, sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("""
            SELECT COUNT(*) AS uses FROM voucher_redemptions JOIN vouchers ON vouchers.id = voucher_redemptions.voucher_id \
            WHERE vouchers.code = \(bind: code) AND voucher_redemptions.customer_id = \(bind: customerID)
            """).first(decodingColumn: "uses", as: Int.self) ?? 0
    }

    private static func loadOffers(endingAfter cutoff: Int64, currency: Currency, sql: any SQLDatabase) async throws -> [StoredOffer] {
        let rows = try await sql.select().column("*").from("offers").where("ends_at", .greaterThan, SQLBind(cutoff)).orderBy("public_id").all()
        guard !rows.isEmpty else { return [] }
        var targets: [Int64: [(group: Int, product: String?, aisle: String?)]] = [:]
        let ids = try rows.map { try $0.decode(column: "id", as: Int64.self) }
        for row in try await sql.select().columns("offer_id", "group_index", "product_id", "aisle_slug").from("offer_targets")
            .where("offer_id", .in, SQLBind.group(ids)).all() {
            targets[try row.decode(column: "offer_id", as: Int64.self), default: []].append((
                try row.decode(column: "group_index", as: Int.self), try row.decode(column: "product_id", as: String?.self),
                try row.decode(column: "aisle_slug", as: String?.self)
            ))
        }
        return try rows.map { row in
            let amount = Money(minorUnits: try row.decode(column: "amount_minor", as: Int64.self), currency: currency)
            let rule: Offer.Rule = switch OfferKind(rawValue: try row.decode(column: "kind", as: String.self)) {
            case .multiBuy?: .multiBuy(buy: try row.decode(column: "buy", as: Int.self), pay: try row.decode(column: "pay", as: Int.self))
            case .bundle?: .bundle(count: try row.decode(column: "buy", as: Int.self), price: amount)
            case .percentOff?: .percentOff(try row.decode(column: "percent", as: Int.self))
            case .amountOff?: .amountOff(amount)
            case .mealDeal?, nil: .mealDeal(price: amount)
            }
            let owned = targets[try row.decode(column: "id", as: Int64.self)] ?? []
            let count = (owned.map(\.group).max() ?? 0) + 1
            let groups = (0..<count).map { index in
                Offer.Scope(products: Set(owned.filter { $0.group == index }.compactMap { $0.product.flatMap(ProductID.init(publicString:)) }),
                            aisles: Set(owned.filter { $0.group == index }.compactMap(\.aisle)))
            }
            return StoredOffer(
                id: try row.decode(column: "public_id", as: String.self), label: try row.decode(column: "label", as: String.self), rule: rule,
                groups: groups, startsAt: Date(timeIntervalSince1970: TimeInterval(try row.decode(column: "starts_at", as: Int64.self))),
                endsAt: Date(timeIntervalSince1970: TimeInterval(try row.decode(column: "ends_at", as: Int64.self))),
                createdBy: try row.decode(column: "created_by", as: String.self)
            )
        }
    }

    private static func columns(_ rule: Offer.Rule) -> (kind: OfferKind, buy: Int, pay: Int, percent: Int, amount: Int64) {
        switch rule {
        case .multiBuy(let buy, let pay): (.multiBuy, buy, pay, 0, 0)
        case .bundle(let count, let price): (.bundle, count, 0, 0, price.minorUnits)
        case .percentOff(let percent): (.percentOff, 0, 0, percent, 0)
        case .amountOff(let amount): (.amountOff, 0, 0, 0, amount.minorUnits)
        case .mealDeal(let price): (.mealDeal, 0, 0, 0, price.minorUnits)
        }
    }

    private static func describe(_ offer: StoredOffer) -> [String: String] {
        [
            "label": offer.label, "kind": OfferKind(offer.rule).rawValue, "terms": offer.badge,
            "products": offer.groups.map { $0.products.map(\.publicString).sorted().joined(separator: " ") }.joined(separator: " | "),
            "aisles": offer.groups.map { $0.aisles.sorted().joined(separator: " ") }.joined(separator: " | "),
            "starts_at": String(Int64(offer.startsAt.timeIntervalSince1970)), "ends_at": String(Int64(offer.endsAt.timeIntervalSince1970)),
        ]
    }

    private static func bumpVersion(_ sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE promotions_version SET version = version + 1 WHERE id = 1").run()
    }
}
