import GoMartModels

/// Works out what offers save on an order's lines.
///
/// The rule, when offers compete:
/// 1. Each unit counts towards one offer at most; an offer takes its units dearest first (so a
///    "3 for 2" gives the dearest possible units free, a bundle or meal deal groups the dearest).
/// 2. Offers that want none of the same units do not compete and are worked out apart.
/// 3. Offers that do compete are tried in every order (up to ``exhaustiveLimit`` of them; beyond
///    that, by what each saves alone, most first), each taking what it can of the units the
///    earlier ones left; the order saving the shopper most wins, and among equal savings the
///    order of the offers' ids.
///
/// Every step is a pure function of the lines and offers, whatever order they come in.
enum OfferEngine {
    /// How many competing offers are tried in every order (5! = 120 orders).
    static let exhaustiveLimit = 5

    /// One unit of a line of packs, or a whole weighed line.
    struct Unit: Sendable {
        let line: Int
        let price: Int64
        let key: String
        /// A weighed line is one "unit" only a percentage off can take.
        let weighed: Bool
    }

    /// What applying offers came to: savings per offer (in the offers' order) and per line.
    struct Outcome: Sendable, Equatable {
        var savings: [String: Int64] = [:]
        var lineSavings: [Int64]
        var total: Int64 { savings.values.reduce(0, +) }
    }

    /// The units of `lines` offers may take, dearest first (ties by product, then line).
    static func units(_ lines: [PricedLine]) -> [Unit] {
        var units: [Unit] = []
        for (index, line) in lines.enumerated() where line.quantity > 0 && line.unitPrice.minorUnits > 0 {
            let key = line.productID?.publicString ?? ""
            if line.grams != nil {
                units.append(Unit(line: index, price: Pricing.lineTotal(line), key: key, weighed: true))
            } else {
                for _ in 0..<line.quantity { units.append(Unit(line: index, price: line.unitPrice.minorUnits, key: key, weighed: false)) }
            }
        }
        return units.sorted { ($0.price, $1.key, $1.line) > ($1.price, $0.key, $0.line) }
    }

    /// The best saving `offers` give on `lines`, by the rule above.
    static func apply(_ offers: [Offer], to lines: [PricedLine]) -> Outcome {
        let units = units(lines)
        let offers = offers.filter { $0.problem == nil }.sorted { $0.id < $1.id }
        var outcome = Outcome(lineSavings: Array(repeating: 0, count: lines.count))
        for component in components(offers, lines: lines) {
            let best = bestOrder(component, units: units, lines: lines)
            for (id, saving) in best.savings where saving > 0 { outcome.savings[id, default: 0] += saving }
            for (line, saving) in best.lineSavings.enumerated() { outcome.lineSavings[line] += saving }
        }
        return outcome
    }

    /// Offers in groups that want some of the same lines (each group in id order); offers that
    /// take no line are left out.
    static func components(_ offers: [Offer], lines: [PricedLine]) -> [[Offer]] {
        let takes = offers.map { offer in Set(lines.indices.filter { offer.takes(lines[$0]) }) }
        var groups: [[Int]] = []
        var lineGroups: [Set<Int>] = []
        for (index, taken) in takes.enumerated() where !taken.isEmpty {
            let joined = lineGroups.indices.filter { !lineGroups[$0].isDisjoint(with: taken) }
            var merged = [index]
            var mergedLines = taken
            for group in joined.reversed() {
                merged += groups.remove(at: group)
                mergedLines.formUnion(lineGroups.remove(at: group))
            }
            groups.append(merged.sorted())
            lineGroups.append(mergedLines)
        }
        return groups.sorted { $0[0] < $1[0] }.map { $0.map { offers[$0] } }
    }

    /// The order of `offers` that saves most (see the rule).
    static func bestOrder(_ offers: [Offer], units: [Unit], lines: [PricedLine]) -> Outcome {
        let orders: [[Offer]]
        if offers.count <= exhaustiveLimit {
            orders = permutations(offers)
        } else {
            let alone = offers.map { sequence([$0], units: units, lines: lines).total }
            orders = [offers.indices.sorted { (alone[$0], offers[$1].id) > (alone[$1], offers[$0].id) }.map { offers[$0] }]
        }
        var best: Outcome?
        for order in orders {
            let outcome = sequence(order, units: units, lines: lines)
            if best == nil || outcome.total > best!.total { best = outcome }
        }
        return best ?? Outcome(lineSavings: Array(repeating: 0, count: lines.count))
    }

