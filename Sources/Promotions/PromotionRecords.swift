import Foundation
import GoMartModels
import Pricing
import SQLKit

/// An offer as the shop keeps it: its terms and when it runs.
public struct StoredOffer: Sendable, Hashable, Identifiable {
    /// Where an offer stands at a moment.
    public enum State: String, Sendable, Hashable {
        case upcoming, running, ended

        /// Where something running from `start` until `end` (exclusive) stands at `date`.
        static func of(from start: Date, until end: Date, at date: Date) -> State {
            date < start ? .upcoming : date < end ? .running : .ended
        }
    }

    /// The offer's public id.
    public var id: String
    /// What shoppers read, e.g. "3 for 2 on yoghurts".
    public var label: String
    /// How it saves.
    public var rule: Offer.Rule
    /// What it takes: one scope, or one per course of a meal deal.
    public var groups: [Offer.Scope]
    /// From when it runs.
    public var startsAt: Date
    /// Until when it runs (exclusive).
    public var endsAt: Date
    /// Who created it.
    public var createdBy: String

    /// The offer in ``Pricing``'s terms.
    public var offer: Offer { Offer(id: id, label: label, rule: rule, groups: groups) }

    /// Where the offer stands at `date`.
    public func state(at date: Date) -> State { .of(from: startsAt, until: endsAt, at: date) }

    /// True when the offer takes this product (by id or aisle).
    public func takes(productID: ProductID, aisle: String) -> Bool {
        groups.contains { $0.contains(productID: productID, aisle: aisle) }
    }

    /// The offer's kind in a word or two, for the back office.
    public var kindName: String { OfferKind(rule).title }

    /// The short text on a product's tile: "3 for 2", "Any 2 for £5.00", "10% off", "50p off", "Meal deal £3.50".
    public var badge: String {
        switch rule {
        case .multiBuy(let buy, let pay): "\(buy) for \(pay)"
        case .bundle(let count, let price): "Any \(count) for \(price.formatted)"
        case .percentOff(let percent): "\(percent)% off"
        case .amountOff(let amount): amount.minorUnits < 100 ? "\(amount.minorUnits)p off" : "\(amount.formatted) off"
        case .mealDeal(let price): "Meal deal \(price.formatted)"
        }
    }
}

/// The kinds of offer, as the back office names them.
public enum OfferKind: String, Sendable, Hashable, CaseIterable {
    case multiBuy = "multi_buy"
    case bundle
    case percentOff = "percent_off"
    case amountOff = "amount_off"
    case mealDeal = "meal_deal"

    init(_ rule: Offer.Rule) {
        switch rule {
        case .multiBuy: self = .multiBuy
        case .bundle: self = .bundle
        case .percentOff: self = .percentOff
        case .amountOff: self = .amountOff
        case .mealDeal: self = .mealDeal
        }
    }

    /// The name staff read.
    public var title: String {
        switch self {
        case .multiBuy: "Multi-buy (3 for 2)"
        case .bundle: "Any N for a price"
        case .percentOff: "Percentage off"
        case .amountOff: "Amount off each"
        case .mealDeal: "Meal deal"
        }
    }
}

/// A new offer, as a manager describes it.
public struct OfferDraft: Sendable, Hashable {
    public var label: String
    public var rule: Offer.Rule
    public var groups: [Offer.Scope]
    public var startsAt: Date
    public var endsAt: Date

    /// Creates a draft.
    public init(label: String, rule: Offer.Rule, groups: [Offer.Scope], startsAt: Date, endsAt: Date) {
        self.label = label
        self.rule = rule
        self.groups = groups
        self.startsAt = startsAt
        self.endsAt = endsAt
    }
}

/// A voucher code as the shop keeps it: its value, dates and limits, and how often it was used.
public struct StoredVoucher: Sendable, Hashable, Identifiable {
    /// The code (upper case).
    public var code: String
    /// What shoppers read, e.g. "£5 off when you spend £40".
    public var label: String
    /// What it takes off.
    public var value: Voucher.Value
    /// The goods (after offers) must come to at least this.
    public var minimumSpend: Money
    /// From when it may be used.
    public var startsAt: Date
    /// Until when it may be used (exclusive).
    public var endsAt: Date
    /// How many orders may use it in all; nil: no limit.
    public var maximumUses: Int?
    /// How many orders one customer may use it on; nil: no limit.
    public var usesPerCustomer: Int?
    /// Orders that used it (and were not cancelled before payment).
    public var used: Int