    /// Every order of `items`, the given order first.
    static func permutations<T>(_ items: [T]) -> [[T]] {
        guard items.count > 1 else { return [items] }
        var result: [[T]] = []
        for index in items.indices {
            var rest = items
            let first = rest.remove(at: index)
            for tail in permutations(rest) { result.append([first] + tail) }
        }
        return result
    }

    /// `offers` applied one after another, each to the units the earlier ones left.
    static func sequence(_ offers: [Offer], units: [Unit], lines: [PricedLine]) -> Outcome {
        var used = Array(repeating: false, count: units.count)
        var outcome = Outcome(lineSavings: Array(repeating: 0, count: lines.count))
        for offer in offers {
            let saving = take(offer, units: units, lines: lines, used: &used, lineSavings: &outcome.lineSavings)
            outcome.savings[offer.id, default: 0] += saving
        }
        return outcome
    }

    /// Applies one offer to the units not yet `used`, marking those it takes; returns its saving
    /// and adds each unit's share of it to its line.
    static func take(_ offer: Offer, units: [Unit], lines: [PricedLine], used: inout [Bool], lineSavings: inout [Int64]) -> Int64 {
        let inGroup = offer.groups.map { scope in units.indices.filter { !used[$0] && scope.contains(lines[units[$0].line]) } }
        let eligible = units.indices.filter { index in !used[index] && inGroup.contains { $0.contains(index) } }
        var saved: Int64 = 0
        /// Takes `chosen` for `saving`, shared over them by price.
        func settle(_ chosen: [Int], saving: Int64) {
            share(saving, over: chosen, units: units, into: &lineSavings)
            for index in chosen { used[index] = true }
            saved += saving
        }
        switch offer.rule {
        case .percentOff(let percent):
            for index in eligible { settle([index], saving: units[index].price * Int64(percent) / 100) }
        case .amountOff(let amount):
            for index in eligible where !units[index].weighed { settle([index], saving: min(amount.minorUnits, units[index].price)) }
        case .multiBuy(let buy, let pay):
            let packs = eligible.filter { !units[$0].weighed }
            for start in stride(from: 0, to: packs.count - buy + 1, by: buy) {
                let group = Array(packs[start..<(start + buy)])
                settle(group, saving: group.suffix(buy - pay).reduce(0) { $0 + units[$1].price })
            }
        case .bundle(let count, let price):
            let packs = eligible.filter { !units[$0].weighed }
            for start in stride(from: 0, to: packs.count - count + 1, by: count) {
                let group = Array(packs[start..<(start + count)])
                let value = group.reduce(0) { $0 + units[$1].price }
                guard value > price.minorUnits else { break } // later groups are cheaper still
                settle(group, saving: value - price.minorUnits)
            }
        case .mealDeal(let price):
            var taken = Set<Int>()
            var next = Array(repeating: 0, count: inGroup.count)
            while true {
                var deal: [Int] = []
                for (group, members) in inGroup.enumerated() {
                    while next[group] < members.count && (taken.contains(members[next[group]]) || deal.contains(members[next[group]])
                                                          || units[members[next[group]]].weighed) {
                        next[group] += 1
                    }
                    guard next[group] < members.count else { return saved }
                    deal.append(members[next[group]])
                }
                let value = deal.reduce(0) { $0 + units[$1].price }
                guard value > price.minorUnits else { return saved }
                taken.formUnion(deal)
                settle(deal, saving: value - price.minorUnits)
            }
        }
        return saved
    }

    /// Shares `saving` over `chosen` units by their prices (rounded down, what is left on the
    /// first units with room for it: no unit's share is ever more than its price), adding each
    /// share to the unit's line.
    static func share(_ saving: Int64, over chosen: [Int], units: [Unit], into lineSavings: inout [Int64]) {
        guard saving > 0, !chosen.isEmpty else { return }
        let value = chosen.reduce(Int64(0)) { $0 + units[$1].price }
        guard value > 0 else { return }
        var parts = chosen.map { saving * units[$0].price / value }
        var left = saving - parts.reduce(0, +)
        for position in parts.indices where left > 0 {
            let room = min(units[chosen[position]].price - parts[position], left)
            parts[position] += room
            left -= room
        }
        for (position, index) in chosen.enumerated() { lineSavings[units[index].line] += parts[position] }
    }
}