    public var id: String { code }

    /// The voucher in ``Pricing``'s terms.
    public var voucher: Voucher { Voucher(code: code, label: label, value: value, minimumSpend: minimumSpend) }

    /// Where the voucher stands at `date`.
    public func state(at date: Date) -> StoredOffer.State { .of(from: startsAt, until: endsAt, at: date) }

    /// Why its dates keep it from being used at `date` (not yet, or expired); nil while it runs.
    public func dateProblem(at date: Date) -> VoucherProblem? {
        switch state(at: date) {
        case .upcoming: .notYet(code, startsAt: startsAt)
        case .ended: .expired(code)
        case .running: nil
        }
    }

    /// Its value in words: "10% off" or "£5.00 off".
    public var valueText: String {
        switch value {
        case .percentOff(let percent): "\(percent)% off"
        case .amountOff(let amount): "\(amount.formatted) off"
        }
    }
}

/// A new voucher, as a manager describes it.
public struct VoucherDraft: Sendable, Hashable {
    public var code: String
    public var label: String
    public var value: Voucher.Value
    public var minimumSpend: Money
    public var startsAt: Date
    public var endsAt: Date
    public var maximumUses: Int?
    public var usesPerCustomer: Int?

    /// Creates a draft.
    public init(code: String, label: String, value: Voucher.Value, minimumSpend: Money, startsAt: Date, endsAt: Date, maximumUses: Int?,
                usesPerCustomer: Int?) {
        self.code = code
        self.label = label
        self.value = value
        self.minimumSpend = minimumSpend
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.maximumUses = maximumUses
        self.usesPerCustomer = usesPerCustomer
    }
}

/// Why a shopper's voucher cannot be used; each says so in the shopper's words.
public enum VoucherProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// No voucher has this code.
    case unknown(String)
    /// It may be used from `startsAt`.
    case notYet(String, startsAt: Date)
    /// Its time is over.
    case expired(String)
    /// Every use it allows is taken.
    case usedUp(String)
    /// This customer used it as often as it allows.
    case alreadyUsed(String)
    /// It needs a signed-in customer (limits are per customer).
    case signInFirst(String)

    public var code: String {
        switch self {
        case .unknown(let code), .notYet(let code, _), .expired(let code), .usedUp(let code), .alreadyUsed(let code), .signInFirst(let code): code
        }
    }

    public var description: String {
        switch self {
        case .unknown(let code): "There is no voucher \(code). Check the code and try again."
        case .notYet(let code, _): "Voucher \(code) cannot be used yet."
        case .expired(let code): "Voucher \(code) has expired."
        case .usedUp(let code): "Voucher \(code) has been used as many times as it allows."
        case .alreadyUsed(let code): "You have already used voucher \(code)."
        case .signInFirst(let code): "Sign in to use voucher \(code)."
        }
    }
}

/// Why a manager's change to the offers or vouchers was refused.
public enum PromotionsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Fields with problems, each with a message.
    case invalidFields([String: String])
    /// No offer has this id.
    case offerNotFound
    /// No voucher has this code.
    case voucherNotFound

    public var description: String {
        switch self {
        case .invalidFields(let problems): problems.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        case .offerNotFound: "No offer has that id."
        case .voucherNotFound: "No voucher has that code."
        }
    }
}

/// A change to the offers or vouchers, for the audit log.
public struct PromotionChange: Sendable, Hashable {
    /// What changed, e.g. "offer 1b2c…" or "voucher SPRING5".
    public var subject: String
    /// Values before (empty for something new).
    public var before: [String: String]
    /// Values after (empty for something ended).
    public var after: [String: String]
}

/// Writes a ``PromotionChange`` to the audit log in the change's transaction.
public typealias PromotionAudit = @Sendable (any SQLDatabase, PromotionChange) async throws -> Void
